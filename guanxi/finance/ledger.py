"""The one allocation engine for both sides of the ledger: receipts against receivables
(money in) and payments against payables (money out).

Every function runs inside the caller's service transaction and locks the rows it
changes in a fixed order (the movement, then the debts by id), so two people allocating
at once are serialized and neither can allocate what the other already took. The
database's check constraints are the last line: more allocated than due or moved cannot
be stored.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.money import clean_amount
from guanxi.core.numbering import next_number
from guanxi.core.services import validated_save
from guanxi.core.transitions import InvalidTransition, transition

from .models import (
    ZERO,
    Allocation,
    Payable,
    Payment,
    PaymentAllocation,
    Receipt,
    ReceiptKind,
    Receivable,
    ReceivableStatus,
)

CURRENCIES = {"CNY"}


@dataclass(frozen=True)
class Side:
    movement: type  # Receipt / Payment
    debt: type  # Receivable / Payable
    allocation: type  # Allocation / PaymentAllocation
    party: str  # the field naming the other side: customer / supplier
    movement_link: str  # the allocation's field to the movement: receipt / payment
    debt_link: str  # the allocation's field to the debt: receivable / payable
    date_field: str  # received_on / paid_on
    counterpart_field: str  # payer / payee
    number_type: str
    debt_number_type: str
    label: object  # "receipt" / "payment", for messages


MONEY_IN = Side(Receipt, Receivable, Allocation, "customer", "receipt", "receivable", "received_on", "payer",
                "finance.receipt", "finance.receivable", gettext_lazy("receipt"))
MONEY_OUT = Side(Payment, Payable, PaymentAllocation, "supplier", "payment", "payable", "paid_on", "payee",
                 "finance.payment", "finance.payable", gettext_lazy("payment"))


def check_currency(currency):
    if (currency or "CNY").upper() not in CURRENCIES:
        raise ValidationFailed(_("Only CNY is accepted."), field="currency")


def debt_status(debt):
    if debt.status == ReceivableStatus.CANCELLED:
        return debt.status
    if debt.allocated >= debt.amount:
        return ReceivableStatus.PAID
    return ReceivableStatus.PARTLY_PAID if debt.allocated > 0 else ReceivableStatus.OPEN


def debt_new(side, *, actor, party, amount, owner, branch_id, due_on=None, issued_on=None, payment_days=30,
             description="", source_key="", **links):
    issued_on = issued_on or timezone.localdate()
    if due_on is None:
        due_on = issued_on + datetime.timedelta(days=payment_days)
    if due_on < issued_on:
        raise ValidationFailed(_("The due date is before the date of the debt."), field="due_on")
    debt = side.debt(number=next_number(side.debt_number_type), amount=amount, owner=owner, branch_id=branch_id,
                     issued_on=issued_on, due_on=due_on, description=(description or "")[:200],
                     source_key=source_key, created_by=actor, **{side.party: party}, **links)
    return validated_save(debt)


def debt_once(side, key, make):
    """The debt of a source (an order, a goods receipt…), made by ``make()`` only once."""
    existing = side.debt.objects.filter(source_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return make()
    except IntegrityError:
        return side.debt.objects.get(source_key=key)


# The statuses of receivables and payables: settling moves them (both ways, as money is
# applied and taken back); only an unsettled debt is cancelled, for good.
DEBT_TRANSITIONS = {
    ReceivableStatus.OPEN: {ReceivableStatus.PARTLY_PAID, ReceivableStatus.PAID, ReceivableStatus.CANCELLED},
    ReceivableStatus.PARTLY_PAID: {ReceivableStatus.OPEN, ReceivableStatus.PAID},
    ReceivableStatus.PAID: {ReceivableStatus.OPEN, ReceivableStatus.PARTLY_PAID},
}


def debt_cancel(side, *, actor, debt, reason):
    debt = side.debt.objects.select_for_update().get(pk=debt.pk)
    if debt.status == ReceivableStatus.CANCELLED:
        raise InvalidTransition(_("This debt is cancelled."))
    if debt.allocated > 0:
        raise Conflict(_("Money was settled on this debt; reverse those allocations first."))
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why it is cancelled."), field="reason")
    return transition(debt, ReceivableStatus.CANCELLED, actor, reason.strip())


def _settle(debt, actor, change, why):
    """Change what is settled on a locked debt by ``change``; its status follows (with history)."""
    debt.allocated += change
    status = debt_status(debt)
    if status != debt.status:
        return transition(debt, status, actor, why, changes={"allocated": debt.allocated})
    debt.save(update_fields=["allocated", "updated_at"])
    return debt


def movement_record(side, *, actor, party, amount, on=None, method=None, counterpart="", reference="", notes="",
                    currency="CNY", owner=None, branch_id=None, allocate="oldest"):
    check_currency(currency)
    amount = clean_amount(amount)
    on = on or timezone.localdate()
    if on > timezone.localdate() + datetime.timedelta(days=1):
        raise ValidationFailed(_("The date is in the future."), field=side.date_field)
    movement = side.movement(number=next_number(side.number_type), amount=amount, method=method,
                             reference=(reference or "")[:100], notes=(notes or "")[:500], owner=owner,
                             branch_id=branch_id, created_by=actor, **{
                                 side.party: party, side.date_field: on,
                                 side.counterpart_field: (counterpart or str(party))[:200]})
    validated_save(movement)
    if allocate:
        allocate_movement(side, actor, movement, allocate)
        movement.refresh_from_db()
    return movement


def allocate_movement(side, actor, movement, allocations):
    """Apply a movement to debts of its party: ``"oldest"`` (oldest due first) or
    [(debt, amount)]. Never more than is outstanding or left on the movement."""
    movement = side.movement.objects.select_for_update().get(pk=movement.pk)
    if movement.kind != ReceiptKind.RECEIPT or side.movement.objects.filter(reverses=movement).exists():
        raise Conflict(_("A reversed %(what)s cannot be allocated.") % {"what": side.label})
    party_id = getattr(movement, f"{side.party}_id")
    available = movement.amount - movement.allocated
    open_debts = (side.debt.objects.filter(**{f"{side.party}_id": party_id}, allocated__lt=F("amount"))
                  .exclude(status=ReceivableStatus.CANCELLED))
    if allocations == "oldest":
        ids = list(open_debts.order_by("due_on", "pk").values_list("pk", flat=True))
        locked = {d.pk: d for d in side.debt.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        plan, left = [], available
        for pk in ids:
            if locked[pk].status == ReceivableStatus.CANCELLED:
                continue  # cancelled after it was listed, before it was locked
            take = min(locked[pk].outstanding, left)
            if take > 0:
                plan.append((locked[pk], take))
                left -= take
    else:
        plan = _manual_plan(side, movement, party_id, available, allocations)
    made = []
    for debt, amount in plan:
        made.append(side.allocation.objects.create(amount=amount, created_by=actor, **{
            side.movement_link: movement, side.debt_link: debt}))
        _settle(debt, actor, amount, str(movement))
        movement.allocated += amount
    movement.save(update_fields=["allocated", "updated_at"])
    return made


def _manual_plan(side, movement, party_id, available, allocations):
    requested = [(d.pk, clean_amount(a, field=f"allocations.{d.pk}")) for d, a in allocations]
    if len({pk for pk, _a in requested}) != len(requested):
        raise ValidationFailed(_("Each debt once, please."), field="allocations")
    locked = {d.pk: d for d in side.debt.objects.select_for_update().filter(
        pk__in=[pk for pk, _a in requested]).order_by("pk")}
    plan, errors = [], []
    for pk, amount in requested:
        debt = locked.get(pk)
        if debt is None or getattr(debt, f"{side.party}_id") != party_id:
            errors.append({"field": f"allocations.{pk}", "message": _("Not a debt of this party.")})
        elif debt.status == ReceivableStatus.CANCELLED:
            errors.append({"field": f"allocations.{pk}", "message": _("This debt is cancelled.")})
        elif amount > debt.outstanding:
            errors.append({"field": f"allocations.{pk}", "message": _(
                "Only ¥%(amount)s is outstanding on %(number)s.") % {"amount": debt.outstanding,
                                                                     "number": debt.number}})
        else:
            plan.append((debt, amount))
    if not errors and sum((a for _d, a in plan), ZERO) > available:
        errors.append({"field": "allocations", "message": _(
            "Only ¥%(amount)s of this %(what)s is left to allocate.") % {"amount": available, "what": side.label}})
    if errors:
        raise ValidationFailed(errors=errors)
    return plan


def unallocate(side, actor, allocation):
    """Take an allocation back: the money returns to the movement (the party's credit)."""
    movement = side.movement.objects.select_for_update().get(pk=getattr(allocation, f"{side.movement_link}_id"))
    debt = side.debt.objects.select_for_update().get(pk=getattr(allocation, f"{side.debt_link}_id"))
    allocation = side.allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.reversed_at is not None:
        raise Conflict(_("This allocation was reversed already."))
    allocation.reversed_at = timezone.now()
    allocation.reversed_by = actor
    allocation.save(update_fields=["reversed_at", "reversed_by"])
    _settle(debt, actor, -allocation.amount, _("Allocation of %(movement)s taken back") % {"movement": movement})
    movement.allocated -= allocation.amount
    movement.save(update_fields=["allocated", "updated_at"])
    return allocation


def movement_reverse(side, *, actor, movement, reason, on=None):
    """Undo a movement: its allocations are taken back and a movement of the opposite
    amount is posted, pointing at it. Both stay in the ledger; a reversal is final."""
    movement = side.movement.objects.select_for_update().get(pk=movement.pk)
    if movement.kind == ReceiptKind.REVERSAL:
        raise Conflict(_("A reversal cannot be reversed; record a new %(what)s instead.") % {"what": side.label})
    if side.movement.objects.filter(reverses=movement).exists():
        raise Conflict(_("This %(what)s was reversed already.") % {"what": side.label})
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why it is reversed."), field="reason")
    for allocation in movement.allocations.filter(reversed_at__isnull=True).order_by(f"{side.debt_link}_id"):
        unallocate(side, actor, allocation)
    reversal = side.movement(
        number=next_number(side.number_type), kind=ReceiptKind.REVERSAL, reverses=movement, amount=-movement.amount,
        method=movement.method, reference=movement.reference, owner=movement.owner, branch=movement.branch,
        created_by=actor, notes=_("Reversal of %(number)s: %(reason)s") % {"number": movement.number,
                                                                           "reason": reason.strip()[:400]},
        **{side.party: getattr(movement, side.party), side.date_field: on or timezone.localdate(),
           side.counterpart_field: getattr(movement, side.counterpart_field)})
    try:
        with transaction.atomic():
            validated_save(reversal)
    except IntegrityError:
        raise Conflict(_("This %(what)s was reversed already.") % {"what": side.label})
    return reversal
