"""FIN-3 expenses, FIN-1 invoices and payment plans, FIN-6…9 statistics and profit."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guanxi.approvals.models import ApprovalRequest
from guanxi.approvals.services import approval_decide
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.customers.services import customer_create
from guanxi.finance import expenses, invoices, services
from guanxi.finance.models import (
    ExpenseCategory,
    ExpenseStatus,
    InvoiceStatus,
    Receivable,
    ReceivableStatus,
)
from guanxi.finance.statistics import expenses_by, money_by, profit, receivable_position
from guanxi.sales import services as sales
from guanxi.testing.sales import confirmed_order

TODAY = timezone.localdate()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州开票客户有限公司")


@pytest.fixture
def travel(db):
    """Seeded after migrate with the other default categories."""
    return ExpenseCategory.objects.get(code="travel")


def test_expense_with_receipt_approved_by_the_manager(seller, travel, demo_org):
    """FIN-3: an expense with a receipt image goes to the manager, who approves it."""
    expense = expenses.expense_create(actor=seller, category=travel, amount="356.50", description="北京出差高铁票")
    expenses.expense_attach(actor=seller, expense=expense, upload=SimpleUploadedFile("票.png", PNG, "image/png"))
    expenses.expense_submit(actor=seller, expense=expense)
    request = ApprovalRequest.objects.get(doc_type="finance.expense", object_id=expense.pk)
    approval_decide(actor=demo_org["wangjianguo"], request=request, approve=True)
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.APPROVED and expense.department == seller.department
    with pytest.raises(Conflict):
        expenses.expense_update(actor=seller, expense=expense, amount="1")


@pytest.mark.parametrize("name,content,kind", [
    ("fake.png", b"MZ\x90\x00 this is an exe", "image/png"), ("empty.pdf", b"", "application/pdf"),
    ("page.html", b"<script>alert(1)</script>", "image/png"), ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf"),
])
def test_attachments_are_checked_by_content_and_size(seller, travel, name, content, kind):
    """FIN-3 + SECURITY: type read from the bytes, size limited; refused files leave nothing behind."""
    expense = expenses.expense_create(actor=seller, category=travel, amount="10", description="出租车")
    with pytest.raises(ValidationFailed):
        expenses.expense_attach(actor=seller, expense=expense, upload=SimpleUploadedFile(name, content, kind))
    assert not expense.attachments.exists()


def test_pdf_attachment_downloads_only_in_scope(seller, travel, demo_org, client_for):
    """FIN-3 + ORG-3: the receipt file opens for its owner and managers, 404 for others."""
    expense = expenses.expense_create(actor=seller, category=travel, amount="88", description="打印资料")
    attachment = expenses.expense_attach(actor=seller, expense=expense,
                                         upload=SimpleUploadedFile("发票.pdf", PDF, "application/pdf"))
    own = client_for(seller).get(f"/finance/attachments/{attachment.pk}/")
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert "sandbox" in own["Content-Security-Policy"]
    assert client_for(demo_org["zhuwei"]).get(f"/finance/attachments/{attachment.pk}/").status_code == 404
    page = client_for(seller).get("/finance/expenses/").content.decode()
    assert expense.number in page
    assert expense.number not in client_for(demo_org["zhuwei"]).get("/finance/expenses/").content.decode()


def test_invoice_request_approval_issue_and_cap(seller, customer, demo_org):
    """FIN-1: invoices requested, approved by finance, recorded as issued; never beyond the order."""
    order = confirmed_order(seller, customer, ((1, "10000.00"),))
    with pytest.raises(ValidationFailed):
        invoices.invoice_request(actor=seller, order=order, amount="5000", kind="special")  # no tax ID
    invoice = invoices.invoice_request(actor=seller, order=order, amount="6000", kind="special",
                                       buyer_tax_id="91440101MA5ABCDE1X")
    assert invoice.status == InvoiceStatus.PENDING_APPROVAL
    with pytest.raises(ValidationFailed):
        invoices.invoice_request(actor=seller, order=order, amount="4000.01", kind="ordinary")
    request = ApprovalRequest.objects.get(doc_type="finance.invoice", object_id=invoice.pk)
    approval_decide(actor=demo_org["zhouhong"], request=request, approve=True)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.APPROVED
    invoices.invoice_issue(actor=demo_org["zhouhong"], invoice=invoice, invoice_number="44001234")
    with pytest.raises(Conflict):
        invoices.invoice_issue(actor=demo_org["zhouhong"], invoice=invoice, invoice_number="44001235")
    from guanxi.finance.selectors import customer_position

    assert customer_position(demo_org["zhouhong"], customer)["invoiced"] == Decimal("6000.00")


def test_payment_plan_drives_receivables(seller, customer, demo_org):
    """FIN-1: a contract's instalments become receivables with their due dates; the plan must add up."""
    order = sales.order_create(actor=seller, customer=customer, lines=[
        {"description": "设备", "quantity": Decimal("1"), "unit_price": Decimal("9000"), "tax_rate": Decimal("0")}])
    first, second = TODAY + datetime.timedelta(days=10), TODAY + datetime.timedelta(days=70)
    with pytest.raises(ValidationFailed):
        invoices.payment_plan_set(actor=seller, order=order, instalments=[(first, "3000", "首付"), (second, "5000", "")])
    invoices.payment_plan_set(actor=seller, order=order, instalments=[(first, "3000", "首付"), (second, "6000", "尾款")])
    sales.order_confirm(actor=seller, order=order)
    receivables = list(Receivable.objects.filter(order=order).order_by("due_on"))
    assert [(r.due_on, r.amount) for r in receivables] == [(first, Decimal("3000.00")), (second, Decimal("6000.00"))]
    services.receipt_record(actor=demo_org["zhouhong"], customer=customer, amount="3000")
    with pytest.raises(Conflict):
        invoices.payment_plan_set(actor=seller, order=order, instalments=[(first, "9000", "")])


