"""ANA-9: the weekly and monthly decision-support report: a PDF of the dashboard's
measures, made once per period, archived, listed and e-mailed to the decision tier."""

import datetime
import io
from decimal import Decimal

from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from guanxi.analytics.decision_report import report_period, scheduled
from guanxi.analytics.models import DecisionReport
from guanxi.customers.models import Customer
from guanxi.sales.models import Order

TODAY = datetime.date(2026, 12, 4)  # a Friday


def test_periods_are_the_last_full_week_and_month():
    """ANA-9: weekly = the Monday-to-Sunday before, monthly = the month before."""
    week, month = report_period("weekly", TODAY), report_period("monthly", TODAY)
    assert (week.start, week.last_day) == (datetime.date(2026, 11, 23), datetime.date(2026, 11, 29))
    assert (month.start, month.last_day) == (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def test_the_monthly_report_is_made_once_mailed_and_listed(demo_org, client, django_capture_on_commit_callbacks):
    """ANA-9: a PDF with the month's sales, mailed to the decision tier, once, and downloadable."""
    seller = demo_org["liuyang"]
    customer = Customer.objects.create(name="月报客户", owner=seller, branch=seller.branch)
    Order.objects.create(number="MR-1", customer=customer, owner=seller, branch=seller.branch, status="completed",
                         order_date=datetime.date(2026, 11, 12), total=Decimal("8888.00"), subtotal=Decimal("8888.00"))
    with django_capture_on_commit_callbacks(execute=True):
        report = scheduled("monthly", TODAY)
        again = scheduled("monthly", TODAY)
    assert again.pk == report.pk and DecisionReport.objects.count() == 1
    assert bytes(report.pdf).startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(report.pdf))).pages)
    assert "8,888.00" in text and "2026-11-01" in text
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {demo_org[name].email for name in ("chenzhiqiang", "linhui")}
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
    client.force_login(demo_org["chenzhiqiang"])
    listing = client.get(reverse("analytics:decision_reports")).content.decode()
    assert "2026-11-01" in listing
    download = client.get(reverse("analytics:decision_report_download", args=[report.pk]))
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    client.force_login(demo_org["liuyang"])  # a salesperson has no analytics.view
    assert client.get(reverse("analytics:decision_report_download", args=[report.pk])).status_code == 403
