"""Sales flows in a real browser (issue "Sales" acceptance)."""

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from guanxi.approvals.models import ApprovalPolicy, ApprovalStep, ApproverKind
from guanxi.approvals.services import approval_decide, latest_for
from guanxi.core import picklists
from guanxi.customers.services import customer_create
from guanxi.org import demo as org_demo
from guanxi.sales import services
from guanxi.sales.models import (
    LeadStatus,
    Order,
    OrderStatus,
    Quote,
    QuoteStatus,
    Shipment,
    StageKind,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER_NAME = "广州华达电子有限公司"


@pytest.fixture
def demo(transactional_db):
    return org_demo.build()


@pytest.fixture
def customer(demo):
    return customer_create(actor=demo["liuyang"], name=CUSTOMER_NAME)


@pytest.fixture
def display(demo):
    return services.product_save(actor=demo["wangjianguo"], sku="GX-DS100", name="工业显示器", unit="台",
                                 list_price=Decimal("2999.00"))


def _pdf_text(path):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext not found: apt-get install poppler-utils")
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def _column(page, stage):
    return page.locator(f".board-column[data-stage='{stage.pk}']")


def test_convert_a_lead(demo, page_for, live_server):
    """SAL-1: converting a lead makes a customer, a contact and an opportunity in one step."""
    lead = services.lead_create(actor=demo["liuyang"], company="深圳恒通物流有限公司", name="陈经理",
                                title="采购经理", mobile="13800138000")
    page = page_for("liuyang")
    page.goto(f"{live_server.url}/sales/leads/{lead.pk}/")
    expect(page.locator("#id_opportunity_name")).to_have_value("深圳恒通物流有限公司")
    page.fill("#id_opportunity_name", "恒通仓储显示屏项目")
    page.fill("#id_amount", "120000")
    page.click("#convert-form button[type=submit]")

    expect(page.locator(".toast-success")).to_contain_text("已转化为客户、联系人和商机。")
    expect(page.locator("h1")).to_contain_text("恒通仓储显示屏项目")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.customer.name == "深圳恒通物流有限公司"
    assert list(lead.customer.contacts.values_list("name", flat=True)) == ["陈经理"]
    assert lead.opportunity.amount == Decimal("120000") and lead.opportunity.owner == demo["liuyang"]
    assert page.url.endswith(lead.opportunity.get_absolute_url())

    # A converted lead links to what it became and offers no second conversion.
    page.goto(f"{live_server.url}/sales/leads/{lead.pk}/")
    expect(page.locator("#convert-form")).to_have_count(0)
    expect(page.get_by_role("link", name="深圳恒通物流有限公司")).to_be_visible()
    expect(page.get_by_role("link", name="恒通仓储显示屏项目")).to_be_visible()
    assert not page.js_errors, page.js_errors


def test_drag_an_opportunity_across_stages(demo, customer, page_for, live_server, artifacts):
    """SAL-2: dragging a card to another column moves the opportunity and records the
    stage change; a drop on Lost asks for the reason first."""
    opportunity = services.opportunity_create(actor=demo["liuyang"], customer=customer, name="看板拖动项目",
                                              amount=Decimal("50000"))
    stages = list(opportunity.pipeline.stages.order_by("position"))
    lost = next(stage for stage in stages if stage.kind == StageKind.LOST)
    page = page_for("liuyang", width=1600)
    page.goto(f"{live_server.url}/sales/opportunities/")
    card = page.locator(f".card[data-id='{opportunity.pk}']")
    expect(_column(page, stages[0]).locator(card)).to_be_visible()
    expect(_column(page, stages[0]).locator(".column-count")).to_have_text("1")

    # When the card is dragged with the mouse onto 方案报价 (the third column),
    card.drag_to(_column(page, stages[2]))

    # then it sits there, the counts follow the server's answer, and the move is stored.
    expect(_column(page, stages[2]).locator(card)).to_be_visible()
    expect(_column(page, stages[2]).locator(".column-count")).to_have_text("1")
    expect(_column(page, stages[0]).locator(".column-count")).to_have_text("0")
    expect(page.locator(".toast-success")).to_contain_text("✓")
    opportunity.refresh_from_db()
    assert opportunity.stage == stages[2]
    assert [(c.from_stage_id, c.to_stage_id) for c in opportunity.stage_changes.order_by("created_at")] == [
        (None, stages[0].pk), (stages[0].pk, stages[2].pk)]
    page.reload()
    expect(_column(page, stages[2]).locator(card)).to_be_visible()

    # Dropping on 输单 asks why; cancelling leaves the card where it was.
    card.drag_to(_column(page, lost))
    reason_dialog = page.locator("dialog.confirm-dialog[open]")
    expect(reason_dialog).to_contain_text("为什么输单")
    reason_dialog.locator("button[value=cancel]").click()
    expect(reason_dialog).to_have_count(0)
    expect(_column(page, stages[2]).locator(card)).to_be_visible()
    opportunity.refresh_from_db()
    assert opportunity.stage == stages[2] and opportunity.lost_reason is None

    # Choosing a reason moves it to Lost and closes it.
    reason = picklists.items("sales.lost_reason").order_by("position").last()
    card.drag_to(_column(page, lost))
    reason_dialog.locator("select").select_option(str(reason.pk))
    reason_dialog.locator("button[value=ok]").click()
    expect(_column(page, lost).locator(card)).to_be_visible()
    expect(_column(page, lost).locator(".column-count")).to_have_text("1")
    expect(_column(page, stages[2]).locator(".column-count")).to_have_text("0")
    opportunity.refresh_from_db()
    assert opportunity.stage == lost and opportunity.lost_reason == reason and opportunity.closed_at is not None
    page.screenshot(path=str(artifacts / "sales-board.png"), full_page=True)
    assert not page.js_errors, page.js_errors


def test_drag_a_card_with_a_finger(demo, customer, page_for, live_server):
    """SAL-2: on a touch screen, press and hold a card, then drag it to another column."""
    opportunity = services.opportunity_create(actor=demo["liuyang"], customer=customer, name="触屏拖动项目",
                                              amount=Decimal("30000"))
    stages = list(opportunity.pipeline.stages.order_by("position"))
    page = page_for("liuyang", width=1600)
    page.goto(f"{live_server.url}/sales/opportunities/")
    card = page.locator(f".card[data-id='{opportunity.pk}']")
    expect(card).to_be_visible()
    start, end = card.bounding_box(), _column(page, stages[1]).bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    to_x, to_y = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2

    # Chromium's touch input (CDP) gives the page real pointer events of type "touch".
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    page.wait_for_timeout(400)  # the press-and-hold that starts a drag (250 ms)
    expect(card).to_have_class(re.compile(r"\bdragging\b"))
    for step in range(1, 11):
        point = {"x": x + (to_x - x) * step / 10, "y": y + (to_y - y) * step / 10}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    expect(_column(page, stages[1])).to_have_class(re.compile(r"\bdrop-target\b"))
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    expect(_column(page, stages[1]).locator(card)).to_be_visible()
    expect(_column(page, stages[1]).locator(".column-count")).to_have_text("1")
    opportunity.refresh_from_db()
    assert opportunity.stage == stages[1]
    assert not page.js_errors, page.js_errors


def test_quote_entry_pdf_and_accept(demo, customer, display, page_for, live_server, artifacts):
    """SAL-3/SAL-4: a quote typed into the line entry form downloads as a PDF whose text
    holds the Chinese customer name; accepted, it becomes an order with the same lines."""
    page = page_for("liuyang")
    page.goto(f"{live_server.url}/sales/quotes/new/")
    page.select_option("#id_customer", label=CUSTOMER_NAME)
    page.fill("input[name=product_1]", "GX-DS100")
    page.fill("input[name=quantity_1]", "2")
    page.press("input[name=quantity_1]", "Enter")  # Enter jumps to the next row
    expect(page.locator("input[name=product_2]")).to_be_focused()
    page.fill("input[name=description_2]", "安装调试服务")
    page.fill("input[name=quantity_2]", "1")
    page.fill("input[name=price_2]", "800")
    # 2 × 2999.00 + 13% tax = 6777.74, 1 × 800.00 + 13% = 904.00, computed on the server.
    expect(page.locator("#totals .grand-total")).to_have_attribute("data-total", "7681.74")
    page.press("input[name=price_2]", "Control+Enter")

    expect(page.locator(".toast-success")).to_be_visible()
    quote = Quote.objects.get(customer=customer)
    expect(page.locator("h1")).to_contain_text(quote.number)
    assert quote.total == Decimal("7681.74") and quote.status == QuoteStatus.DRAFT
    assert [(line.product_id, line.description, line.quantity) for line in quote.lines.order_by("position")] == [
        (display.pk, "工业显示器", Decimal("2")), (None, "安装调试服务", Decimal("1"))]

    # No discount beyond the limit: submitting approves it at once.
    page.click("form[action$='/submit/'] button")
    expect(page.locator("h1 .badge")).to_have_text("已批准")
    with page.expect_download() as download_info:
        page.click("#quote-pdf")
    download = download_info.value
    assert download.suggested_filename == f"{quote.number}-v1.pdf"
    text = _pdf_text(download.path())
    assert CUSTOMER_NAME in text and quote.number in text, text
    page.screenshot(path=str(artifacts / "sales-quote.png"), full_page=True)

    # Accepting asks for confirmation, then makes the order.
    page.click("form[action$='/accept/'] button")
    page.locator("#confirm-dialog button[value=ok]").click()
    expect(page.locator(".toast-success")).to_contain_text("已接受，订单已生成。")
    order = Order.objects.get(quote=quote)
    expect(page.locator("h1")).to_contain_text(order.number)
    expect(page.locator(".doc-lines tbody tr")).to_have_count(2)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert order.total == quote.total and order.customer == customer
    assert not page.js_errors, page.js_errors


def test_ship_part_of_an_order_and_see_the_remainder(demo, customer, display, page_for, live_server, artifacts):
    """SAL-5: the sales assistant ships part of an approved order and sees what remains;
    shipping more than remains is refused and changes nothing."""
    # Given an order from an accepted quote whose contract the sales manager approved,
    seller = demo["liuyang"]
    policy = ApprovalPolicy.objects.create(doc_type="sales.contract", name="合同审批")
    ApprovalStep.objects.create(policy=policy, position=1, name="经理", approver_kind=ApproverKind.MANAGER)
    quote = services.quote_create(actor=seller, customer=customer, lines=[
        {"product": display, "quantity": 5}, {"description": "安装调试服务", "quantity": 3,
                                              "unit_price": Decimal("800")}])
    quote = services.quote_submit(actor=seller, quote=quote)
    order = services.order_confirm(actor=seller, order=services.quote_accept(actor=seller, quote=quote))
    assert order.status == OrderStatus.PENDING_APPROVAL
    approval_decide(actor=demo["wangjianguo"], request=latest_for("sales.contract", order.pk), approve=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    displays, service_line = order.lines.order_by("position")

    # when the sales assistant ships 2 of the 5 displays,
    page = page_for("huangli")
    page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    page.fill(f"input[name=ship_{displays.pk}]", "2")
    page.fill("#ship-form input[name=notes]", "第一批")
    page.click("#ship-form button[type=submit]")

    # then the shipping note lists them,
    shipment = Shipment.objects.get(order=order)
    expect(page.locator(".toast-success")).to_contain_text(f"发货单 {shipment.number} 已生成。")
    expect(page.locator("h1")).to_contain_text(shipment.number)
    expect(page.locator(".print-sheet tbody tr")).to_have_count(1)
    expect(page.locator(".print-sheet tbody")).to_contain_text("2 台")

    # and the order shows what remains.
    page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    expect(page.locator("h1 .badge")).to_have_text("部分发货")
    expect(page.locator(f".remaining[data-line='{displays.pk}']")).to_have_text("3")
    expect(page.locator(f".remaining[data-line='{service_line.pk}']")).to_have_text("3")
    expect(page.locator("#ship-form tbody tr", has_text="工业显示器").locator("td").nth(1)).to_have_text("3")
    page.screenshot(path=str(artifacts / "sales-order-partly-shipped.png"), full_page=True)

    # Shipping more than remains is refused and changes nothing.
    page.fill(f"input[name=ship_{displays.pk}]", "4")
    page.click("#ship-form button[type=submit]")
    expect(page.locator(".toast-error")).to_contain_text("仅剩 3 未发。")
    expect(page.locator(f".remaining[data-line='{displays.pk}']")).to_have_text("3")
    assert Shipment.objects.filter(order=order).count() == 1
    displays.refresh_from_db()
    assert displays.shipped_quantity == Decimal("2") and displays.remaining == Decimal("3")
    assert not page.js_errors, page.js_errors
