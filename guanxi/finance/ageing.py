"""Receivable ageing (FIN-4) and analysis (FIN-5).

Days overdue = the as-of date − the due date. Buckets of the outstanding amount:
not yet due, 1–30, 31–60, 61–90, 91–180 and over 180 days overdue. Outstanding as of a
date = the amount − what was allocated to it on or before that date and not taken back
by then, for receivables dated on or before it and not cancelled. Everything is read
through the viewer's scope.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Min, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.org.scopes import scoped

from .models import Allocation, Receivable, ReceivableStatus

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)
# (key, first day overdue, last day overdue or None)
BUCKETS = [("current", None, 0), ("d30", 1, 30), ("d60", 31, 60), ("d90", 61, 90), ("d180", 91, 180),
           ("older", 181, None)]
GROUPS = {
    "customer": ("customer_id", "customer__name"),
    "owner": ("owner_id", "owner__display_name"),
    "branch": ("branch_id", "branch__name"),
}


@dataclass
class AgeingRow:
    key: object
    label: str
    buckets: dict = field(default_factory=lambda: {key: ZERO for key, _a, _b in BUCKETS})
    credit_limit: Decimal | None = None
    oldest_days: int = 0

    @property
    def total(self):
        return sum(self.buckets.values(), ZERO)

    @property
    def overdue(self):
        return self.total - self.buckets["current"]

    @property
    def over_limit(self):
        return self.credit_limit is not None and self.credit_limit > 0 and self.overdue > self.credit_limit


def outstanding_as_of(queryset, as_of):
    """Annotate ``left``: the outstanding amount on ``as_of`` (today: amount − allocated)."""
    if as_of >= timezone.localdate():
        return queryset.annotate(left=F("amount") - F("allocated"))
    end = timezone.make_aware(datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min))
    taken = (Allocation.objects.filter(receivable=OuterRef("pk"), created_at__lt=end)
             .filter(Q(reversed_at__isnull=True) | Q(reversed_at__gte=end)).order_by()
             .values("receivable").annotate(total=Sum("amount")).values("total"))
    return queryset.annotate(left=F("amount") - Coalesce(Subquery(taken, output_field=MONEY), Value(ZERO),
                                                         output_field=MONEY))


class AgeingReport:
    """``AgeingReport(user, as_of=date, group="customer"|"owner"|"branch").run()`` →
    (rows sorted by overdue amount, totals row)."""

    def __init__(self, user, *, as_of=None, group="customer"):
        self.user, self.as_of, self.group = user, as_of or timezone.localdate(), group

    def receivables(self):
        base = Receivable.objects.filter(issued_on__lte=self.as_of).exclude(status=ReceivableStatus.CANCELLED)
        return outstanding_as_of(scoped(base, self.user), self.as_of).filter(left__gt=0)

    def run(self):
        key, label = GROUPS[self.group]
        cases = {}
        for name, first, last in BUCKETS:
            # due_on ranges, not arithmetic on dates: the same SQL on SQLite and PostgreSQL.
            condition = Q()
            if first is not None:
                condition &= Q(due_on__lte=self.as_of - datetime.timedelta(days=first))
            if last is not None:
                condition &= Q(due_on__gte=self.as_of - datetime.timedelta(days=last))
            cases[name] = Coalesce(Sum(Case(When(condition, then=F("left")), default=Value(ZERO),
                                            output_field=MONEY)), Value(ZERO), output_field=MONEY)
        values = [key, label] + (["customer__credit_limit"] if self.group == "customer" else [])
        rows = []
        oldest = {}
        for item in self.receivables().order_by().values(*values).annotate(**cases):
            row = AgeingRow(key=item[key], label=item[label] or "—",
                            buckets={name: item[name] for name, _a, _b in BUCKETS},
                            credit_limit=item.get("customer__credit_limit"))
            rows.append(row)
        for item in self.receivables().order_by().values(key).annotate(first_due=Min("due_on")):
            days = (self.as_of - item["first_due"]).days
            oldest[item[key]] = max(days, 0)
        for row in rows:
            row.oldest_days = oldest.get(row.key, 0)
        rows.sort(key=lambda r: (-r.overdue, -r.total, r.label))
        totals = AgeingRow(key=None, label="")
        for row in rows:
            for name in totals.buckets:
                totals.buckets[name] += row.buckets[name]
        totals.oldest_days = max((r.oldest_days for r in rows), default=0)
        return rows, totals


def receivable_shares(user, limit=20):
    """FIN-5: customers by their share of all outstanding receivables (as the user sees them)."""
    rows, totals = AgeingReport(user, group="customer").run()
    whole = totals.total
    ranked = sorted(rows, key=lambda r: -r.total)[:limit]
    return [(row, round(float(row.total / whole * 100), 1) if whole else None) for row in ranked], whole


def due_soon(user, *, today=None, days=7):
    """FIN-4: receivables with money outstanding due from today to ``days`` ahead."""
    today = today or timezone.localdate()
    return (scoped(Receivable.objects.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days),
                                             allocated__lt=F("amount")), user)
            .exclude(status=ReceivableStatus.CANCELLED).select_related("customer", "owner").order_by("due_on", "pk"))
