"""Issue 11 acceptance: from the customer to the money and back, in a real browser.

A salesperson opens a customer, starts an opportunity there, a quote from the
opportunity, accepts it into an order and confirms the order; the opportunity is won;
the customer page shows all of them and the receivable; cancelling the order cancels
its receivable, shown as cancelled. Screenshots: build/screenshots/acceptance-*.png."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from guanxi.customers.services import customer_create
from guanxi.finance.models import Receivable, ReceivableStatus
from guanxi.org import demo as org_demo
from guanxi.sales import services
from guanxi.sales.models import Opportunity, Order, OrderStatus, Quote, StageKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return org_demo.build()


def test_customer_to_order_to_receivable_and_cancel(demo, page_for, live_server, artifacts):
    """Issue 11: opportunity → quote → order → receivable, linked and shown; cancel follows through."""
    customer = customer_create(actor=demo["liuyang"], name="广州验收电子有限公司")
    services.product_save(actor=demo["wangjianguo"], sku="GX-AC100", name="工业显示器", unit="台",
                          list_price=Decimal("2999.00"))
    page = page_for("liuyang")

    # The salesperson opens the customer and starts an opportunity there.
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.locator("#section-opportunities").get_by_role("link", name="新建商机").click()
    expect(page.locator("#id_customer")).to_have_value(str(customer.pk))
    page.fill("#id_name", "验收显示屏项目")
    page.fill("#id_amount", "6000")
    page.click(".record-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("验收显示屏项目")
    opportunity = Opportunity.objects.get(customer=customer)
    page.screenshot(path=str(artifacts / "acceptance-1-opportunity.png"), full_page=True)

    # A quote from the opportunity: linked to it.
    page.click(f"a[href*='opportunity={opportunity.pk}'][href*='/quotes/new/']")
    page.fill("input[name=product_1]", "GX-AC100")
    page.fill("input[name=quantity_1]", "2")
    expect(page.locator("#totals .grand-total")).to_have_attribute("data-total", "6777.74")
    page.click("#save-document")
    expect(page.locator(".toast-success")).to_be_visible()
    quote = Quote.objects.get(customer=customer)
    expect(page.locator("h1")).to_contain_text(quote.number)
    assert quote.opportunity_id == opportunity.pk
    expect(page.get_by_role("link", name="验收显示屏项目")).to_be_visible()
    page.click("form[action$='/submit/'] button")
    expect(page.locator("h1 .badge")).to_have_text("已批准")
    page.screenshot(path=str(artifacts / "acceptance-2-quote.png"), full_page=True)

    # Accepted, the quote becomes an order; the salesperson confirms it.
    page.click("form[action$='/accept/'] button")
    page.locator("#confirm-dialog button[value=ok]").click()
    expect(page.locator(".toast-success")).to_contain_text("已接受，订单已生成。")
    order = Order.objects.get(quote=quote)
    expect(page.locator("h1")).to_contain_text(order.number)
    page.click("form[action$='/confirm/'] button")
    expect(page.locator("h1 .badge")).to_have_text("已确认")
    receivable = Receivable.objects.get(order=order)
    expect(page.locator(f"a[href='{receivable.get_absolute_url()}']")).to_be_visible()
    expect(page.locator("#status-history")).to_contain_text("已确认")
    page.screenshot(path=str(artifacts / "acceptance-3-order.png"), full_page=True)

    # The opportunity is won (the branch's default: on the confirmed order) and lists both.
    page.goto(f"{live_server.url}{opportunity.get_absolute_url()}")
    expect(page.locator("h1 .badge")).to_have_text("赢单")
    expect(page.locator(f"a[href='{quote.get_absolute_url()}']")).to_be_visible()
    expect(page.locator(f"a[href='{order.get_absolute_url()}']")).to_be_visible()
    assert Opportunity.objects.get(pk=opportunity.pk).stage.kind == StageKind.WON

    # The customer page shows the opportunity, the quote, the order and the receivable.
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("#section-opportunities")).to_contain_text("验收显示屏项目")
    expect(page.locator("#section-quotes")).to_contain_text(quote.number)
    expect(page.locator("#section-orders")).to_contain_text(order.number)
    expect(page.locator("#section-receivables")).to_contain_text(receivable.number)
    page.screenshot(path=str(artifacts / "acceptance-4-customer.png"), full_page=True)

    # Cancelling the order cancels its receivable, shown as cancelled.
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    page.fill("#cancel-form input[name=reason]", "客户取消采购")
    page.click("#cancel-form button")
    expect(page.locator("h1 .badge")).to_have_text("已取消")
    expect(page.locator("#status-history")).to_contain_text("客户取消采购")
    expect(page.locator(f"li:has(a[href='{receivable.get_absolute_url()}'])")).to_contain_text("已取消")
    page.screenshot(path=str(artifacts / "acceptance-5-cancelled-order.png"), full_page=True)
    page.goto(f"{live_server.url}{receivable.get_absolute_url()}")
    expect(page.locator("h1 .badge")).to_have_text("已取消")
    expect(page.locator("#status-history")).to_contain_text("客户取消采购")
    page.screenshot(path=str(artifacts / "acceptance-6-cancelled-receivable.png"), full_page=True)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("#section-receivables")).not_to_contain_text(receivable.number)  # nothing owed now
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert Receivable.objects.get(pk=receivable.pk).status == ReceivableStatus.CANCELLED
    assert not page.js_errors, page.js_errors
