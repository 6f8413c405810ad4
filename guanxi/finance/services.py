"""Writes of money (FIN-1, FIN-2): receivables and receipts, payables and payments.

Each service checks the permission and the scope, then calls the one engine in
``ledger.py`` for its side; every write is one transaction (``@service``) with its
audit entries. Posted money is never deleted: it is reversed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from guanxi.core.errors import ValidationFailed
from guanxi.core.money import clean_amount, fen
from guanxi.core.permissions import ensure
from guanxi.core.services import service
from guanxi.org.scopes import ensure_in_scope

from . import ledger, signals
from .ledger import MONEY_IN, MONEY_OUT
from .models import ZERO, FinanceSettings, Receipt, Receivable, ReceivableSource, ReceivableStatus

if TYPE_CHECKING:
    from guanxi.customers.models import Customer
    from guanxi.finance.models import (
        Allocation,
        FinanceSettings,
        Instalment,
        Payable,
        Payment,
        PaymentAllocation,
    )
    from guanxi.org.models import Branch, User
    from guanxi.purchasing.models import GoodsReceipt, Supplier
    from guanxi.sales.models import Order, Shipment


# --- receivables (FIN-1) -------------------------------------------------------------
def _payment_days(customer_or_supplier: Any, branch_id: int) -> Any:
    days = getattr(customer_or_supplier, "payment_days", None)
    return days if days else FinanceSettings.for_branch(branch_id).payment_days


@service
def receivable_create(*, actor: User, customer: Customer, amount: Decimal, due_on: datetime.date | None = None, issued_on: datetime.date | None = None, description: str = "", currency: str = "CNY") -> Any:
    """A receivable entered by hand (a service fee, an old debt)."""
    ensure(actor, "finance.create")
    ensure_in_scope(actor, customer)
    ledger.check_currency(currency)
    branch_id = customer.branch_id or actor.branch_id
    return ledger.debt_new(MONEY_IN, actor=actor, party=customer, amount=clean_amount(amount),
                           owner=customer.owner or actor, branch_id=branch_id, due_on=due_on, issued_on=issued_on,
                           payment_days=_payment_days(None, branch_id), description=description)  # type: ignore[arg-type]


def _order_receivable(order: Order, actor: User, *, amount: Decimal, key: str, description: str, **links: Any) -> Any:
    return ledger.debt_once(MONEY_IN, key, lambda: ledger.debt_new(
        MONEY_IN, actor=actor, party=order.customer, amount=amount, owner=order.owner, branch_id=order.branch_id,
        payment_days=_payment_days(None, order.branch_id), description=description, order=order, source_key=key,
        **links))


def receivable_for_order(order: Order, actor: User) -> list[Any] | None:
    """The receivables of a confirmed order, once: one per instalment of its payment plan,
    else one for the order (when the branch makes receivables from orders)."""
    plan = getattr(order, "payment_plan", None)
    if plan is not None:
        return [receivable_for_instalment(instalment, actor) for instalment in plan.instalments.all()]
    if FinanceSettings.for_branch(order.branch_id).receivable_source != ReceivableSource.ORDER or order.total <= 0:
        return None
    return _order_receivable(order, actor, amount=order.total, key=f"order:{order.pk}",
                             description=_("Order %(number)s") % {"number": order.number})


def receivable_for_instalment(instalment: Instalment, actor: User) -> Any:
    order = instalment.plan.order
    key = f"instalment:{instalment.pk}"
    return ledger.debt_once(MONEY_IN, key, lambda: ledger.debt_new(
        MONEY_IN, actor=actor, party=order.customer, amount=instalment.amount, owner=order.owner,
        branch_id=order.branch_id, due_on=max(instalment.due_on, order.order_date), issued_on=order.order_date,
        description=_("Order %(number)s, instalment %(n)d") % {"number": order.number, "n": instalment.position}
        + (f" {instalment.description}" if instalment.description else ""),
        order=order, instalment=instalment, source_key=key))


def _delivered_amount(lines: Any, document: Any) -> Decimal:
    """The money of what one shipping note or goods receipt delivered. Per line: the line's
    total for everything delivered up to this document, less that for what came before it
    (each rounded half up to the fen), so however a line is split its deliveries add up to
    its total exactly; rounding each share on its own lost or gained a fen (3 × 1/3)."""
    amount = ZERO
    for line in lines:
        order_line = line.order_line
        before = type(line).objects.filter(order_line=order_line, **{
            f"{document}_id__lt": getattr(line, f"{document}_id")}).aggregate(q=Sum("quantity"))["q"] or ZERO
        amount += (fen(order_line.total * (before + line.quantity) / order_line.quantity)
                   - fen(order_line.total * before / order_line.quantity))
    return amount


def receivable_for_shipment(shipment: Shipment, actor: User) -> Any | None:
    """The receivable of what one shipping note delivered, once (shipment setting only)."""
    order = shipment.order
    if getattr(order, "payment_plan", None) is not None:
        return None  # the plan's instalments are the receivables
    if FinanceSettings.for_branch(order.branch_id).receivable_source != ReceivableSource.SHIPMENT:
        return None
    amount = _delivered_amount(shipment.lines.select_related("order_line"), "shipment")
    if amount <= 0:
        return None
    return _order_receivable(order, actor, amount=amount, key=f"shipment:{shipment.pk}", shipment=shipment,
                             description=_("Shipping note %(number)s") % {"number": shipment.number})


@service
def receivable_cancel(*, actor: User, receivable: Receivable, reason: str) -> Any:
    """Cancel a receivable nothing was received on (a cancelled order, an error)."""
    ensure(actor, "finance.reverse")
    ensure_in_scope(actor, receivable)
    return ledger.debt_cancel(MONEY_IN, actor=actor, debt=receivable, reason=reason)


def _order_receivables(order: Order) -> list[Any]:
    """The order's receivables not cancelled, locked in a fixed order (by id)."""
    return list(Receivable.objects.select_for_update().filter(order=order).exclude(
        status=ReceivableStatus.CANCELLED).order_by("pk"))


