"""Finance flows in a real browser (issue "Finance and purchasing" acceptance)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.customers.services import customer_create
from guanxi.finance import services
from guanxi.finance.models import Receipt
from guanxi.org import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ledger(transactional_db):
    """A customer with two overdue receivables, 45 and 100 days past due."""
    users = demo.build()
    customer = customer_create(actor=users["liuyang"], name="广州账款测试有限公司")
    today = timezone.localdate()
    older = services.receivable_create(actor=users["zhouhong"], customer=customer, amount="500.00",
                                       issued_on=today - datetime.timedelta(days=130),
                                       due_on=today - datetime.timedelta(days=100), description="旧货款")
    newer = services.receivable_create(actor=users["zhouhong"], customer=customer, amount="800.00",
                                       issued_on=today - datetime.timedelta(days=75),
                                       due_on=today - datetime.timedelta(days=45), description="新货款")
    return {"users": users, "customer": customer, "older": older, "newer": newer}


def _money(text):
    return Decimal(text.replace("¥", "").replace(",", "").strip())


def test_record_a_receipt_across_two_receivables_and_see_the_ageing_change(ledger, page_for, live_server, artifacts):
    """FIN-1 + FIN-4: a receipt allocated by hand across two receivables updates both, and the
    ageing report moves the money out of its buckets."""
    customer, older, newer = ledger["customer"], ledger["older"], ledger["newer"]
    page = page_for("zhouhong")
    page.goto(f"{live_server.url}/finance/ageing/?group=customer")
    row = page.locator(f"#ageing tbody tr[data-key='{customer.pk}']")
    expect(row).to_contain_text("广州账款测试有限公司")
    before = _money(page.locator("#ageing-overdue").inner_text())
    assert before == Decimal("1300.00")

    page.goto(f"{live_server.url}/finance/receipts/new/")
    page.fill("#main input[name=q]", "账款测试")
    page.press("#main input[name=q]", "Enter")
    page.click(".pick-list >> text=广州账款测试有限公司")
    expect(page.locator("#open-items tbody tr")).to_have_count(2)
    page.fill("#id_amount", "700")
    page.check("input[name=allocate][value=manual]")
    page.fill(f"input[name=alloc_{older.pk}]", "500")
    page.fill(f"input[name=alloc_{newer.pk}]", "200")
    page.select_option("#id_method", label="银行转账")
    page.fill("#id_reference", "BK20261201001")
    page.click("#movement-form button[type=submit]")
    expect(page.locator(".toast")).to_contain_text("RC-")
    expect(page.locator("#movement-allocated")).to_contain_text("700.00")
    expect(page.locator("#allocations tbody tr")).to_have_count(2)
    page.screenshot(path=str(artifacts / "finance-receipt.png"), full_page=True)

    page.goto(f"{live_server.url}/finance/receivables/{older.pk}/")
    expect(page.locator("#debt-outstanding")).to_contain_text("0.00")
    expect(page.locator(".page-head .badge")).to_contain_text("已结清")
    page.goto(f"{live_server.url}/finance/receivables/{newer.pk}/")
    expect(page.locator("#debt-outstanding")).to_contain_text("600.00")

    page.goto(f"{live_server.url}/finance/ageing/?group=customer")
    expect(page.locator("#ageing-overdue")).to_contain_text("600.00")
    cells = page.locator(f"#ageing tbody tr[data-key='{customer.pk}'] td")
    assert _money(cells.nth(3).inner_text()) == Decimal("600.00")  # 31–60 days: the newer one's remainder
    assert _money(cells.nth(5).inner_text()) == Decimal("0.00")  # 91–180 days: the older one, settled
    page.screenshot(path=str(artifacts / "finance-ageing.png"), full_page=True)

    receipt = Receipt.objects.get()
    assert receipt.allocated == Decimal("700.00") and receipt.reference == "BK20261201001"
    assert not page.js_errors, page.js_errors


def test_over_allocation_is_refused_on_the_form(ledger, page_for, live_server):
    """FIN-1: allocating more than is outstanding shows the error and records nothing."""
    older = ledger["older"]
    page = page_for("zhouhong")
    page.goto(f"{live_server.url}/finance/receipts/new/?customer={ledger['customer'].pk}")
    page.fill("#id_amount", "900")
    page.check("input[name=allocate][value=manual]")
    page.fill(f"input[name=alloc_{older.pk}]", "900")
    page.click("#movement-form button[type=submit]")
    expect(page.locator(".form-error, .field-error").first).to_contain_text("500")
    assert not Receipt.objects.exists()
    assert not page.js_errors, page.js_errors
