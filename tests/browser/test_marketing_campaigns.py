"""A campaign from its public form to its return, in a real browser (MKT-2, MKT-5)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.finance import services as finance
from guanxi.marketing.models import CampaignTouch
from guanxi.marketing.services.campaigns import campaign_create
from guanxi.org import demo as org_demo
from guanxi.sales.models import Lead
from guanxi.testing.sales import confirmed_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return org_demo.build()


def test_form_lead_converted_order_paid_shows_on_the_campaign_return(demo, page_for, live_server, artifacts):
    """MKT-5 + MKT-2: a visitor sends the campaign's form from a link with UTM values; the
    salesperson converts the lead; an order and its receipt are recorded; the campaign's
    return shows that receipt under both attribution models."""
    today = timezone.localdate()
    campaign = campaign_create(actor=demo["linhui"], code="expo-2026", name="2026 广州工业博览会",
                               starts_on=today, ends_on=today + datetime.timedelta(days=5),
                               budget=Decimal("20000"), channels=["exhibition"], owner=demo["liuyang"])

    # Given a visitor who follows the campaign's link from a Baidu ad
    visitor = page_for()
    visitor.goto(f"{live_server.url}/marketing/f/expo-2026/?utm_source=baidu&utm_medium=cpc&utm_campaign=expo-2026")
    visitor.fill("#id_company", "佛山宏达机电有限公司")
    visitor.fill("#id_name", "何经理")
    visitor.fill("#id_phone", "13912345678")
    visitor.click("#public-form button[type=submit]")
    expect(visitor.locator("#form-thanks")).to_be_visible()
    lead = Lead.objects.get(company="佛山宏达机电有限公司")
    assert lead.owner == demo["liuyang"]
    assert CampaignTouch.objects.get(lead=lead).utm == {"utm_source": "baidu", "utm_medium": "cpc",
                                                         "utm_campaign": "expo-2026"}

    # When the salesperson converts the lead
    seller = page_for("liuyang")
    seller.goto(f"{live_server.url}/sales/leads/{lead.pk}/")
    seller.fill("#id_opportunity_name", "宏达机电显示屏项目")
    seller.fill("#id_amount", "50000")
    seller.click("#convert-form button[type=submit]")
    expect(seller.locator("h1")).to_contain_text("宏达机电显示屏项目")
    lead.refresh_from_db()

    # and an order is confirmed and its money received
    confirmed_order(demo["liuyang"], lead.customer, ((1, "48000.00"),))
    receipt = finance.receipt_record(actor=demo["zhouhong"], customer=lead.customer, amount=Decimal("48000"))

    # Then the campaign's return shows the receipt, under last and first touch
    manager = page_for("linhui")
    for model in ("last", "first"):
        manager.goto(f"{live_server.url}{campaign.get_absolute_url()}?model={model}")
        expect(manager.locator("#return-received")).to_contain_text("48,000.00")
    manager.screenshot(path=str(artifacts / "marketing-campaign-return.png"), full_page=True)
    manager.click("#return-received a")
    expect(manager.locator("#outcomes")).to_contain_text(receipt.number)
    manager.goto(f"{live_server.url}/marketing/campaigns/returns/?period=this_month")
    expect(manager.locator("#campaign-returns")).to_contain_text("2026 广州工业博览会")
    expect(manager.locator("#campaign-returns")).to_contain_text("48,000.00")
    assert not manager.js_errors
