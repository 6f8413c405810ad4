"""Reads of money records; every one through the scope helper."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from guanxi.core.numbering import number_q
from guanxi.core.search import hits_from, matching, money_text
from guanxi.customers.models import Customer
from guanxi.org.scopes import get_scoped, scoped

from .models import (
    Allocation,
    Expense,
    ExpenseStatus,
    Invoice,
    InvoiceStatus,
    Payable,
    Payment,
    PaymentAllocation,
    Receipt,
    Receivable,
    ReceivableStatus,
)

if TYPE_CHECKING:
    from guanxi.org.models import User
    from guanxi.purchasing.models import Supplier


ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)


def receivables_visible_to(user: User) -> QuerySet[Receivable]:
    return scoped(Receivable.objects.prefetch_related("customer", "owner"), user)


def receivable_get(user: User, pk: int) -> Receivable:
    return get_scoped(Receivable.objects.select_related("customer", "owner", "branch", "order", "shipment"),
                      user, pk=pk)


def receipts_visible_to(user: User) -> QuerySet[Receipt]:
    return scoped(Receipt.objects.prefetch_related("customer", "owner", "method"), user)


def receipts_received_between(user: User, start: datetime.date, end: datetime.date) -> QuerySet[Receipt]:
    """Receipts dated in [start, end) that the user may see (targets' money received, SAL-8)."""
    return scoped(Receipt.objects.filter(received_on__gte=start, received_on__lt=end), user)


def receipt_get(user: User, pk: int) -> Receipt:
    return get_scoped(Receipt.objects.select_related("customer", "owner", "branch", "method", "reverses"),
                      user, pk=pk)


def payables_visible_to(user: User) -> QuerySet[Payable]:
    return scoped(Payable.objects.prefetch_related("supplier", "owner"), user)


def payable_get(user: User, pk: int) -> Payable:
    return get_scoped(Payable.objects.select_related("supplier", "owner", "branch", "purchase_order",
                                                     "goods_receipt"), user, pk=pk)


def payments_visible_to(user: User) -> QuerySet[Payment]:
    return scoped(Payment.objects.prefetch_related("supplier", "owner", "method"), user)


def payment_get(user: User, pk: int) -> Payment:
    return get_scoped(Payment.objects.select_related("supplier", "owner", "branch", "method", "reverses"),
                      user, pk=pk)


def allocations_of(movement: Any) -> QuerySet[Allocation] | QuerySet[PaymentAllocation]:
    model = Allocation if isinstance(movement, Receipt) else PaymentAllocation
    link = "receipt" if isinstance(movement, Receipt) else "payment"
    debt = "receivable" if isinstance(movement, Receipt) else "payable"
    return model.objects.filter(**{link: movement}).select_related(debt).order_by("created_at", "pk")


def allocations_of_debt(debt: Any) -> QuerySet[Allocation] | QuerySet[PaymentAllocation]:
    model = Allocation if isinstance(debt, Receivable) else PaymentAllocation
    link = "receivable" if isinstance(debt, Receivable) else "payable"
    movement = "receipt" if isinstance(debt, Receivable) else "payment"
    return model.objects.filter(**{link: debt}).select_related(movement).order_by("created_at", "pk")


def open_debts_of(user: User, party: Any) -> Any:
    """The party's debts with money outstanding, oldest due first."""

    if isinstance(party, Customer):
        queryset = receivables_visible_to(user).filter(customer=party)
    else:
        queryset = payables_visible_to(user).filter(supplier=party)  # type: ignore[assignment]
    return queryset.filter(allocated__lt=F("amount")).exclude(status=ReceivableStatus.CANCELLED).order_by(
        "due_on", "pk")


def received_in(user: User, start: datetime.date, end: datetime.date) -> QuerySet[Receipt]:
    """Receipts and reversals dated in [start, end) that the user may see: their amounts
    sum to the money received, net of reversals."""
    return scoped(Receipt.objects.filter(received_on__gte=start, received_on__lt=end), user)


def received_by(user: User, start: datetime.date, end: datetime.date, key: str) -> dict[Any, Any]:
    """{key value: net amount received} for ``key`` in owner_id, owner__department_id, branch_id."""
    rows = received_in(user, start, end).order_by().values(key).annotate(
        total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY))
    return {row[key]: row["total"] for row in rows}


