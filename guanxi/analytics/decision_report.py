"""The periodic decision-support report (ANA-9): the dashboard's measures for the last
week (Monday to Sunday) or the last month, for the company and per branch, against the
period before and a year before; a PDF with Chinese fonts (``core.printing``), archived as
a ``DecisionReport`` and e-mailed to the decision tier. Beat runs it on Mondays and on the
first of each month; a period is made once (the unique constraint), however often it runs.

The figures are read as the first active decision-tier employee sees them (the whole
company: that tier's scope is everything).
"""

import datetime

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.core.periods import Period, add_months, month_start
from guanxi.core.permissions import ensure
from guanxi.core.printing import chinese_font, html_to_pdf
from guanxi.core.services import service
from guanxi.org.models import Branch, Tier, User

from . import measures
from .report_models import DecisionReport, ReportKind


def report_period(kind, today=None) -> Period:
    """The last full week (Monday to Sunday) or month before ``today``."""
    today = today or timezone.localdate()
    if kind == ReportKind.WEEKLY:
        monday = today - datetime.timedelta(days=today.weekday() + 7)
        return Period(monday, monday + datetime.timedelta(days=7))
    this_month = month_start(today)
    return Period(add_months(this_month, -1), this_month)


def decision_makers():
    return list(User.objects.filter(is_active=True, tier=Tier.DECISION).order_by("pk"))


def report_rows(user, period):
    """[(measure, (value, previous, a year before), [(branch name, value)])] of ``user``'s measures."""
    branches = dict(Branch.objects.values_list("pk", "name"))
    rows = []
    for measure in measures.available(user):
        total = measures.compared(measure, user, period).get(None, (measure.zero,) * 3)
        split = measure.value(user, period, "branch") if "branch" in measure.groups else {}
        rows.append((measure, total, sorted(((branches.get(key, "—"), value) for key, value in split.items()
                                             if key is not None), key=lambda item: item[0])))
    return rows


@service
def decision_report_make(*, actor, kind, today=None):
    """Make (once) the report of the last week or month, archive it and mail it to the decision tier."""
    ensure(actor, "analytics.view")
    period = report_period(kind, today)
    found = DecisionReport.objects.filter(kind=kind, start=period.start).first()
    if found is not None:
        return found
    recipients = [user.email for user in decision_makers() if user.email]
    with translation.override("zh-hans"):
        title = _("Decision-support report %(start)s – %(end)s") % {"start": period.start, "end": period.last_day}
        html = render_to_string("analytics/print/decision_report.html", {
            "title": title, "period": period, "rows": report_rows(actor, period), "font_family": chinese_font(),
            "previous": measures.previous_period(period), "made_at": timezone.localtime()})
        pdf = html_to_pdf(html)
    report = DecisionReport.objects.create(kind=kind, start=period.start, end=period.last_day, pdf=pdf,
                                           sent_to=", ".join(recipients))
    if recipients:
        transaction.on_commit(lambda: _mail(title, pdf, recipients, period))
    return report


def _mail(title, pdf, recipients, period):
    message = EmailMessage(title, _("The decision-support report is attached; it is also kept under Analytics."),
                           None, recipients)
    message.attach(f"decision-report-{period.start:%Y%m%d}.pdf", pdf, "application/pdf")
    message.send()


def scheduled(kind, today=None):
    """The beat's entry: the report made by the first decision maker who may read analytics."""
    actor = next((user for user in decision_makers() if user.has_module_perm("analytics.view")), None)
    return decision_report_make(actor=actor, kind=kind, today=today) if actor is not None else None
