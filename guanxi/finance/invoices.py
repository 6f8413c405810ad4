"""VAT invoices (发票) and payment plans (付款计划) of contract orders (FIN-1, SAL-4).

An invoice is requested by the order's salesperson, approved through the approval
building block (finance by default), then recorded as issued with its number; the
invoiced total of an order never exceeds the order. A payment plan splits a contract
into instalments; each becomes a receivable when the order is confirmed.
"""

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.approvals.services import approval_start, decision_applied
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.money import clean_amount
from guanxi.core.numbering import next_number
from guanxi.core.permissions import ensure
from guanxi.core.services import service, validated_save
from guanxi.core.transitions import transition
from guanxi.org.scopes import ensure_in_scope
from guanxi.sales.models import Order

from .models import (
    Instalment,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    PaymentPlan,
    Receivable,
    ReceivableStatus,
)
from .services import receivable_for_order

LIVE = [InvoiceStatus.REQUESTED, InvoiceStatus.PENDING_APPROVAL, InvoiceStatus.APPROVED, InvoiceStatus.ISSUED]
INVOICEABLE = ["confirmed", "partly_shipped", "shipped", "completed"]


def invoiced_total(order):
    return Invoice.objects.filter(order=order, status__in=LIVE).aggregate(t=Sum("amount"))["t"] or Decimal("0")


INVOICE_TRANSITIONS = {
    InvoiceStatus.REQUESTED: {InvoiceStatus.PENDING_APPROVAL, InvoiceStatus.CANCELLED},
    InvoiceStatus.PENDING_APPROVAL: {InvoiceStatus.APPROVED, InvoiceStatus.REJECTED, InvoiceStatus.CANCELLED},
    InvoiceStatus.APPROVED: {InvoiceStatus.ISSUED, InvoiceStatus.CANCELLED},
    InvoiceStatus.ISSUED: {InvoiceStatus.CANCELLED},  # a red-letter invoice
}


@service
def invoice_request(*, actor, order, amount, kind=InvoiceKind.SPECIAL, buyer_name="", buyer_tax_id="",
                    buyer_address_phone="", buyer_bank_account="", notes=""):
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in INVOICEABLE:
        raise Conflict(_("Invoices are for confirmed orders."))
    amount = clean_amount(amount)
    left = order.total - invoiced_total(order)
    if amount > left:
        raise ValidationFailed(_("Only ¥%(amount)s of this order is left to invoice.") % {"amount": left},
                               field="amount")
    if kind not in InvoiceKind.values:
        raise ValidationFailed(_("Choose a special or an ordinary invoice."), field="kind")
    if kind == InvoiceKind.SPECIAL and not (buyer_tax_id or "").strip():
        raise ValidationFailed(_("A special invoice needs the buyer's taxpayer ID."), field="buyer_tax_id")
    invoice = Invoice(number=next_number("finance.invoice"), order=order, customer=order.customer, kind=kind,
                      amount=amount, buyer_name=(buyer_name or order.customer.name)[:200],
                      buyer_tax_id=(buyer_tax_id or "").strip()[:30], buyer_address_phone=buyer_address_phone[:200],
                      buyer_bank_account=buyer_bank_account[:200], notes=(notes or "")[:300], owner=actor,
                      branch=order.branch, status=InvoiceStatus.PENDING_APPROVAL)
    validated_save(invoice)
    approval_start(actor=actor, doc_type="finance.invoice", object_id=invoice.pk, amount=amount,
                   label=_("Invoice for %(order)s, %(customer)s") % {"order": order.number,
                                                                     "customer": order.customer.name},
                   url=invoice.get_absolute_url())
    invoice.refresh_from_db()
    return invoice


def invoice_approval_decided(request):
    decision_applied(request, Invoice, pending=InvoiceStatus.PENDING_APPROVAL, approved=InvoiceStatus.APPROVED,
                     rejected=InvoiceStatus.REJECTED)


