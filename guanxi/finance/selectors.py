"""Reads of money records; every one through the scope helper."""

from decimal import Decimal

from django.db.models import DecimalField, F, Sum, Value
from django.db.models.functions import Coalesce

from guanxi.org.scopes import get_scoped, scoped

from .models import Allocation, Receipt, Receivable, ReceivableStatus

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)


def receivables_visible_to(user):
    return scoped(Receivable.objects.prefetch_related("customer", "owner"), user)


def receivable_get(user, pk):
    return get_scoped(Receivable.objects.select_related("customer", "owner", "branch", "order", "shipment"),
                      user, pk=pk)


def receipts_visible_to(user):
    return scoped(Receipt.objects.prefetch_related("customer", "owner", "method"), user)


def receipt_get(user, pk):
    return get_scoped(Receipt.objects.select_related("customer", "owner", "branch", "method", "reverses"),
                      user, pk=pk)


def allocations_of_receipt(receipt):
    return Allocation.objects.filter(receipt=receipt).select_related("receivable").order_by("created_at", "pk")


def allocations_of_receivable(receivable):
    return Allocation.objects.filter(receivable=receivable).select_related("receipt").order_by("created_at", "pk")


def open_receivables_of(user, customer):
    """The customer's receivables with money outstanding, oldest due first."""
    return (receivables_visible_to(user).filter(customer=customer, allocated__lt=F("amount"))
            .exclude(status=ReceivableStatus.CANCELLED).order_by("due_on", "pk"))


def received_in(user, start, end):
    """Receipts and reversals dated in [start, end) that the user may see: their amounts
    sum to the money received, net of reversals."""
    return scoped(Receipt.objects.filter(received_on__gte=start, received_on__lt=end), user)


def received_by(user, start, end, key):
    """{key value: net amount received} for ``key`` in owner_id, owner__department_id, branch_id."""
    rows = received_in(user, start, end).order_by().values(key).annotate(
        total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY))
    return {row[key]: row["total"] for row in rows}


def customer_position(user, customer):
    """What the customer owes, has paid and holds as credit (what the user may see)."""
    receivables = receivables_visible_to(user).filter(customer=customer).exclude(status=ReceivableStatus.CANCELLED)
    totals = receivables.order_by().aggregate(
        amount=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY),
        allocated=Coalesce(Sum("allocated"), Value(ZERO), output_field=MONEY))
    receipts = receipts_visible_to(user).filter(customer=customer, kind="receipt", reversed_by__isnull=True)
    credit = receipts.order_by().aggregate(
        credit=Coalesce(Sum(F("amount") - F("allocated")), Value(ZERO), output_field=MONEY))["credit"]
    return {"receivable": totals["amount"], "received": totals["allocated"],
            "outstanding": totals["amount"] - totals["allocated"], "credit": credit}
