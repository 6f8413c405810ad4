"""Writes of money: receivables, receipts, allocations and reversals.

Every write runs in one transaction (``@service``) and locks the rows it changes in a
fixed order (receipt, then receivables by id), so two people allocating at once are
serialized and neither can allocate what the other already took. The database's check
constraints are the last line: more allocated than due or received cannot be stored.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.numbering import next_number
from guanxi.core.permissions import ensure
from guanxi.core.services import service, validated_save
from guanxi.org.scopes import ensure_in_scope

from .models import (
    MAX_AMOUNT,
    ZERO,
    Allocation,
    FinanceSettings,
    Receipt,
    ReceiptKind,
    Receivable,
    ReceivableSource,
    ReceivableStatus,
)

CURRENCIES = {"CNY"}


def clean_amount(value, field="amount", *, allow_zero=False):
    """A positive amount in yuan with at most two decimals, or a ValidationFailed."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(_("Enter an amount as a number, e.g. 1234.50."), field=field)
    if not amount.is_finite():
        raise ValidationFailed(_("Enter an amount as a number, e.g. 1234.50."), field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationFailed(_("The amount must be greater than zero."), field=field)
    if amount > MAX_AMOUNT:
        raise ValidationFailed(_("The amount is too large."), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(_("Amounts have at most two decimals (fen)."), field=field)
    return amount.quantize(Decimal("0.01"))


def _currency(currency):
    if (currency or "CNY").upper() not in CURRENCIES:
        raise ValidationFailed(_("Only CNY is accepted."), field="currency")


def _status(receivable):
    if receivable.status == ReceivableStatus.CANCELLED:
        return receivable.status
    if receivable.allocated >= receivable.amount:
        return ReceivableStatus.PAID
    return ReceivableStatus.PARTLY_PAID if receivable.allocated > 0 else ReceivableStatus.OPEN


# --- receivables (FIN-1) -------------------------------------------------------------
def _new_receivable(*, actor, customer, amount, owner, branch_id, due_on=None, issued_on=None, description="",
                    order=None, shipment=None, source_key=""):
    issued_on = issued_on or timezone.localdate()
    if due_on is None:
        due_on = issued_on + datetime.timedelta(days=FinanceSettings.for_branch(branch_id).payment_days)
    if due_on < issued_on:
        raise ValidationFailed(_("The due date is before the date of the receivable."), field="due_on")
    receivable = Receivable(number=next_number("finance.receivable"), customer=customer, amount=amount,
                            owner=owner, branch_id=branch_id, issued_on=issued_on, due_on=due_on,
                            description=(description or "")[:200], order=order, shipment=shipment,
                            source_key=source_key, created_by=actor)
    return validated_save(receivable)


@service
def receivable_create(*, actor, customer, amount, due_on=None, issued_on=None, description="", currency="CNY"):
    """A receivable entered by hand (a service fee, an old debt)."""
    ensure(actor, "finance.create")
    ensure_in_scope(actor, customer)
    _currency(currency)
    amount = clean_amount(amount)
    owner = customer.owner or actor
    return _new_receivable(actor=actor, customer=customer, amount=amount, owner=owner,
                           branch_id=customer.branch_id or actor.branch_id, due_on=due_on, issued_on=issued_on,
                           description=description)


def receivable_for_order(order, actor):
    """The receivable of a confirmed order, once (the order's branch setting decides)."""
    if FinanceSettings.for_branch(order.branch_id).receivable_source != ReceivableSource.ORDER or order.total <= 0:
        return None
    return _from_source(order=order, actor=actor, amount=order.total, key=f"order:{order.pk}",
                        description=_("Order %(number)s") % {"number": order.number})


def receivable_for_shipment(shipment, actor):
    """The receivable of what one shipping note delivered, once."""
    order = shipment.order
    if FinanceSettings.for_branch(order.branch_id).receivable_source != ReceivableSource.SHIPMENT:
        return None
    amount = ZERO
    for line in shipment.lines.select_related("order_line"):
        order_line = line.order_line
        amount += (order_line.total * line.quantity / order_line.quantity).quantize(Decimal("0.01"))
    if amount <= 0:
        return None
    return _from_source(order=order, shipment=shipment, actor=actor, amount=amount, key=f"shipment:{shipment.pk}",
                        description=_("Shipping note %(number)s") % {"number": shipment.number})


def _from_source(*, order, actor, amount, key, description, shipment=None):
    existing = Receivable.objects.filter(source_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _new_receivable(actor=actor, customer=order.customer, amount=amount, owner=order.owner,
                                   branch_id=order.branch_id, description=description, order=order,
                                   shipment=shipment, source_key=key)
    except IntegrityError:
        return Receivable.objects.get(source_key=key)


@service
def receivable_cancel(*, actor, receivable, reason):
    """Cancel a receivable nothing was received on (a cancelled order, an error)."""
    ensure(actor, "finance.reverse")
    ensure_in_scope(actor, receivable)
    receivable = Receivable.objects.select_for_update().get(pk=receivable.pk)
    if receivable.allocated > 0:
        raise Conflict(_("Money was received on this receivable; reverse those allocations first."))
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why it is cancelled."), field="reason")
    receivable.status = ReceivableStatus.CANCELLED
    receivable.description = f"{receivable.description} — {_('cancelled')}: {reason.strip()}"[:200]
    receivable.save(update_fields=["status", "description", "updated_at"])
    return receivable


# --- receipts (FIN-1, FIN-2) ---------------------------------------------------------
@service
def receipt_record(*, actor, customer, amount, received_on=None, method=None, payer="", reference="", notes="",
                   currency="CNY", allocate="oldest", owner=None):
    """Record money received from a customer and allocate it: ``"oldest"`` (oldest due
    first), ``None`` (keep it as the customer's credit) or [(receivable, amount)]."""
    ensure(actor, "finance.create")
    ensure_in_scope(actor, customer)
    _currency(currency)
    amount = clean_amount(amount)
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate() + datetime.timedelta(days=1):
        raise ValidationFailed(_("The date received is in the future."), field="received_on")
    receipt = Receipt(number=next_number("finance.receipt"), customer=customer, amount=amount,
                      received_on=received_on, method=method, payer=(payer or customer.name)[:200],
                      reference=(reference or "")[:100], notes=(notes or "")[:500],
                      owner=owner or customer.owner or actor, branch_id=customer.branch_id or actor.branch_id,
                      created_by=actor)
    validated_save(receipt)
    if allocate:
        _allocate(actor, receipt, allocate)
        receipt.refresh_from_db()
    return receipt


@service
def receipt_allocate(*, actor, receipt, allocations="oldest"):
    """Apply (more of) a receipt to receivables of its customer."""
    ensure(actor, "finance.edit")
    ensure_in_scope(actor, receipt)
    return _allocate(actor, receipt, allocations)


def _allocate(actor, receipt, allocations):
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.kind != ReceiptKind.RECEIPT or Receipt.objects.filter(reverses=receipt).exists():
        raise Conflict(_("A reversed receipt cannot be allocated."))
    available = receipt.amount - receipt.allocated
    if allocations == "oldest":
        candidates = (Receivable.objects.filter(customer_id=receipt.customer_id, allocated__lt=F("amount"))
                      .exclude(status=ReceivableStatus.CANCELLED).order_by("due_on", "pk"))
        ids = list(candidates.values_list("pk", flat=True))
        locked = {r.pk: r for r in Receivable.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        plan, left = [], available
        for pk in ids:
            take = min(locked[pk].outstanding, left)
            if take > 0:
                plan.append((locked[pk], take))
                left -= take
    else:
        requested = [(r.pk, clean_amount(a, field=f"allocations.{r.pk}")) for r, a in allocations]
        if len({pk for pk, _a in requested}) != len(requested):
            raise ValidationFailed(_("Each receivable once, please."), field="allocations")
        locked = {r.pk: r for r in Receivable.objects.select_for_update().filter(
            pk__in=[pk for pk, _a in requested]).order_by("pk")}
        plan, errors = [], []
        for pk, amount in requested:
            receivable = locked.get(pk)
            if receivable is None or receivable.customer_id != receipt.customer_id:
                errors.append({"field": f"allocations.{pk}", "message": _("Not a receivable of this customer.")})
            elif receivable.status == ReceivableStatus.CANCELLED:
                errors.append({"field": f"allocations.{pk}", "message": _("This receivable is cancelled.")})
            elif amount > receivable.outstanding:
                errors.append({"field": f"allocations.{pk}", "message": _(
                    "Only ¥%(amount)s is outstanding on %(number)s.") % {"amount": receivable.outstanding,
                                                                         "number": receivable.number}})
            else:
                plan.append((receivable, amount))
        if not errors and sum((a for _r, a in plan), ZERO) > available:
            errors.append({"field": "allocations", "message": _(
                "Only ¥%(amount)s of this receipt is left to allocate.") % {"amount": available}})
        if errors:
            raise ValidationFailed(errors=errors)
    made = []
    for receivable, amount in plan:
        made.append(Allocation.objects.create(receipt=receipt, receivable=receivable, amount=amount,
                                              created_by=actor))
        receivable.allocated += amount
        receivable.status = _status(receivable)
        receivable.save(update_fields=["allocated", "status", "updated_at"])
        receipt.allocated += amount
    receipt.save(update_fields=["allocated", "updated_at"])
    return made


@service
def allocation_reverse(*, actor, allocation):
    """Take an allocation back: the money returns to the receipt (the customer's credit)."""
    ensure(actor, "finance.reverse")
    ensure_in_scope(actor, allocation.receipt)
    return _unallocate(actor, allocation)


def _unallocate(actor, allocation):
    receipt = Receipt.objects.select_for_update().get(pk=allocation.receipt_id)
    receivable = Receivable.objects.select_for_update().get(pk=allocation.receivable_id)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.reversed_at is not None:
        raise Conflict(_("This allocation was reversed already."))
    allocation.reversed_at = timezone.now()
    allocation.reversed_by = actor
    allocation.save(update_fields=["reversed_at", "reversed_by"])
    receivable.allocated -= allocation.amount
    receivable.status = _status(receivable)
    receivable.save(update_fields=["allocated", "status", "updated_at"])
    receipt.allocated -= allocation.amount
    receipt.save(update_fields=["allocated", "updated_at"])
    return allocation


@service
def receipt_reverse(*, actor, receipt, reason, reversed_on=None):
    """Undo a receipt (a bounced cheque, a wrong entry): its allocations are taken back
    and a reversal of the opposite amount is posted. Both stay in the ledger."""
    ensure(actor, "finance.reverse")
    ensure_in_scope(actor, receipt)
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.kind == ReceiptKind.REVERSAL:
        raise Conflict(_("A reversal cannot be reversed; record a new receipt instead."))
    if Receipt.objects.filter(reverses=receipt).exists():
        raise Conflict(_("This receipt was reversed already."))
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why the receipt is reversed."), field="reason")
    for allocation in receipt.allocations.filter(reversed_at__isnull=True).order_by("receivable_id"):
        _unallocate(actor, allocation)
    reversal = Receipt(number=next_number("finance.receipt"), kind=ReceiptKind.REVERSAL, reverses=receipt,
                       customer=receipt.customer, amount=-receipt.amount, received_on=reversed_on or timezone.localdate(),
                       method=receipt.method, payer=receipt.payer, reference=receipt.reference,
                       notes=_("Reversal of %(number)s: %(reason)s") % {"number": receipt.number,
                                                                         "reason": reason.strip()[:400]},
                       owner=receipt.owner, branch=receipt.branch, created_by=actor)
    try:
        with transaction.atomic():
            validated_save(reversal)
    except IntegrityError:
        raise Conflict(_("This receipt was reversed already."))
    return reversal
