"""Receivable reminders (FIN-4) and alerts (FIN-5): every morning each salesperson hears
of their customers' money due today or overdue, finance of their scope's totals, and a
customer whose overdue total passes their credit limit raises an alert once a month."""

import datetime

from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.notifications import notify
from guanxi.org.models import User

from .ageing import AgeingReport
from .models import Receivable, ReceivableStatus


def _open():
    return Receivable.objects.filter(allocated__lt=F("amount")).exclude(status=ReceivableStatus.CANCELLED)


def send_receivable_reminders(today=None):
    today = today or timezone.localdate()
    sent = 0
    due = _open().filter(due_on__lte=today).values("owner_id").annotate(
        total=Sum(F("amount") - F("allocated")))
    owners = {row["owner_id"]: row["total"] for row in due}
    for user in User.objects.filter(pk__in=list(owners), is_active=True):
        created = notify(user, kind="finance.due", title=_("¥%(amount)s of your customers' money is due or overdue")
                         % {"amount": f"{owners[user.pk]:,.2f}"}, url=reverse("finance:ageing") + "?group=customer",
                         dedupe_key=f"receivables-due:{today.isoformat()}")
        sent += created is not None
    finance_people = [u for u in User.objects.filter(is_active=True).prefetch_related("roles")
                      if u.has_module_perm("finance.view") and u.has_module_perm("finance.create")]
    for user in finance_people:
        _rows, totals = AgeingReport(user, as_of=today).run()
        if totals.overdue > 0:
            created = notify(user, kind="finance.overdue", title=_(
                "Overdue receivables: ¥%(amount)s, the oldest %(days)d days") % {
                "amount": f"{totals.overdue:,.2f}", "days": totals.oldest_days},
                url=reverse("finance:ageing"), dedupe_key=f"receivables-overdue:{today.isoformat()}")
            sent += created is not None
        sent += _credit_alerts(user, today)
    return sent


def _credit_alerts(user, today):
    rows, _totals = AgeingReport(user, as_of=today, group="customer").run()
    sent = 0
    for row in rows:
        if row.over_limit:
            created = notify(user, kind="finance.credit", title=_(
                "%(customer)s owes ¥%(overdue)s overdue, over the credit limit of ¥%(limit)s") % {
                "customer": row.label, "overdue": f"{row.overdue:,.2f}", "limit": f"{row.credit_limit:,.2f}"},
                url=reverse("finance:analysis"), email=True,
                dedupe_key=f"credit:{row.key}:{today:%Y-%m}")
            sent += created is not None
    return sent


def digest_section(user, day):
    if not user.has_module_perm("finance.view"):
        mine = _open().filter(owner=user, due_on__lte=day + datetime.timedelta(days=1)).aggregate(
            t=Sum(F("amount") - F("allocated")))["t"]
        return [_("¥%(amount)s of your customers' money is due or overdue") % {"amount": f"{mine:,.2f}"}] if mine \
            else []
    _rows, totals = AgeingReport(user, as_of=day + datetime.timedelta(days=1)).run()
    if not totals.total:
        return []
    return [_("Receivables outstanding: ¥%(total)s, of which overdue ¥%(overdue)s") % {
        "total": f"{totals.total:,.2f}", "overdue": f"{totals.overdue:,.2f}"}]
