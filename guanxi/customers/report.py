"""The daily report of contacts and visits per person and department (ACT-4)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from guanxi.org.scopes import scoped

from .models import Channel, Interaction


@dataclass
class ReportRow:
    key: object
    label: str
    total: int
    visits: int
    customers: int
    by_channel: dict


def daily_report(user, *, day=None, days=1, group="person"):
    """Interactions in [day, day + days) the user may see, grouped by person or department."""
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = start + datetime.timedelta(days=days)
    queryset = scoped(Interaction.objects.filter(occurred_at__gte=start, occurred_at__lt=end), user)
    key = "author" if group == "person" else "author_department"
    label_field = "author__display_name" if group == "person" else "author_department__name"
    aggregates = {
        "total": Count("pk"),
        "visits": Count("pk", filter=Q(channel=Channel.VISIT)),
        "customers": Count("customer", distinct=True),
    }
    for value, _label in Channel.choices:
        aggregates[f"c_{value}"] = Count("pk", filter=Q(channel=value))
    rows = []
    for item in queryset.values(key, label_field).annotate(**aggregates).order_by("-total", label_field):
        rows.append(ReportRow(
            key=item[key], label=item[label_field] or "—", total=item["total"], visits=item["visits"],
            customers=item["customers"], by_channel={c: item[f"c_{c}"] for c, _l in Channel.choices},
        ))
    return rows
