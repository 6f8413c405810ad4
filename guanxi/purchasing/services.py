"""Writes of purchasing (PUR-1…3). Keyword-only, take ``actor``; money in Decimal."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.document_lines import write_lines
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.fulfilment import checked_quantities, count_fulfilled
from guanxi.core.numbering import next_number
from guanxi.core.permissions import ensure
from guanxi.core.services import assign_fields, service, soft_delete, validated_save
from guanxi.core.transitions import InvalidTransition, transition
from guanxi.org.scopes import ensure_in_scope
from guanxi.org.services import purge_in_scope, restore_in_scope

from .models import (
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseStatus,
    Supplier,
)
from .printing import purchase_order_pdf
from .signals import goods_received

if TYPE_CHECKING:
    from guanxi.org.models import User


SUPPLIER_FIELDS = {"name", "code", "category", "contact_name", "phone", "email", "address", "tax_id", "bank_name",
                   "bank_account", "payment_days", "customer", "notes", "is_active"}


@service
def supplier_save(*, actor: User, supplier: Supplier | None = None, **data: Any) -> Any:
    if supplier is None:
        ensure(actor, "purchasing.create")
        supplier = Supplier(owner=actor, branch_id=actor.branch_id)  # type: ignore[misc]
        if supplier.branch_id is None:
            raise ValidationFailed(_("You belong to no branch; ask an administrator."))
    else:
        ensure(actor, "purchasing.edit")
        ensure_in_scope(actor, supplier)
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    assign_fields(supplier, SUPPLIER_FIELDS, data)
    return validated_save(supplier)


@service
def supplier_delete(*, actor: User, supplier: Supplier) -> Supplier:
    """Soft delete (the recycle bin keeps it); refused while it has open purchase orders."""
    ensure(actor, "purchasing.delete")
    ensure_in_scope(actor, supplier)
    if supplier.purchase_orders.filter(status__in=[PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED]).exists():
        raise Conflict(_("This supplier has open purchase orders."))
    soft_delete(supplier, actor=actor)
    return supplier


@service
def supplier_restore(*, actor: User, supplier: Supplier) -> Any:
    return restore_in_scope(actor, supplier)


@service
def supplier_purge(*, actor: User, supplier: Supplier) -> None:
    """Permanent; refused (PROTECT) while purchase orders, payables or payments refer to it."""

    purge_in_scope(actor, supplier, _("Purchase orders or money refer to this supplier; it is kept."))


def _write_lines(order: PurchaseOrder, lines: Any) -> None:
    write_lines(order, PurchaseOrderLine, "order", lines, price=lambda data, product: data.get("unit_price"),
                describe=lambda data, product: (data.get("description") or "").strip() or (
                    product.name if product else ""),
                missing_price=_("Enter the purchase price."))


ORDER_FIELDS = {"order_date", "expected_on", "notes"}


@service
def purchase_order_create(*, actor: User, supplier: Supplier, lines: Any, **data: Any) -> PurchaseOrder:
    ensure(actor, "purchasing.create")
    ensure_in_scope(actor, supplier)
    order = PurchaseOrder(number=next_number("purchasing.order"), supplier=supplier, owner=actor,
                          branch_id=actor.branch_id or supplier.branch_id)
    assign_fields(order, ORDER_FIELDS, data)
    validated_save(order)
    _write_lines(order, lines)
    return order


def _locked(actor: User, order: PurchaseOrder, permission: str = "purchasing.edit") -> PurchaseOrder:
    ensure(actor, permission)
    ensure_in_scope(actor, order)
    return PurchaseOrder.objects.select_for_update().get(pk=order.pk)


@service
def purchase_order_update(*, actor: User, order: PurchaseOrder, lines: Any = None, **data: Any) -> PurchaseOrder:
    order = _locked(actor, order)
    if order.status != PurchaseStatus.DRAFT:
        raise Conflict(_("Only a draft purchase order can change."))
    assign_fields(order, ORDER_FIELDS, data)
    validated_save(order)
    if lines is not None:
        _write_lines(order, lines)
    return order


PURCHASE_TRANSITIONS = {
    PurchaseStatus.DRAFT: {PurchaseStatus.PENDING_APPROVAL, PurchaseStatus.ORDERED, PurchaseStatus.CANCELLED},
    PurchaseStatus.PENDING_APPROVAL: {PurchaseStatus.DRAFT, PurchaseStatus.ORDERED, PurchaseStatus.CANCELLED},
    PurchaseStatus.ORDERED: {PurchaseStatus.PARTLY_RECEIVED, PurchaseStatus.RECEIVED, PurchaseStatus.CANCELLED},
    PurchaseStatus.PARTLY_RECEIVED: {PurchaseStatus.RECEIVED},
}


@service
def purchase_order_place(*, actor: User, order: PurchaseOrder) -> PurchaseOrder:
    """Send the order to the supplier: from now on goods can be received against it."""
    order = _locked(actor, order)
    if order.status == PurchaseStatus.ORDERED:
        return order
    if order.status != PurchaseStatus.DRAFT:
        raise Conflict(_("Only a draft purchase order can be placed."))
    if not order.lines.exists():
        raise ValidationFailed(_("Add at least one line."), field="lines")
    return transition(order, PurchaseStatus.ORDERED, actor, changes={"ordered_at": timezone.now()})


@service
def purchase_order_cancel(*, actor: User, order: PurchaseOrder, reason: str) -> Any:
    order = _locked(actor, order)
    if order.status == PurchaseStatus.CANCELLED:
        raise InvalidTransition(_("This purchase order is cancelled already."))
    if order.goods_receipts.exists():
        raise Conflict(_("Goods were received on this order; it cannot be cancelled."))
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why the order is cancelled."), field="reason")
    return transition(order, PurchaseStatus.CANCELLED, actor, reason.strip())


@service
def purchase_order_send(*, actor: User, order: PurchaseOrder, to: Any, message: str = "") -> PurchaseOrder:
    """E-mail the purchase order as a PDF (placing it if it was a draft)."""

    try:
        validate_email(to)
    except ValidationError as exc:
        raise ValidationFailed(_("Enter a valid e-mail address."), field="to") from exc
    order = purchase_order_place(actor=actor, order=order)
    email = EmailMessage(_("Purchase order %(number)s") % {"number": order.number},
                         message or _("Please find our purchase order attached."), None, [to],
                         reply_to=[actor.email] if actor.email else None)
    email.attach(f"{order.number}.pdf", purchase_order_pdf(order), "application/pdf")
    transaction.on_commit(email.send)
    return order


@service
def goods_receipt_create(*, actor: User, order: PurchaseOrder, quantities: Any, warehouse: Any = None, received_on: datetime.date | None = None, notes: str = "") -> GoodsReceipt:
    """Receive part or all of a placed order: ``quantities`` = {line id: quantity}. Never
    more than ordered, also when two people receive at once (rows are locked)."""
    order = _locked(actor, order, "purchasing.receive")
    if order.status not in (PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED):
        raise Conflict(_("Only a placed purchase order can be received."))
    lines = {line.pk: line for line in PurchaseOrderLine.objects.select_for_update().filter(order=order).order_by("pk")}
    wanted = checked_quantities(lines, quantities, positive=_("Receive a positive quantity."),
                                left=_("Only %(n)s left to receive."), at_least=_("Receive at least one line."))
    receipt = GoodsReceipt(number=next_number("purchasing.goods_receipt"), order=order, warehouse=warehouse,
                           received_on=received_on or timezone.localdate(), notes=(notes or "")[:500],
                           created_by=actor)
    validated_save(receipt)
    done = count_fulfilled(lines, wanted, counter="received_quantity", make_line=lambda line, quantity: (
        GoodsReceiptLine.objects.create(goods_receipt=receipt, order_line=line, quantity=quantity)))
    status = PurchaseStatus.RECEIVED if done else PurchaseStatus.PARTLY_RECEIVED
    if order.status != status:
        order = transition(order, status, actor, _("Goods receipt %(number)s") % {"number": receipt.number})
    goods_received.send(sender=GoodsReceipt, goods_receipt=receipt, actor=actor)
    return receipt
