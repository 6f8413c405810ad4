"""Loyalty in a real browser (MKT-6): a customer's receipt earns points, a user redeems
points on the customer's order, and the order, the member page and the ledger show it."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from guanxi.customers.services import customer_create
from guanxi.finance import services as finance
from guanxi.marketing.models.loyalty import MemberTier
from guanxi.marketing.services import loyalty
from guanxi.org import demo
from guanxi.sales import services as sales

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def loyal(transactional_db):
    users = demo.build()
    MemberTier.objects.create(name="普通会员", position=0)
    customer = customer_create(actor=users["liuyang"], name="广州积分测试有限公司")
    member = loyalty.member_enroll(actor=users["linhui"], customer=customer)
    # committed for real (transactional test): the receipt_recorded signal earns the points
    finance.receipt_record(actor=users["zhouhong"], customer=customer, amount=Decimal("1234.56"), allocate=None)
    order = sales.order_create(actor=users["liuyang"], customer=customer, lines=[
        {"description": "净水器", "quantity": Decimal("1"), "unit_price": Decimal("1000"), "tax_rate": Decimal("0")}])
    return {"member": member, "order": order, "customer": customer}


def test_receipt_earns_points_and_points_are_redeemed_on_an_order(loyal, page_for, live_server):
    """MKT-6: ¥1,234.56 received → 123 points; 100 redeemed on the order → ¥10.00 off; the
    balance (23) and the ledger show both."""
    member, order = loyal["member"], loyal["order"]
    page = page_for("linhui")
    page.goto(f"{live_server.url}{loyal['customer'].get_absolute_url()}")
    expect(page.locator("body")).to_contain_text(member.number)
    page.goto(f"{live_server.url}/marketing/members/{member.pk}/")
    expect(page.locator("#points-balance")).to_have_text("123")

    page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    page.fill("#points-form input[name=points]", "100")
    page.click("#points-form button[type=submit]")
    page.locator("#confirm-dialog button[value=ok]").click()
    expect(page.locator("#adjustment-total")).to_contain_text("10.00")
    expect(page.locator("#adjustments")).to_contain_text("100")

    page.goto(f"{live_server.url}/marketing/members/{member.pk}/")
    expect(page.locator("#points-balance")).to_have_text("23")
    expect(page.locator("#ledger tbody tr")).to_have_count(2)
    expect(page.locator("#ledger")).to_contain_text("-100")
    assert not page.js_errors
