"""Rollups (issue 12.11): the engine behind the dashboard's money figures at 10M order lines.

``DailySales`` holds one row per (day, branch, owner) with the counted orders' amount and
count and the receipts' net amount and count. The measures ``sales``, ``orders`` and
``received`` read it (through ``org.scopes.scoped``, like the raw records: orders and
receipts have no ``scope_extra``, so the owner and branch of a slice decide exactly who
sees it) once a full rebuild has finished; before that they read the raw records.
``CustomerDay`` (who bought when: retention, churn, first-time buyers) and
``MonthlyProductSales`` (net revenue and quantity per product and month: the gross margin
of whole months) are built and kept the same way.

Kept up to date three ways:

- incrementally, in the transaction of the change: an order confirmed or cancelled
  (``sales.signals``) or a receipt or reversal saved recomputes its slice from the raw
  rows under a row lock (so two web nodes confirming in the same slice cannot lose one);
  a customer saved with another branch moves its customer-day rows to it;
- fully every night (``analytics.tasks.rebuild_rollups``, Celery beat) and on demand
  (``guanxi rollups_rebuild``): changes that bypass the services (bulk imports, direct
  updates of an order's date or owner) are caught there;
- a rebuild is idempotent: the same records give the same rows.

Why rollups and not DuckDB: see docs/analytics.md, "Engine".
"""

import datetime
import time
from decimal import Decimal
from typing import NamedTuple

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from guanxi.core import memo
from guanxi.core.periods import Period, add_months, month_start
from guanxi.customers.models import Customer
from guanxi.finance.models import Receipt
from guanxi.org.scopes import scoped
from guanxi.sales.models import Order, OrderLine
from guanxi.sales.targets import COUNTED_ORDERS

from .rollup_models import CustomerDay, DailySales, MonthlyProductSales, RollupRun

ZERO = Decimal("0")
BATCH = 5000
# A line's net revenue: subtotal − discount, without tax.
LINE_NET = ExpressionWrapper(F("subtotal") - F("discount"), output_field=DecimalField(max_digits=16, decimal_places=2))


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


class Purchases(NamedTuple):
    rows: QuerySet  # rows with ``customer_id``; count customers with ``Count("customer_id", distinct=True)``
    day: str  # the field of the purchase's day
    branch: str  # the path of the customer's own branch


def purchases(user, start=None, end=None) -> Purchases:
    """The user's counted purchases dated in ``[start, end)`` (either open), one row per order
    or, once built, per customer-day slice."""
    if ready():
        rows, day, branch = CustomerDay.objects.all(), "day", "customer_branch_id"
    else:
        rows, day, branch = counted_orders(), "order_date", "customer__branch_id"
    if start is not None:
        rows = rows.filter(**{f"{day}__gte": start})
    if end is not None:
        rows = rows.filter(**{f"{day}__lt": end})
    return Purchases(scoped(rows, user).order_by(), day, branch)


EPOCH = datetime.date(1970, 1, 1)


def day_number(day):
    """Days since 1970-01-01 (the numbers ``purchase_arrays`` gives)."""
    return day.toordinal() - EPOCH.toordinal()


def purchase_arrays(found: Purchases):
    """``(customer ids, day numbers)`` of ``found``'s rows as numpy arrays, with no Python per
    row on PostgreSQL: the server packs each row into 16 bytes of one binary value that
    numpy reads as it is (as the basket extraction does); SQLite: the cursor's rows."""
    sql, params = found.rows.values_list("customer_id", found.day).query.sql_with_params()
    day = connection.ops.quote_name(found.day)  # the subquery's columns keep their field names
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT string_agg(int8send(s.customer_id) || int8send((s.{day} - DATE '1970-01-01')::int8), "  # noqa: S608
                           f"''::bytea) FROM ({sql}) s", params)
            packed = cursor.fetchone()[0]
            flat = np.frombuffer(packed, dtype=">i8").astype(np.int64) if packed else np.zeros(0, dtype=np.int64)
        else:
            cursor.execute(f"SELECT customer_id, CAST(julianday({day}) - 2440587.5 AS INTEGER) FROM ({sql})",  # noqa: S608
                           params)
            flat = np.fromiter((value for row in cursor.fetchall() for value in row), dtype=np.int64)
    return flat[0::2], flat[1::2]


def product_months(user, period: Period):
    """The user's product-month slices of ``period``, or ``None`` when they cannot answer
    (not built yet, or the period is not whole months)."""
    if not ready() or period.start.day != 1 or period.end.day != 1:
        return None
    return scoped(MonthlyProductSales.objects.filter(month__gte=period.start, month__lt=period.end), user)


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


@transaction.atomic
def customer_day_refresh(day, customer_id, owner_id, branch_id):
    """Recompute one customer-day slice from the counted orders (locked first)."""
    key = {"day": day, "customer_id": customer_id, "owner_id": owner_id, "branch_id": branch_id}
    customer_branch = Customer.objects.filter(pk=customer_id).values_list("branch_id", flat=True).first()
    CustomerDay.objects.bulk_create([CustomerDay(customer_branch_id=customer_branch, **key)], ignore_conflicts=True)
    row = CustomerDay.objects.select_for_update().get(**key)
    row.orders_count = counted_orders().filter(order_date=day, customer_id=customer_id, owner_id=owner_id,
                                               branch_id=branch_id).count()
    if not row.orders_count:
        row.delete()
        return None
    row.customer_branch_id = customer_branch
    row.save(update_fields=["orders_count", "customer_branch"])
    return row