def _position(debts: Any, movements: Any) -> dict[Any, Any]:
    debts = debts.exclude(status=ReceivableStatus.CANCELLED)
    totals = debts.order_by().aggregate(
        amount=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY),
        allocated=Coalesce(Sum("allocated"), Value(ZERO), output_field=MONEY))
    credit = movements.filter(kind="receipt", reversed_by__isnull=True).order_by().aggregate(
        credit=Coalesce(Sum(F("amount") - F("allocated")), Value(ZERO), output_field=MONEY))["credit"]
    return {"receivable": totals["amount"], "received": totals["allocated"],
            "outstanding": totals["amount"] - totals["allocated"], "credit": credit}


def customer_position(user: User, customer: Customer) -> Any:
    """What the customer owes, has paid, holds as credit and has been invoiced."""
    position = _position(receivables_visible_to(user).filter(customer=customer),
                         receipts_visible_to(user).filter(customer=customer))
    position["invoiced"] = scoped(Invoice.objects.filter(customer=customer, status=InvoiceStatus.ISSUED),
                                  user).aggregate(t=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY))["t"]
    return position


def supplier_position(user: User, supplier: Supplier) -> Any:
    """What we owe the supplier, have paid, and paid in advance (the same keys as customers')."""
    return _position(payables_visible_to(user).filter(supplier=supplier),
                     payments_visible_to(user).filter(supplier=supplier))


def expenses_visible_to(user: User) -> QuerySet[Expense]:
    return scoped(Expense.objects.prefetch_related("category__parent", "owner"), user)


def expense_get(user: User, pk: int) -> Expense:
    return get_scoped(Expense.objects.select_related("category__parent", "owner", "branch", "department"),
                      user, pk=pk)


def expenses_total_of(user: User, start: datetime.date, end: datetime.date) -> Any:
    """A person's approved expenses dated in [start, end) (for their pay statement, SAL-9)."""
    return Expense.objects.filter(owner=user, status=ExpenseStatus.APPROVED, spent_on__gte=start,
                                  spent_on__lt=end).aggregate(t=Coalesce(Sum("amount"), Value(ZERO),
                                                                         output_field=MONEY))["t"]


def invoices_visible_to(user: User) -> QuerySet[Invoice]:
    return scoped(Invoice.objects.prefetch_related("order", "customer", "owner"), user)


def invoice_get(user: User, pk: int) -> Invoice:
    return get_scoped(Invoice.objects.select_related("order", "customer", "owner", "branch"), user, pk=pk)


def receivables_of_customer(user: User, customer: Customer) -> QuerySet[Receivable]:
    """The customer's receivables in the user's scope, cancelled ones left out."""
    return scoped(Receivable.objects.filter(customer=customer).exclude(status=ReceivableStatus.CANCELLED),
                  user).order_by("due_on", "pk")


def receipts_of_customer(user: User, customer: Customer) -> QuerySet[Receipt]:
    """The customer's receipts and reversals in the user's scope, newest first."""
    return scoped(Receipt.objects.filter(customer=customer).select_related("method"), user).order_by(
        "-received_on", "-pk")


def invoices_of_customer(user: User, customer: Customer) -> QuerySet[Invoice]:
    """The customer's invoice requests in the user's scope, newest first."""
    return scoped(Invoice.objects.filter(customer=customer), user).order_by("-created_at", "-pk")


def invoice_search_hits(user: User, q: str, limit: int) -> Any:
    """Invoices by request number (IV-2026-000012, its start or serial) or by the number
    of the VAT invoice issued, exactly."""
    compact = "".join(q.split())
    found = matching(scoped(Invoice.objects.select_related("customer"), user), [
        number_q("finance.invoice", q), Q(invoice_number=compact) if compact.isdigit() and len(compact) >= 8 else None,
    ])
    return hits_from(found.order_by("-created_at"), limit, label=lambda invoice: invoice.number, detail=lambda i: (
        i.invoice_number, i.customer.name, money_text(i.amount), i.get_status_display()))
