"""PUR-1…3: suppliers, purchase orders, goods receipts making payables; FIN-2 payments."""

import subprocess
import tempfile
from decimal import Decimal

import pytest

from guanxi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from guanxi.finance import services as finance
from guanxi.finance.models import Payable, Payment
from guanxi.purchasing import services
from guanxi.purchasing.models import PurchaseStatus, Supplier


@pytest.fixture
def buyer(demo_org):
    return demo_org["wuqiang"]  # purchaser, Guangzhou


@pytest.fixture
def supplier(buyer):
    return services.supplier_save(actor=buyer, name="东莞精密电子有限公司", payment_days=45, email="sales@dg.example")


def _placed(buyer, supplier, lines=((10, "100.00"), (4, "250.00"))):
    order = services.purchase_order_create(actor=buyer, supplier=supplier, lines=[
        {"description": f"料{i}", "quantity": Decimal(q), "unit_price": Decimal(p), "tax_rate": Decimal("0.13")}
        for i, (q, p) in enumerate(lines)])
    return services.purchase_order_place(actor=buyer, order=order)


def test_partial_goods_receipts_make_payables_and_never_exceed_the_order(buyer, supplier):
    """PUR-3: goods receipts from the order, partly, remaining tracked; each makes a payable (FIN-2)."""
    order = _placed(buyer, supplier)
    assert order.total == Decimal("2260.00")
    first, second = order.lines.order_by("position")
    receipt = services.goods_receipt_create(actor=buyer, order=order, quantities={first.pk: "4"})
    order.refresh_from_db()
    first.refresh_from_db()
    assert order.status == PurchaseStatus.PARTLY_RECEIVED and first.remaining == Decimal("6")
    payable = Payable.objects.get(goods_receipt=receipt)
    assert payable.amount == Decimal("452.00") and (payable.due_on - payable.issued_on).days == 45
    with pytest.raises(ValidationFailed):
        services.goods_receipt_create(actor=buyer, order=order, quantities={first.pk: "7"})
    services.goods_receipt_create(actor=buyer, order=order, quantities={first.pk: "6", second.pk: "4"})
    order.refresh_from_db()
    assert order.status == PurchaseStatus.RECEIVED
    assert sum(p.amount for p in Payable.objects.filter(purchase_order=order)) == order.total
    with pytest.raises(Conflict):
        services.goods_receipt_create(actor=buyer, order=order, quantities={first.pk: "1"})


def test_payments_settle_payables_oldest_first_and_reverse(buyer, supplier, demo_org):
    """FIN-2: payments write payables off like receipts do receivables; reversal, never deletion."""
    order = _placed(buyer, supplier, ((1, "1000.00"),))
    line = order.lines.get()
    services.goods_receipt_create(actor=buyer, order=order, quantities={line.pk: "1"})
    cashier = demo_org["zhouhong"]
    payment = finance.payment_record(actor=cashier, supplier=supplier, amount="1500", allocate="oldest")
    payable = Payable.objects.get()
    assert payable.allocated == Decimal("1130.00") and payable.status == "paid"
    assert payment.allocated == Decimal("1130.00") and payment.unallocated == Decimal("370.00")
    reversal = finance.payment_reverse(actor=cashier, payment=payment, reason="重复付款")
    payable.refresh_from_db()
    assert payable.allocated == 0 and reversal.amount == Decimal("-1500.00") and Payment.objects.count() == 2
    with pytest.raises(Conflict):
        finance.payment_reverse(actor=cashier, payment=reversal, reason="x")


def test_scope_and_permissions(buyer, supplier, demo_org):
    """ORG-3: Shanghai's purchaser cannot see a Guangzhou supplier; a salesperson cannot buy."""
    with pytest.raises(NotFound):
        services.purchase_order_create(actor=demo_org["dengchao"], supplier=supplier,
                                       lines=[{"description": "x", "quantity": 1, "unit_price": Decimal("1")}])
    with pytest.raises(Forbidden):
        services.supplier_save(actor=demo_org["liuyang"], name="不该有的供应商")
    with pytest.raises(ValidationFailed):
        services.purchase_order_create(actor=buyer, supplier=supplier, lines=[{"description": "无价", "quantity": 1}])
    assert Supplier.objects.count() == 1


def test_cancel_and_delete_rules(buyer, supplier, demo_org):
    """PUR-2: cancelled with a reason unless goods came; a supplier with open orders stays."""
    order = _placed(buyer, supplier, ((1, "10.00"),))
    manager = demo_org["linhui"]
    with pytest.raises(Conflict):
        services.supplier_delete(actor=manager, supplier=supplier)
    with pytest.raises(Forbidden):
        services.supplier_delete(actor=buyer, supplier=supplier)
    with pytest.raises(ValidationFailed):
        services.purchase_order_cancel(actor=buyer, order=order, reason=" ")
    services.purchase_order_cancel(actor=buyer, order=order, reason="供应商缺货")
    order.refresh_from_db()
    assert order.status == PurchaseStatus.CANCELLED
    services.supplier_delete(actor=manager, supplier=supplier)
    assert not Supplier.objects.filter(pk=supplier.pk).exists() and Supplier.all_objects.filter(pk=supplier.pk).exists()


def test_screens_pdf_excel_and_email(buyer, supplier, client_for, mailoutbox, django_capture_on_commit_callbacks):
    """PUR-2: the entry form, the printed PDF with Chinese text, Excel and e-mail to the supplier."""

    client = client_for(buyer)
    response = client.post("/purchasing/orders/new/", {"supplier": supplier.pk, "description_1": "光电传感器",
                                                         "quantity_1": "100", "price_1": "12.50"})
    assert response.status_code == 302
    order = supplier.purchase_orders.get()
    assert order.total == Decimal("1412.50")
    pdf = client.get(f"/purchasing/orders/{order.pk}/file.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf.content)
        handle.flush()
        text = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, text=True,  # noqa: S603, S607
                              check=False).stdout
    if text:  # pdftotext is installed in CI (poppler-utils)
        assert "东莞精密电子有限公司" in text
    xlsx = client.get(f"/purchasing/orders/{order.pk}/file.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/purchasing/orders/{order.pk}/email/", {"to": "sales@dg.example"})
    assert sent.status_code == 302
    assert mailoutbox[0].to == ["sales@dg.example"] and mailoutbox[0].attachments[0][2] == "application/pdf"
    order.refresh_from_db()
    assert order.status == PurchaseStatus.ORDERED
    line = order.lines.get()
    received = client.post(f"/purchasing/orders/{order.pk}/receive/", {f"receive_{line.pk}": "40"})
    assert received.status_code == 302
    detail = client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert f'data-line="{line.pk}">40<' in detail
    assert client.get(f"/purchasing/suppliers/{supplier.pk}/").status_code == 200


def test_supplier_page_shows_money_only_to_who_may_see_it(buyer, supplier, demo_org, client_for):
    """PUR-1, FIN-2: finance adds the supplier's money to the supplier page through a panel
    (purchasing does not import finance); a purchaser without finance rights sees neither
    the figures nor a "Record a payment" button that would answer 403."""
    page = client_for(buyer).get(f"/purchasing/suppliers/{supplier.pk}/").content.decode()
    assert 'id="position"' not in page and "/finance/payments/new/" not in page
    page = client_for(demo_org["linhui"]).get(f"/purchasing/suppliers/{supplier.pk}/").content.decode()
    assert 'id="position-outstanding"' in page
    assert f"/finance/payments/new/?supplier={supplier.pk}" in page