def receivables_objecting_to_order_cancel(order: Order) -> list[Any]:
    """Why the order cannot be cancelled on finance's side: receivables money was settled on."""
    settled = [receivable.number for receivable in _order_receivables(order) if receivable.allocated > 0]
    if not settled:
        return []
    return [_("Money received was applied to receivable %(numbers)s of this order: reverse the receipt "
              "allocation first (先撤销回款核销), then cancel the order.") % {"numbers": ", ".join(settled)}]


def receivables_cancel_for_order(order: Order, actor: User, reason: str) -> None:
    """Cancel the unpaid receivables of a cancelled order (in the cancelling transaction)."""
    for receivable in _order_receivables(order):
        ledger.debt_cancel(MONEY_IN, actor=actor, debt=receivable, reason=reason)


# --- receipts ----------------------------------------------------------------------------
@service
def receipt_record(*, actor: User, customer: Customer, amount: Decimal, received_on: datetime.date | None = None, method: str | None = None, payer: str = "", reference: str = "", notes: str = "",
                   currency: str = "CNY", allocate: Any = "oldest", owner: User | None = None) -> Any:
    """Record money received from a customer and allocate it: ``"oldest"`` (oldest due
    first), ``None`` (keep it as the customer's credit) or [(receivable, amount)]."""
    ensure(actor, "finance.create")
    ensure_in_scope(actor, customer)
    receipt = ledger.movement_record(
        MONEY_IN, actor=actor, party=customer, amount=amount, on=received_on, method=method,
        counterpart=payer or customer.name, reference=reference, notes=notes, currency=currency,
        owner=owner or customer.owner or actor, branch_id=customer.branch_id or actor.branch_id, allocate=allocate)
    transaction.on_commit(lambda: signals.receipt_recorded.send(sender=Receipt, receipt=receipt))
    return receipt


@service
def receipt_allocate(*, actor: User, receipt: Receipt, allocations: Any = "oldest") -> Any:
    """Apply (more of) a receipt to receivables of its customer."""
    ensure(actor, "finance.edit")
    ensure_in_scope(actor, receipt)
    return ledger.allocate_movement(MONEY_IN, actor, receipt, allocations)


@service
def allocation_reverse(*, actor: User, allocation: Allocation) -> Any:
    """Take an allocation back: the money returns to the receipt (the customer's credit)."""
    ensure(actor, "finance.reverse")
    ensure_in_scope(actor, allocation.receipt)
    return ledger.unallocate(MONEY_IN, actor, allocation)


@service
def receipt_reverse(*, actor: User, receipt: Receipt, reason: str, reversed_on: datetime.date | None = None) -> Any:
    """Undo a receipt (a bounced cheque, a wrong entry)."""
    ensure(actor, "finance.reverse")
    ensure_in_scope(actor, receipt)
    reversal = ledger.movement_reverse(MONEY_IN, actor=actor, movement=receipt, reason=reason, on=reversed_on)
    transaction.on_commit(lambda: signals.receipt_reversed.send(sender=Receipt, receipt=receipt, reversal=reversal))
    return reversal