def test_a_plan_after_confirmation_replaces_the_order_receivable(seller, customer):
    """FIN-1: an order's single receivable is replaced (kept, cancelled) by its instalments."""
    order = confirmed_order(seller, customer, ((1, "1000.00"),))
    invoices.payment_plan_set(actor=seller, order=order, instalments=[(TODAY, "400", ""), (TODAY, "600", "")])
    live = Receivable.objects.filter(order=order).exclude(status=ReceivableStatus.CANCELLED)
    assert sorted(r.amount for r in live) == [Decimal("400.00"), Decimal("600.00")]
    assert Receivable.objects.filter(order=order, status=ReceivableStatus.CANCELLED).count() == 1


def test_statistics_and_profit_per_branch(seller, customer, travel, demo_org):
    """FIN-6…9: money by method, person and month; expenses by category; profit = received − paid − expenses."""
    from guanxi.core import picklists
    from guanxi.purchasing.services import supplier_save

    head = demo_org["zhouhong"]
    wechat = picklists.items("finance.payment_method").get(code="wechat")
    services.receipt_record(actor=head, customer=customer, amount="5000", method=wechat, allocate=None)
    services.receipt_record(actor=head, customer=customer, amount="1000", allocate=None)
    supplier = supplier_save(actor=demo_org["wuqiang"], name="广州供应商")
    services.payment_record(actor=head, supplier=supplier, amount="1200", allocate=None)
    expense = expenses.expense_create(actor=seller, category=travel, amount="300", description="差旅")
    expenses.expense_submit(actor=seller, expense=expense)
    approval_decide(actor=demo_org["wangjianguo"], request=ApprovalRequest.objects.get(object_id=expense.pk,
                                                                                       doc_type="finance.expense"),
                    approve=True)
    start, end = TODAY.replace(day=1), TODAY + datetime.timedelta(days=1)
    by_method = dict(money_by(head, side="in", start=start, end=end, group="method"))
    assert by_method["微信支付"] == Decimal("5000.00") and by_method["—"] == Decimal("1000.00")
    assert dict(money_by(head, side="in", start=start, end=end, group="owner")) == {seller.display_name: Decimal(
        "6000.00")}
    assert dict(money_by(head, side="out", start=start, end=end, group="month")) == {
        TODAY.strftime("%Y-%m"): Decimal("1200.00")}
    assert dict(expenses_by(head, start=start, end=end, group="category")) == {"销售费用": Decimal("300.00")}
    assert dict(expenses_by(head, start=start, end=end, group="item")) == {"销售费用 / 差旅费": Decimal("300.00")}
    tables, whole = profit(head, start=start, end=end)
    assert [t.branch.name for t in tables] == ["广州总部"]
    assert whole.profit == Decimal("4500.00") and tables[0].months[-1].profit == Decimal("4500.00")
    beijing_tables, beijing = profit(demo_org["gaoyan"], start=start, end=end)
    assert beijing.profit == 0 and not beijing_tables
    confirmed_order(seller, customer, ((1, "2000.00"),))
    [position] = receivable_position(head, end=end)
    assert position["amount"] == Decimal("2000.00") and position["remaining"] == Decimal("2000.00")


def test_finance_pages(seller, customer, travel, demo_org, client_for):
    """FIN-6…9 screens render with charts and export; a salesperson is refused."""
    head = client_for(demo_org["zhouhong"])
    services.receipt_record(actor=demo_org["zhouhong"], customer=customer, amount="10", allocate=None)
    for url in ("/finance/statistics/?what=in&group=month", "/finance/statistics/?what=out&group=method",
                "/finance/statistics/?what=expenses&group=category&period=this_year", "/finance/profit/",
                "/finance/payables/", "/finance/payments/", "/finance/invoices/", "/finance/expenses/",
                "/finance/expenses/new/", "/finance/payments/new/", "/finance/payables/new/"):
        assert head.get(url).status_code == 200, url
    assert head.get("/finance/profit/?export=xlsx")["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for(seller).get("/finance/profit/").status_code == 403
    assert client_for(seller).get("/finance/expenses/new/").status_code == 200