@service
def invoice_issue(*, actor, invoice, invoice_number, issued_on=None):
    """Record that the approved invoice was issued (its number from the tax system)."""
    ensure(actor, "finance.edit")
    ensure_in_scope(actor, invoice)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status == InvoiceStatus.ISSUED:
        raise Conflict(_("This invoice was issued already."))
    if not invoice.can_be_issued:
        raise Conflict(_("Only an approved invoice can be issued."))
    number = (invoice_number or "").strip()
    if not number or len(number) > 40 or not number.replace("-", "").isalnum():
        raise ValidationFailed(_("Enter the invoice number (letters and digits)."), field="invoice_number")
    if Invoice.objects.filter(invoice_number=number).exclude(pk=invoice.pk).exists():
        raise Conflict(_("Another invoice has this number."), field="invoice_number")
    return transition(invoice, InvoiceStatus.ISSUED, actor, changes={
        "invoice_number": number, "issued_on": issued_on or timezone.localdate()})


@service
def invoice_cancel(*, actor, invoice, reason):
    ensure(actor, "finance.reverse")
    ensure_in_scope(actor, invoice)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status in (InvoiceStatus.CANCELLED, InvoiceStatus.REJECTED):
        raise Conflict(_("This invoice is no longer live."))
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why it is cancelled (a red-letter invoice, an error)."), field="reason")
    return transition(invoice, InvoiceStatus.CANCELLED, actor, reason.strip())


@service
def payment_plan_set(*, actor, order, instalments, notes=""):
    """Split a contract into instalments [(due_on, amount, description)] that add up to
    its total. Once money is received on the order the plan is fixed."""

    ensure(actor, "sales.edit")
    ensure_in_scope(actor, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.is_cancelled:
        raise Conflict(_("The order is cancelled."))
    receivables = Receivable.objects.filter(order=order).exclude(status=ReceivableStatus.CANCELLED)
    if receivables.filter(allocated__gt=0).exists():
        raise Conflict(_("Money was received on this order; its payment plan is fixed."))
    if not instalments or len(instalments) > 36:
        raise ValidationFailed(_("Give between 1 and 36 instalments."), field="instalments")
    cleaned, errors = [], []
    for index, (due_on, amount, description) in enumerate(instalments, start=1):
        try:
            cleaned.append((due_on, clean_amount(amount, field=f"instalments.{index}.amount"),
                            (description or "")[:100]))
        except ValidationFailed as exc:
            errors += exc.errors
        if due_on is None:
            errors.append({"field": f"instalments.{index}.due_on", "message": _("Give the due date.")})
    if errors:
        raise ValidationFailed(errors=errors)
    total = sum((amount for _d, amount, _t in cleaned), Decimal("0"))
    if total != order.total:
        raise ValidationFailed(_("The instalments add up to ¥%(sum)s; the order is ¥%(total)s.") % {
            "sum": total, "total": order.total}, field="instalments")
    for receivable in receivables:  # the old receivables of this order, with nothing received
        # kept for the record, no longer tied to a live instalment
        transition(receivable, ReceivableStatus.CANCELLED, actor, _("Replaced by the payment plan"),
                   changes={"instalment": None})
    plan = PaymentPlan.objects.filter(order=order).first()
    if plan is None:
        plan = PaymentPlan.objects.create(order=order, notes=notes[:300], created_by=actor)
    else:
        plan.notes = notes[:300]
        plan.save(update_fields=["notes", "updated_at"])
        Receivable.objects.filter(instalment__plan=plan).update(instalment=None)
        Instalment.objects.filter(plan=plan).delete()
    Instalment.objects.bulk_create([Instalment(plan=plan, position=i, due_on=due_on, amount=amount,
                                               description=description)
                                    for i, (due_on, amount, description) in enumerate(cleaned, start=1)])
    order.refresh_from_db()
    if order.status in INVOICEABLE:
        receivable_for_order(order, actor)
    return plan
