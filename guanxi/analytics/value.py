"""Customer value (ANA-1): RFM scores and value tiers.

Counted orders are those confirmed (confirmed, shipped in part or whole, completed) with
an order date in the window (``ValueSettings.window_months``, 24 by default) up to today.
R is the days since the last counted order, F the number of counted orders, M the sum
of their totals (gross: money not yet received still counts, since receivables are
finance's business and an unpaid order is still demand the customer placed).

Scores 1–5 by quintiles: the four boundaries are the values at positions n·k/5
(k = 1…4) of the sorted values; a customer scores 1 + the number of boundaries it
reaches, so equal values always score the same (ties are deterministic). Recency is
scored on the negated days (more recent scores higher). The tier follows the RFM total
against the settings; a customer without counted orders has no tier.

The full run (nightly) is set-based: one grouped query for all customers, the scores with
numpy, the rows through a temporary table into one upsert of the month's snapshots and one
UPDATE of the customers' tiers that changed; an order confirmed later rescores its customer against the
last run's boundaries.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from guanxi.core.fastinsert import insert_into
from guanxi.customers.models import Customer
from guanxi.org.scopes import scoped
from guanxi.sales.models import Order, OrderStatus

from .models import CustomerValueSnapshot, ValueRun, ValueSettings

COUNTED = [OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.COMPLETED]
BATCH = 1000
TIERS = ["A", "B", "C", "D"]


@dataclass(frozen=True)
class Rfm:
    customer_id: int
    recency_days: int
    frequency: int
    monetary: Decimal


# --- selectors -----------------------------------------------------------------------------------
def value_settings():
    return ValueSettings.objects.order_by("pk").first() or ValueSettings.objects.create()


def window_start(settings, today):
    """The same day ``window_months`` months back (the month's last day where it is shorter)."""
    year, month = divmod(today.year * 12 + today.month - 1 - settings.window_months, 12)
    return datetime.date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def counted_orders(start, today):
    return Order.objects.filter(status__in=COUNTED, order_date__gte=start, order_date__lte=today)


def rfm_values(orders, today):
    """One grouped query: the RFM of every customer with counted orders."""
    rows = orders.values("customer_id").annotate(last=Max("order_date"), f=Count("pk"), m=Sum("total")) \
        .order_by("customer_id")
    return [Rfm(row["customer_id"], (today - row["last"]).days, row["f"], row["m"] or Decimal("0")) for row in rows]


def quintile_bounds(values):
    ordered = sorted(values)
    n = len(ordered)
    return [ordered[n * k // 5] for k in range(1, 5)] if n else []


def score(value, bounds):
    return 1 + sum(1 for bound in bounds if value >= bound)


def last_run():
    return ValueRun.objects.first()


def scores(rfm, bounds):
    r = score(-rfm.recency_days, [Decimal(b) for b in bounds["r"]])
    f = score(rfm.frequency, [Decimal(b) for b in bounds["f"]])
    m = score(rfm.monetary, [Decimal(b) for b in bounds["m"]])
    return r, f, m


def snapshots_visible_to(user, month=None):
    """The customers' value rows in the user's scope (a month's, the current by default)."""
    month = month or timezone.localdate().replace(day=1)
    return CustomerValueSnapshot.objects.filter(
        month=month, customer_id__in=scoped(Customer.objects.all(), user).values("pk"))


def distribution(user):
    """Counts per tier and the 5×5 R×F grid of the user's customers this month (two queries)."""
    rows = snapshots_visible_to(user)
    tiers = dict(rows.values_list("tier").annotate(n=Count("pk")).order_by())
    cells = {(row["r"], row["f"]): row["n"] for row in rows.values("r", "f").annotate(n=Count("pk")).order_by()}
    grid = [(r, [(f, cells.get((r, f), 0)) for f in range(1, 6)]) for r in range(5, 0, -1)]
    return [(tier, tiers.get(tier, 0)) for tier in TIERS], grid


RF_CELLS = [(f"{r}{f}", f"R{r} F{f}") for r in range(1, 6) for f in range(1, 6)]


def filter_rf_cell(queryset, raw, request):
    """The customer list's ``?rf=<R><F>``: customers in that R×F cell this month."""
    return queryset.filter(pk__in=CustomerValueSnapshot.objects.filter(
        month=timezone.localdate().replace(day=1), r=int(raw[0]), f=int(raw[1])).values("customer_id"))


def history_of(user, customer):
    return CustomerValueSnapshot.objects.filter(
        customer=customer, customer_id__in=scoped(Customer.objects.all(), user).values("pk")).order_by("-month")


# --- services ------------------------------------------------------------------------------------
SCORED = "analytics_value_scored"  # the run's temporary table
SCORED_COLUMNS = ["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "score", "tier"]


def _snapshot(rfm, r, f, m, tier, month):
    return CustomerValueSnapshot(customer_id=rfm.customer_id, month=month, recency_days=rfm.recency_days,
                                 frequency=rfm.frequency, monetary=rfm.monetary, r=r, f=f, m=m, score=r + f + m,
                                 tier=tier)


def _save_snapshots(snapshots):
    CustomerValueSnapshot.objects.bulk_create(
        snapshots, batch_size=BATCH, update_conflicts=True, unique_fields=["customer", "month"],
        update_fields=["recency_days", "frequency", "monetary", "r", "f", "m", "score", "tier"])


def _columns(values, today):
    """The extraction as arrays: ids, days since the last order, orders, and cents (exact)."""
    ids = np.fromiter((v[0] for v in values), dtype=np.int64, count=len(values))
    recency = today.toordinal() - np.fromiter((v[1].toordinal() for v in values), dtype=np.int64, count=len(values))
    frequency = np.fromiter((v[2] for v in values), dtype=np.int64, count=len(values))
    cents = np.fromiter((int((v[3] or 0) * 100) for v in values), dtype=np.int64, count=len(values))
    return ids, recency, frequency, cents


def _quintile_scores(values):
    """(scores 1–5, the four boundaries) by the rule of ``quintile_bounds`` and ``score``:
    1 + the number of boundaries a value reaches."""
    ordered = np.sort(values)
    bounds = ordered[[len(values) * k // 5 for k in range(1, 5)]] if len(values) else ordered[:0]
    return 1 + np.searchsorted(bounds, values, side="right"), bounds.tolist()


def _money(cents):
    return str(Decimal(int(cents)).scaleb(-2))


@transaction.atomic
def value_recompute_all(today=None):
    """Score every customer and set its tier; returns the run. Idempotent for a day.

    Set-based, so a million customers take seconds: one grouped extraction, the scores
    with numpy, the rows into a temporary table (COPY on PostgreSQL), then one upsert of
    the month's snapshots and one UPDATE of the tiers that changed (cleared for customers
    no longer scored)."""
    today = today or timezone.localdate()
    settings = value_settings()
    start = window_start(settings, today)
    values = list(counted_orders(start, today).values_list("customer_id").annotate(
        last=Max("order_date"), f=Count("pk"), m=Sum("total")).order_by("customer_id"))
    ids, recency, frequency, cents = _columns(values, today)
    r, r_bounds = _quintile_scores(-recency)
    f, f_bounds = _quintile_scores(frequency)
    m, m_bounds = _quintile_scores(cents)
    bounds = {"r": [str(b) for b in r_bounds], "f": [str(b) for b in f_bounds], "m": [_money(b) for b in m_bounds]}
    total = r + f + m
    tier_of = [settings.tier(points) for points in range(16)]
    month = today.replace(day=1)
    rows = ((int(pk), int(days), int(n), _money(amount), int(rs), int(fs), int(ms), int(points), tier_of[points])
            for pk, days, n, amount, rs, fs, ms, points in zip(
                ids, recency, frequency, cents, r, f, m, total, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {SCORED} (customer_id bigint PRIMARY KEY, recency_days integer, "
                       "frequency integer, monetary numeric(16, 2), r smallint, f smallint, m smallint, "
                       "score smallint, tier varchar(1))")
        insert_into(SCORED, SCORED_COLUMNS, rows)
        snapshots = CustomerValueSnapshot._meta.db_table
        columns = ", ".join(SCORED_COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in SCORED_COLUMNS[1:])
        # "WHERE true": SQLite needs it to read ON CONFLICT after INSERT … SELECT.
        cursor.execute(f"INSERT INTO {snapshots} (month, {columns}) SELECT %s, {columns} FROM {SCORED} "  # noqa: S608
                       f"WHERE true ON CONFLICT (customer_id, month) DO UPDATE SET {updates}", [month])
        customers = Customer._meta.db_table
        # Each customer's new tier, '' when no longer scored; only the rows that change are written.
        tier = f"COALESCE((SELECT s.tier FROM {SCORED} s WHERE s.customer_id = {customers}.id), '')"  # noqa: S608
        cursor.execute(f"UPDATE {customers} SET value_tier = {tier} WHERE value_tier <> {tier}")  # noqa: S608
        cursor.execute(f"DROP TABLE {SCORED}")
    return ValueRun.objects.create(window_start=start, bounds=bounds, customers=len(values))


@transaction.atomic
def value_recompute_customer(customer_id, today=None):
    """Rescore one customer against the last full run's boundaries (after an order)."""
    run = last_run()
    if run is None:
        return value_recompute_all(today)
    today = today or timezone.localdate()
    settings = value_settings()
    values = rfm_values(counted_orders(window_start(settings, today), today).filter(customer_id=customer_id), today)
    if not values:
        Customer.all_objects.filter(pk=customer_id).update(value_tier="")
        return None
    r, f, m = scores(values[0], run.bounds)
    tier = settings.tier(r + f + m)
    Customer.all_objects.filter(pk=customer_id).update(value_tier=tier)
    _save_snapshots([_snapshot(values[0], r, f, m, tier, today.replace(day=1))])
    return tier
