"""FIN-1 / FIN-3: receivables, payables, invoices and expenses change status through the
one transition mechanism: a table of allowed moves, a history row per change, a clear
refusal that changes nothing; reasons go to the history, not into descriptions."""

from decimal import Decimal

import pytest

from guanxi.core import transitions
from guanxi.core.errors import Conflict
from guanxi.core.models import StatusChange
from guanxi.customers.services import customer_create
from guanxi.finance import expenses, invoices, services
from guanxi.finance.models import (
    Expense,
    ExpenseCategory,
    ExpenseStatus,
    Invoice,
    InvoiceStatus,
    Payable,
    Receivable,
    ReceivableStatus,
)
from guanxi.purchasing.services import supplier_save
from guanxi.testing.sales import confirmed_order

DEBT = {
    ReceivableStatus.OPEN: {ReceivableStatus.PARTLY_PAID, ReceivableStatus.PAID, ReceivableStatus.CANCELLED},
    ReceivableStatus.PARTLY_PAID: {ReceivableStatus.OPEN, ReceivableStatus.PAID},
    ReceivableStatus.PAID: {ReceivableStatus.OPEN, ReceivableStatus.PARTLY_PAID},
    ReceivableStatus.CANCELLED: set(),
}
ALLOWED = {
    Receivable: DEBT,
    Payable: DEBT,
    Invoice: {
        InvoiceStatus.REQUESTED: {InvoiceStatus.PENDING_APPROVAL, InvoiceStatus.CANCELLED},
        InvoiceStatus.PENDING_APPROVAL: {InvoiceStatus.APPROVED, InvoiceStatus.REJECTED, InvoiceStatus.CANCELLED},
        InvoiceStatus.APPROVED: {InvoiceStatus.ISSUED, InvoiceStatus.CANCELLED},
        InvoiceStatus.ISSUED: {InvoiceStatus.CANCELLED},
        InvoiceStatus.REJECTED: set(),
        InvoiceStatus.CANCELLED: set(),
    },
    Expense: {
        ExpenseStatus.DRAFT: {ExpenseStatus.PENDING_APPROVAL, ExpenseStatus.CANCELLED},
        ExpenseStatus.PENDING_APPROVAL: {ExpenseStatus.APPROVED, ExpenseStatus.REJECTED},
        ExpenseStatus.REJECTED: {ExpenseStatus.DRAFT, ExpenseStatus.PENDING_APPROVAL, ExpenseStatus.CANCELLED},
        ExpenseStatus.APPROVED: set(),
        ExpenseStatus.CANCELLED: set(),
    },
}


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州财务状态客户有限公司")


def _document(model, demo_org, seller, customer):
    if model is Receivable:
        return services.receivable_create(actor=demo_org["zhouhong"], customer=customer, amount="100")
    if model is Payable:
        supplier = supplier_save(actor=demo_org["wuqiang"], name="广州状态供应商")
        return services.payable_create(actor=demo_org["zhouhong"], supplier=supplier, amount="100")
    if model is Invoice:
        order = confirmed_order(seller, customer, ((1, "1000.00"),))
        return invoices.invoice_request(actor=seller, order=order, amount="100", kind="ordinary")
    return expenses.expense_create(actor=seller, category=ExpenseCategory.objects.get(code="travel"), amount="10",
                                   description="出租车")


@pytest.mark.parametrize("model", [Receivable, Payable, Invoice, Expense],
                         ids=["receivable", "payable", "invoice", "expense"])
def test_every_move_is_allowed_or_refused_by_the_table(model, demo_org, seller, customer):
    """FIN-1: table-driven: each (from, to) pair is allowed (history row) or refused (409, nothing changed)."""
    document = _document(model, demo_org, seller, customer)
    actor = demo_org["zhouhong"]
    statuses = [value for value, _label in model._meta.get_field("status").choices]
    for current in statuses:
        for target in statuses:
            model.objects.filter(pk=document.pk).update(status=current)
            before = StatusChange.objects.count()
            if target in ALLOWED[model][current]:
                moved = transitions.transition(document, target, actor, reason="测试", check_permission=False)
                assert moved.status == target == model.objects.get(pk=document.pk).status
                change = StatusChange.objects.latest("pk")
                assert (change.from_status, change.to_status, change.actor) == (current, target, actor)
            else:
                with pytest.raises(transitions.InvalidTransition):
                    transitions.transition(document, target, actor, check_permission=False)
                assert model.objects.get(pk=document.pk).status == current
                assert StatusChange.objects.count() == before


def test_settling_and_cancelling_a_receivable_are_in_its_history(seller, cashier, customer, client_for):
    """FIN-1: receipts settle (open → partly → settled, and back when reversed); a cancel keeps
    its reason in the history and leaves the description alone; the page shows the history."""
    receivable = services.receivable_create(actor=cashier, customer=customer, amount="100", description="服务费")
    receipt = services.receipt_record(actor=cashier, customer=customer, amount="40", allocate="oldest")
    services.allocation_reverse(actor=cashier, allocation=receipt.allocations.get())
    services.receivable_cancel(actor=cashier, receivable=receivable, reason="录入错误")
    receivable.refresh_from_db()
    assert receivable.description == "服务费" and receivable.status == ReceivableStatus.CANCELLED
    rows = transitions.status_history(receivable)
    assert [(r.from_label, r.to_label) for r in rows] == [
        (ReceivableStatus.OPEN.label, ReceivableStatus.PARTLY_PAID.label),
        (ReceivableStatus.PARTLY_PAID.label, ReceivableStatus.OPEN.label),
        (ReceivableStatus.OPEN.label, ReceivableStatus.CANCELLED.label)]
    assert rows[-1].reason == "录入错误" and rows[-1].actor == cashier
    page = client_for(cashier).get(receivable.get_absolute_url()).content.decode()
    assert 'id="status-history"' in page and "录入错误" in page


def test_cancelling_an_invoice_keeps_the_reason_in_the_history(seller, cashier, customer):
    """FIN-1: the invoice's remarks are not appended to; the reason is in the history."""
    order = confirmed_order(seller, customer, ((1, "1000.00"),))
    invoice = invoices.invoice_request(actor=seller, order=order, amount="100", kind="ordinary", notes="月结")
    invoices.invoice_cancel(actor=cashier, invoice=invoice, reason="开错抬头")
    invoice.refresh_from_db()
    assert invoice.notes == "月结" and transitions.status_history(invoice)[-1].reason == "开错抬头"


def test_an_invalid_expense_move_changes_nothing(seller):
    """FIN-3: an approved expense cannot be cancelled."""
    expense = expenses.expense_create(actor=seller, category=ExpenseCategory.objects.get(code="travel"),
                                      amount=Decimal("10"), description="出租车")
    Expense.objects.filter(pk=expense.pk).update(status=ExpenseStatus.APPROVED)
    with pytest.raises(Conflict):
        expenses.expense_cancel(actor=seller, expense=expense)
    assert Expense.objects.get(pk=expense.pk).status == ExpenseStatus.APPROVED
