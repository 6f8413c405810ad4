"""Rollups (issue 12.11): the engine behind the dashboard's money figures at 10M order lines.

``DailySales`` holds one row per (day, branch, owner) with the counted orders' amount and
count and the receipts' net amount and count. The measures ``sales``, ``orders`` and
``received`` read it (through ``org.scopes.scoped``, like the raw records: orders and
receipts have no ``scope_extra``, so the owner and branch of a slice decide exactly who
sees it) once a full rebuild has finished; before that they read the raw records.

Kept up to date three ways:

- incrementally, in the transaction of the change: an order confirmed or cancelled
  (``sales.signals``) or a receipt or reversal saved recomputes its slice from the raw
  rows under a row lock (so two web nodes confirming in the same slice cannot lose one);
- fully every night (``analytics.tasks.rebuild_rollups``, Celery beat) and on demand
  (``guanxi rollups_rebuild``): changes that bypass the services (bulk imports, direct
  updates of an order's date or owner) are caught there;
- a rebuild is idempotent: the same records give the same rows.

Why rollups and not DuckDB: see docs/analytics.md, "Engine".
"""

import datetime
import time
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from guanxi.core import memo
from guanxi.finance.models import Receipt
from guanxi.org.scopes import scoped
from guanxi.sales.models import Order
from guanxi.sales.targets import COUNTED_ORDERS

from .rollup_models import DailySales, RollupRun

ZERO = Decimal("0")
BATCH = 5000


def counted_orders():
    return Order.objects.filter(status__in=COUNTED_ORDERS)


def ready():
    """Whether a full rebuild has finished (the rollups are complete and may be read):
    remembered per process until a rebuild saves its run (``memo.watch`` in ready)."""
    return memo.remember("analytics.rollups_ready",
                         lambda: RollupRun.objects.filter(finished_at__isnull=False).exists())


def days(user, period, count_field):
    """The slices of ``period`` the user may see that have rows counted in ``count_field``."""
    rows = DailySales.objects.filter(day__gte=period.start, day__lt=period.end, **{f"{count_field}__gt": 0})
    return scoped(rows, user)


def _slice_figures(day, owner_id, branch_id):
    where = {"owner_id": owner_id, "branch_id": branch_id}
    orders = counted_orders().filter(order_date=day, **where).order_by().aggregate(
        amount=Sum("total"), count=Count("pk"))
    receipts = Receipt.objects.filter(received_on=day, **where).order_by().aggregate(
        amount=Sum("amount"), count=Count("pk"))
    return {"orders_amount": orders["amount"] or ZERO, "orders_count": orders["count"],
            "received_amount": receipts["amount"] or ZERO, "receipts_count": receipts["count"]}


@transaction.atomic
def slice_refresh(day, owner_id, branch_id):
    """Recompute one slice from the raw records (locked first: a concurrent refresh of the
    same slice waits and then sees this one's rows)."""
    key = {"day": day, "owner_id": owner_id, "branch_id": branch_id}
    DailySales.objects.bulk_create([DailySales(**key)], ignore_conflicts=True)
    row = DailySales.objects.select_for_update().get(**key)
    figures = _slice_figures(day, owner_id, branch_id)
    if not figures["orders_count"] and not figures["receipts_count"]:
        row.delete()
        return None
    for name, value in figures.items():
        setattr(row, name, value)
    row.save(update_fields=list(figures))
    return row


def _maintained():
    """Incremental upkeep starts with the first rebuild (before it nothing is read)."""
    return RollupRun.objects.exists()


def order_changed(sender, order, **kwargs):
    """An order was confirmed or cancelled: its slice changes (same transaction)."""
    if _maintained():
        slice_refresh(order.order_date, order.owner_id, order.branch_id)


def receipt_saved(sender, instance, created, raw=False, **kwargs):
    """A receipt or a reversal was recorded (receipts never change amount, date or owner)."""
    if created and not raw and _maintained():
        slice_refresh(instance.received_on, instance.owner_id, instance.branch_id)


def _aggregate(queryset, day, amount):
    return queryset.order_by().values(day, "owner_id", "branch_id").annotate(amount=Sum(amount), count=Count("pk"))


def rollups_rebuild(progress=None):
    """Rebuild every slice from the raw records in one transaction (readers keep the old
    rows until it commits); returns the run. ``progress(step, done)`` is told each phase."""
    started = time.perf_counter()
    run = RollupRun.objects.create(started_at=timezone.now())
    report = progress or (lambda step, done: None)
    with transaction.atomic():
        DailySales.objects.all().delete()
        slices = {}
        for row in _aggregate(counted_orders(), "order_date", "total").iterator(chunk_size=BATCH):
            slices[(row["order_date"], row["owner_id"], row["branch_id"])] = DailySales(
                day=row["order_date"], owner_id=row["owner_id"], branch_id=row["branch_id"],
                orders_amount=row["amount"], orders_count=row["count"])
        report("orders", len(slices))
        for row in _aggregate(Receipt.objects.all(), "received_on", "amount").iterator(chunk_size=BATCH):
            key = (row["received_on"], row["owner_id"], row["branch_id"])
            found = slices.setdefault(key, DailySales(day=key[0], owner_id=key[1], branch_id=key[2]))
            found.received_amount, found.receipts_count = row["amount"], row["count"]
        report("receipts", len(slices))
        rows = list(slices.values())
        for start in range(0, len(rows), BATCH):
            # ignore_conflicts: a slice an order confirmed meanwhile wrote (and committed) is already right.
            DailySales.objects.bulk_create(rows[start:start + BATCH], ignore_conflicts=True)
            report("write", min(start + BATCH, len(rows)))
    run.finished_at, run.rows = timezone.now(), len(rows)
    run.seconds = Decimal(f"{time.perf_counter() - started:.2f}")
    run.save(update_fields=["finished_at", "rows", "seconds"])
    RollupRun.objects.filter(started_at__lt=run.started_at - datetime.timedelta(days=30)).delete()
    return run
