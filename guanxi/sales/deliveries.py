"""Delivery reminders (SAL-6): confirmed orders whose delivery date is near or past and
that are not fully shipped. The owner hears of each once per state and date."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.notifications import notify
from guanxi.org.scopes import scoped

from .models import Order, OrderStatus, SalesSettings

OPEN_FOR_DELIVERY = [OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED]


def deliveries_due(user, *, today=None, within=None):
    """(overdue, due soon) querysets of the orders the user may see."""
    today = today or timezone.localdate()
    within = SalesSettings.for_branch(user.branch_id).delivery_reminder_days if within is None else within
    base = scoped(Order.objects.filter(status__in=OPEN_FOR_DELIVERY, delivery_date__isnull=False), user)
    base = base.select_related("customer", "owner").order_by("delivery_date", "pk")
    return (base.filter(delivery_date__lt=today),
            base.filter(delivery_date__gte=today, delivery_date__lte=today + datetime.timedelta(days=within)))


def send_delivery_reminders(today=None):
    """The morning job: one notice per order that is due soon or overdue (once per state)."""

    today = today or timezone.localdate()
    settings = {s.branch_id: s.delivery_reminder_days for s in SalesSettings.objects.all()}
    default = settings.get(None, SalesSettings().delivery_reminder_days)
    horizon = today + datetime.timedelta(days=max([default, *settings.values()]))
    sent = 0
    orders = (Order.objects.filter(status__in=OPEN_FOR_DELIVERY, delivery_date__lte=horizon)
              .select_related("owner", "customer").order_by("pk"))
    for order in orders.iterator(chunk_size=500):
        days = settings.get(order.branch_id, default)
        if order.delivery_date > today + datetime.timedelta(days=days) or not order.owner.is_active:
            continue
        overdue = order.delivery_date < today
        title = (_("Delivery overdue: %(number)s for %(customer)s (due %(day)s)") if overdue else
                 _("Delivery due: %(number)s for %(customer)s on %(day)s")) % {
            "number": order.number, "customer": order.customer.name, "day": order.delivery_date.isoformat()}
        state = "overdue" if overdue else "due"
        created = notify(order.owner, kind="sales.delivery", title=title, url=order.get_absolute_url(), email=True,
                         dedupe_key=f"delivery:{order.pk}:{order.delivery_date.isoformat()}:{state}")
        sent += created is not None
    return sent


def send_contract_reminders(today=None, warn_days=30):
    """Owners hear of contracts ending within ``warn_days`` and on the day they end, once each."""

    today = today or timezone.localdate()
    sent = 0
    ending = (Order.objects.filter(contract_ends_on__gte=today,
                                   contract_ends_on__lte=today + datetime.timedelta(days=warn_days))
              .exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.DRAFT]).select_related("owner", "customer"))
    for order in ending.iterator(chunk_size=500):
        if not order.owner.is_active:
            continue
        state = "today" if order.contract_ends_on == today else "soon"
        title = _("Contract %(number)s with %(customer)s ends on %(day)s") % {
            "number": order.number, "customer": order.customer.name, "day": order.contract_ends_on.isoformat()}
        created = notify(order.owner, kind="sales.contract_ends", title=title, url=order.get_absolute_url(),
                         email=True, dedupe_key=f"contract:{order.pk}:{order.contract_ends_on.isoformat()}:{state}")
        sent += created is not None
    return sent


def digest_section(user, day):
    overdue, soon = deliveries_due(user, today=day + datetime.timedelta(days=1))
    lines = []
    overdue_count, soon_count = overdue.count(), soon.count()
    if overdue_count:
        lines.append(_("%(n)d orders are past their delivery date") % {"n": overdue_count})
    if soon_count:
        lines.append(_("%(n)d orders are due for delivery soon") % {"n": soon_count})
    return lines
