"""Table cells people can read: dates, amounts and short names do not break; overdue dates stand out."""

import datetime
from pathlib import Path

from django.contrib.staticfiles import finders
from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.customers.services import customer_create


def test_dates_amounts_and_short_names_do_not_wrap_and_past_follow_ups_are_overdue(demo_org, client_for):
    """CUS-5, issue 11: "广州总部" stays on one line; a follow-up date in the past is marked overdue."""
    seller = demo_org["liuyang"]
    late = customer_create(actor=seller, name="逾期跟进有限公司")
    Customer.objects.filter(pk=late.pk).update(next_follow_up_on=timezone.localdate() - datetime.timedelta(days=3))
    soon = customer_create(actor=seller, name="按期跟进有限公司")
    Customer.objects.filter(pk=soon.pk).update(next_follow_up_on=timezone.localdate() + datetime.timedelta(days=3))
    html = client_for(seller).get("/customers/?q=跟进有限公司").content.decode()
    rows = {name: row for row in html.split("<tr") for name in ("逾期跟进有限公司", "按期跟进有限公司") if name in row}
    assert 'class="date overdue"' in rows["逾期跟进有限公司"]
    assert "overdue" not in rows["按期跟进有限公司"] and 'class="date"' in rows["按期跟进有限公司"]
    branches = client_for(demo_org["zhaolei"]).get("/org/branches/").content.decode()
    assert 'class="nowrap"><a href="/org/branches/1/">广州总部' in branches or \
        'class="nowrap">广州总部' in branches


def test_hidden_elements_stay_hidden_whatever_their_display_rule(client):
    """SRV-3: the flow designer hides the fields of other step types with ``hidden``; the
    style sheet must not override it (``label { display: flex }`` did)."""

    css = Path(finders.find("guanxi/app.css")).read_text(encoding="utf-8")
    assert "[hidden] { display: none !important; }" in css