# --- payables and payments (FIN-2) ----------------------------------------------------------
@service
def payable_create(*, actor: User, supplier: Supplier, amount: Decimal, due_on: datetime.date | None = None, issued_on: datetime.date | None = None, description: str = "", currency: str = "CNY") -> Any:
    """A payable entered by hand (rent, a service bill)."""
    ensure(actor, "finance.create")
    ensure_in_scope(actor, supplier)
    ledger.check_currency(currency)
    return ledger.debt_new(MONEY_OUT, actor=actor, party=supplier, amount=clean_amount(amount),
                           owner=supplier.owner, branch_id=supplier.branch_id, due_on=due_on, issued_on=issued_on,
                           payment_days=_payment_days(supplier, supplier.branch_id), description=description)


def payable_for_goods_receipt(goods_receipt: GoodsReceipt, actor: User) -> Any | None:
    """The payable of what one goods receipt brought in, once."""
    order = goods_receipt.order
    amount = _delivered_amount(goods_receipt.lines.select_related("order_line"), "goods_receipt")
    if amount <= 0:
        return None
    key = f"goods-receipt:{goods_receipt.pk}"
    return ledger.debt_once(MONEY_OUT, key, lambda: ledger.debt_new(
        MONEY_OUT, actor=actor, party=order.supplier, amount=amount, owner=order.owner, branch_id=order.branch_id,
        issued_on=goods_receipt.received_on, payment_days=_payment_days(order.supplier, order.branch_id),
        description=_("Goods receipt %(number)s") % {"number": goods_receipt.number}, purchase_order=order,
        goods_receipt=goods_receipt, source_key=key))


@service
def payable_cancel(*, actor: User, payable: Payable, reason: str) -> Any:
    ensure(actor, "finance.reverse")
    ensure_in_scope(actor, payable)
    return ledger.debt_cancel(MONEY_OUT, actor=actor, debt=payable, reason=reason)


@service
def payment_record(*, actor: User, supplier: Supplier, amount: Decimal, paid_on: datetime.date | None = None, method: str | None = None, payee: str = "", reference: str = "", notes: str = "",
                   currency: str = "CNY", allocate: Any = "oldest") -> Any:
    """Record money paid to a supplier and allocate it to their payables like receipts."""
    ensure(actor, "finance.create")
    ensure_in_scope(actor, supplier)
    return ledger.movement_record(
        MONEY_OUT, actor=actor, party=supplier, amount=amount, on=paid_on, method=method,
        counterpart=payee or supplier.name, reference=reference, notes=notes, currency=currency,
        owner=supplier.owner, branch_id=supplier.branch_id, allocate=allocate)


@service
def payment_allocate(*, actor: User, payment: Payment, allocations: Any = "oldest") -> Any:
    ensure(actor, "finance.edit")
    ensure_in_scope(actor, payment)
    return ledger.allocate_movement(MONEY_OUT, actor, payment, allocations)


@service
def payment_allocation_reverse(*, actor: User, allocation: PaymentAllocation) -> Any:
    ensure(actor, "finance.reverse")
    ensure_in_scope(actor, allocation.payment)
    return ledger.unallocate(MONEY_OUT, actor, allocation)


@service
def payment_reverse(*, actor: User, payment: Payment, reason: str, reversed_on: datetime.date | None = None) -> Any:
    ensure(actor, "finance.reverse")
    ensure_in_scope(actor, payment)
    return ledger.movement_reverse(MONEY_OUT, actor=actor, movement=payment, reason=reason, on=reversed_on)


@service
def finance_settings_save(*, actor: User, branch: Branch, receivable_source: Any, payment_days: int) -> FinanceSettings:
    """How one branch (None: the company default) makes receivables, and its payment terms."""
    ensure(actor, "finance.manage")
    if receivable_source not in ReceivableSource.values:
        raise ValidationFailed(_("Choose when receivables are created."), field="receivable_source")
    try:
        days = int(payment_days)
    except (TypeError, ValueError):
        days = -1
    if not 0 <= days <= 365:
        raise ValidationFailed(_("Payment terms from 0 to 365 days."), field="payment_days")
    settings = FinanceSettings.objects.select_for_update().filter(branch=branch).first() or FinanceSettings(
        branch=branch)
    settings.receivable_source, settings.payment_days = receivable_source, days
    settings.full_clean()
    settings.save()
    return settings
