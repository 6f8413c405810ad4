"""Demo money: the demo orders' receivables dated with their orders, and a year of
receipts: most paid within terms, some late, some partly, some still overdue, a few
reversed (a bounced cheque). Made through the services."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from guanxi.core import picklists
from guanxi.org.models import User

from . import services
from .models import Receipt, Receivable


def _cashier_for(branch_id):
    """The branch's finance person, else the general manager."""
    for user in User.objects.filter(branch_id=branch_id, is_active=True).prefetch_related("roles").order_by("pk"):
        if user.has_module_perm("finance.create") and user.has_module_perm("finance.reverse"):
            return user
    return User.objects.get(username="linhui")


def build(stdout=None, seed=20261202):
    if Receipt.objects.exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    methods = list(picklists.items("finance.payment_method"))
    weights = [50, 8, 14, 12, 6, 10][:len(methods)]
    # Receivables were made when the demo orders were confirmed: date them with the order.
    for receivable in Receivable.objects.select_related("order").filter(order__isnull=False):
        issued = receivable.order.order_date
        Receivable.objects.filter(pk=receivable.pk).update(
            issued_on=issued, due_on=issued + datetime.timedelta(days=rng.choice([30, 30, 45, 60])),
            created_at=timezone.make_aware(datetime.datetime.combine(issued, datetime.time(10))))
    cashiers = {}
    receipts = reversed_count = 0
    for receivable in Receivable.objects.select_related("customer").order_by("issued_on", "pk"):
        fate = rng.random()
        if fate < 0.15:
            continue  # not paid yet: overdue or not, depending on its due date
        lag = rng.randint(-5, 25) if fate < 0.8 else rng.randint(30, 150)
        received_on = receivable.due_on + datetime.timedelta(days=lag)
        if received_on > today:
            continue
        part = receivable.amount if fate < 0.9 else (receivable.amount * Decimal(rng.choice(["0.3", "0.5"]))
                                                      ).quantize(Decimal("0.01"))
        cashier = cashiers.setdefault(receivable.branch_id, _cashier_for(receivable.branch_id))
        receipt = services.receipt_record(
            actor=cashier, customer=receivable.customer, amount=part, received_on=received_on,
            method=rng.choices(methods, weights=weights)[0] if methods else None,
            reference=f"{rng.randint(10**11, 10**12 - 1)}", allocate=[(receivable, part)])
        Receipt.objects.filter(pk=receipt.pk).update(
            created_at=timezone.make_aware(datetime.datetime.combine(received_on, datetime.time(15))))
        receipts += 1
        if rng.random() < 0.02:
            services.receipt_reverse(actor=cashier, receipt=receipt, reason="支票退票",
                                     reversed_on=min(received_on + datetime.timedelta(days=3), today))
            reversed_count += 1
    if stdout is not None:
        stdout.write(f"Demo finance: {Receivable.objects.count()} receivables, {receipts} receipts "
                     f"({reversed_count} reversed).")