def _product_figures(month, owner_id, branch_id, keys):
    """``{product key: (net, quantity, lines)}`` of the counted orders' lines in the slice."""
    wanted = Q(product_id__in=[key for key in keys if key])
    if 0 in keys:
        wanted |= Q(product__isnull=True)
    lines = OrderLine.objects.filter(wanted, order__in=counted_orders().filter(
        order_date__gte=month, order_date__lt=add_months(month, 1), owner_id=owner_id, branch_id=branch_id))
    rows = lines.order_by().values("product_id").annotate(net=Sum(LINE_NET), quantity=Sum("quantity"), n=Count("pk"))
    return {row["product_id"] or 0: (row["net"], row["quantity"], row["n"]) for row in rows}


@transaction.atomic
def product_months_refresh(day, owner_id, branch_id, keys):
    """Recompute the product-month slices of ``keys`` (product ids, 0 for none) of the month
    of ``day`` from the counted orders' lines (locked first, in key order)."""
    where = {"month": month_start(day), "owner_id": owner_id, "branch_id": branch_id}
    keys = sorted(set(keys))
    MonthlyProductSales.objects.bulk_create([MonthlyProductSales(product_key=key, **where) for key in keys],
                                            ignore_conflicts=True)
    rows = list(MonthlyProductSales.objects.select_for_update().filter(product_key__in=keys, **where)
                .order_by("product_key"))
    figures = _product_figures(where["month"], owner_id, branch_id, keys)
    empty = [row.pk for row in rows if row.product_key not in figures]
    kept = [row for row in rows if row.product_key in figures]
    for row in kept:
        row.net, row.quantity, row.lines_count = figures[row.product_key]
    MonthlyProductSales.objects.bulk_update(kept, ["net", "quantity", "lines_count"])
    MonthlyProductSales.objects.filter(pk__in=empty).delete()


def _maintained():
    """Incremental upkeep starts with the first rebuild (before it nothing is read)."""
    return RollupRun.objects.exists()


def order_changed(sender, order, **kwargs):
    """An order was confirmed or cancelled: its slice changes (same transaction)."""
    if _maintained():
        slice_refresh(order.order_date, order.owner_id, order.branch_id)
        customer_day_refresh(order.order_date, order.customer_id, order.owner_id, order.branch_id)
        keys = [product_id or 0 for product_id in order.lines.values_list("product_id", flat=True)]
        if keys:
            product_months_refresh(order.order_date, order.owner_id, order.branch_id, keys)


def customer_moved(sender, instance, raw=False, update_fields=None, **kwargs):
    """A customer was saved: its customer-day slices follow it to its branch (one indexed
    update; nothing to do when the branch did not change)."""
    if not raw and (update_fields is None or "branch" in update_fields):
        CustomerDay.objects.filter(customer_id=instance.pk).exclude(customer_branch_id=instance.branch_id).update(
            customer_branch_id=instance.branch_id)


def receipt_saved(sender, instance, created, raw=False, **kwargs):
    """A receipt or a reversal was recorded (receipts never change amount, date or owner)."""
    if created and not raw and _maintained():
        slice_refresh(instance.received_on, instance.owner_id, instance.branch_id)


def _aggregate(queryset, day, amount):
    return queryset.order_by().values(day, "owner_id", "branch_id").annotate(amount=Sum(amount), count=Count("pk"))


def _insert_from(model, queryset, columns):
    """``INSERT INTO`` the model's table ``SELECT`` the queryset (no rows through Python);
    ``columns`` maps each name the queryset selects to its column. A slice an order
    confirmed meanwhile wrote (and committed) is already right: ``ON CONFLICT DO NOTHING``
    (PostgreSQL and SQLite alike). Returns the row count."""
    query = queryset.query
    names = [*query.values_select, *query.annotation_select]
    sql, params = query.sql_with_params()
    quote = connection.ops.quote_name
    target = ", ".join(quote(columns[name]) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({target}) {sql} ON CONFLICT DO NOTHING",  # noqa: S608
                       params)
        return cursor.rowcount


def _rebuild_purchases(report):
    CustomerDay.objects.all().delete()
    rows = counted_orders().order_by("order_date").values(
        "order_date", "customer_id", "owner_id", "branch_id", "customer__branch_id").annotate(n=Count("pk"))
    written = _insert_from(CustomerDay, rows, {"order_date": "day", "customer_id": "customer_id",
                                               "owner_id": "owner_id", "branch_id": "branch_id",
                                               "customer__branch_id": "customer_branch_id", "n": "orders_count"})
    report("customer days", written)
    MonthlyProductSales.objects.all().delete()
    lines = OrderLine.objects.filter(order__in=counted_orders()).order_by().values(
        "order__branch_id", "order__owner_id", month=TruncMonth("order__order_date"),
        product_key=Coalesce("product_id", Value(0))).annotate(
        net=Sum(LINE_NET), quantity=Sum("quantity"), n=Count("pk"))
    written = _insert_from(MonthlyProductSales, lines, {
        "order__branch_id": "branch_id", "order__owner_id": "owner_id", "month": "month",
        "product_key": "product_key", "net": "net", "quantity": "quantity", "n": "lines_count"})
    report("product months", written)


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
        _rebuild_purchases(report)
    run.finished_at, run.rows = timezone.now(), len(rows)
    run.seconds = Decimal(f"{time.perf_counter() - started:.2f}")
    run.save(update_fields=["finished_at", "rows", "seconds"])
    RollupRun.objects.filter(started_at__lt=run.started_at - datetime.timedelta(days=30)).delete()
    return run
