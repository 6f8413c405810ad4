"""Contact reminders (ACT-3): who to contact today or tomorrow, overdue follow-ups,
customers with no order for N days, and customers with no business for M days."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.notifications import notify
from guanxi.org.models import User

from .models import Customer
from .selectors import customers_visible_to

DEFAULT_NO_ORDER_DAYS = 30
DEFAULT_NO_BUSINESS_DAYS = 90


def _mine_or_scope(user, mine):
    customers = customers_visible_to(user).filter(owner__isnull=False)
    return customers.filter(owner=user) if mine else customers


def reminder_lists(user, *, mine=True, no_order_days=DEFAULT_NO_ORDER_DAYS,
                   no_business_days=DEFAULT_NO_BUSINESS_DAYS, limit=50, today=None):
    """Return {list key: (title, queryset)} for the user's customers (or their scope)."""
    today = today or timezone.localdate()
    base = _mine_or_scope(user, mine).order_by("next_follow_up_on", "pk")
    order_cutoff = timezone.now() - datetime.timedelta(days=no_order_days)
    business_cutoff = timezone.now() - datetime.timedelta(days=no_business_days)
    return {
        "today": (_("Contact today"), base.filter(next_follow_up_on=today)),
        "tomorrow": (_("Contact tomorrow"), base.filter(next_follow_up_on=today + datetime.timedelta(days=1))),
        "overdue": (_("Overdue follow-ups"), base.filter(next_follow_up_on__lt=today)),
        "no_order": (
            _("No order for %(n)d days") % {"n": no_order_days},
            base.filter(category="customer").filter(
                Q(last_deal_at__lt=order_cutoff) | Q(last_deal_at__isnull=True, created_at__lt=order_cutoff)
            ).order_by("last_deal_at", "pk"),
        ),
        "no_business": (
            _("No business for %(n)d days") % {"n": no_business_days},
            base.filter(
                Q(last_contacted_at__lt=business_cutoff) | Q(last_contacted_at__isnull=True,
                                                             created_at__lt=business_cutoff)
            ).filter(Q(last_deal_at__lt=business_cutoff) | Q(last_deal_at__isnull=True)).order_by(
                "last_contacted_at", "pk"),
        ),
    }


def send_follow_up_notices(today=None):
    """Tell each owner, once a day, how many customers they should contact today."""

    today = today or timezone.localdate()
    counts = {}
    for owner_id in Customer.objects.filter(next_follow_up_on__lte=today, owner__isnull=False).values_list(
            "owner_id", flat=True).iterator(chunk_size=2000):
        counts[owner_id] = counts.get(owner_id, 0) + 1
    sent = 0
    for user in User.objects.filter(pk__in=list(counts), is_active=True):
        created = notify(user, kind="customers.follow_up",
                         title=_("%(n)d customers to contact today (including overdue)") % {"n": counts[user.pk]},
                         url=reverse("customers:reminders"), dedupe_key=f"follow-up:{today.isoformat()}")
        sent += created is not None
    return sent


def digest_section(user, day):
    due = Customer.objects.filter(owner=user, next_follow_up_on__lte=day + datetime.timedelta(days=1)).count()
    return [_("%(n)d customers to contact today or overdue") % {"n": due}] if due else []
