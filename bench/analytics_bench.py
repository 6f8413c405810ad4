"""Analytics engine benchmark (issue 12.11): the dashboard's money figures at 10,000,000
order lines, raw ORM vs the daily rollups (vs DuckDB on a copy, if importable), against a
hand-written SQL baseline. Target: every figure ≤ 1 s cold and ≤ 200 ms warm.

    export GUANXI_DATA_DIR=/tmp/gx_bench_engine              # SQLite (WAL), the embedded default
    python bench/analytics_bench.py build --order-lines 10000000
    python bench/analytics_bench.py run [--duckdb]

    createdb -h 127.0.0.1 -U postgres gx_bench_engine
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gx_bench_engine
    python bench/analytics_bench.py build --order-lines 10000000 && python bench/analytics_bench.py run
    dropdb -h 127.0.0.1 -U postgres gx_bench_engine

Data: the demo organization; ``--customers`` realistic Chinese customers and the demo
catalogue's variants with product categories (``bench/sales_bench.py``); orders of the ten
demo salespeople and assistants over ``--years`` years with about five lines each, with
seasonality (Spring Festival trough, the 618 and year-end peaks), 12 % growth a year and a
declining Shanghai branch (−20 % a year); receipts for most counted orders 0–75 days
later (a tenth partial, 0.3 % reversed). Rows are written as tuples with COPY (PostgreSQL)
or executemany (SQLite): no model instances, no signals. ``build`` ends with a rollup
rebuild (timed).

``run`` times each dashboard figure ("widget") for four scopes (chairman: everything;
majun: a branch; wangjianguo: a department tree; liuyang: own): cold = the first call in
this process after the data files were dropped from the OS page cache
(``posix_fadvise(DONTNEED)``; PostgreSQL's shared buffers are not emptied), warm = the
next ``--repeat`` calls (p50/p95).
"""

import argparse
import bisect
import datetime
import os
import random
import statistics
import time
from decimal import Decimal
from pathlib import Path

from common import machine, setup_django, summary, timed
from sales_bench import (
    _analyze,
    _owned_customers,
    _prepare,
    _sellers,
    build_customers,
    build_products,
)

SCOPE_USERS = [("chenzhiqiang", "everything"), ("majun", "branch"), ("wangjianguo", "department tree"),
               ("liuyang", "own")]
# Month factors: Spring Festival (Jan/Feb) trough, 618 (June) and year-end peaks.
SEASON = [0.75, 0.55, 0.95, 1.0, 1.0, 1.2, 0.9, 0.9, 1.05, 0.95, 1.1, 1.35]
GROWTH, DECLINING_BRANCH, DECLINE = 0.12, "sh", 0.20
LINES_PER_ORDER = (1, 2, 3, 3, 4, 5, 5, 6, 8, 12)
COUNTED = ("confirmed", "partly_shipped", "shipped", "completed")
CHUNK = 50_000


# --- data ------------------------------------------------------------------------------
class Writer:
    """Append tuples to a table: COPY on PostgreSQL, executemany on SQLite (values as SQLite
    stores them: ISO dates, UTC datetimes, decimals as text)."""

    def __init__(self, model, columns):
        from django.db import connection

        self.connection, self.table, self.columns = connection, model._meta.db_table, columns
        self.sqlite = connection.vendor == "sqlite"

    def value(self, value):
        if not self.sqlite:
            return value
        if isinstance(value, datetime.datetime):
            return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, (datetime.date, Decimal)):
            return str(value)
        return value

    def write(self, rows):
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with self.connection.cursor() as cursor:
            if self.sqlite:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f'INSERT INTO "{self.table}" ({columns}) VALUES ({marks})',  # noqa: S608
                                   [[self.value(v) for v in row] for row in rows])
            else:
                with cursor.cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:  # noqa: S608
                    for row in rows:
                        copy.write_row(row)


def _next_id(model):
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def _reset_sequence(model):
    from django.db import connection

    if connection.vendor == "postgresql":
        table, pk = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT setval(pg_get_serial_sequence(%s, %s), (SELECT MAX("{pk}") FROM "{table}"))',  # noqa: S608
                           [table, pk])


def _day_weights(first, today):
    """Cumulative weights of each day (season × growth) and a per-branch factor per year."""
    days = [first + datetime.timedelta(days=i) for i in range((today - first).days + 1)]
    weights, total = [], 0.0
    for day in days:
        years = (day - first).days / 365.25
        total += SEASON[day.month - 1] * (1 + GROWTH) ** years * (0.8 if day.weekday() == 6 else 1.0)
        weights.append(total)
    return days, weights


def _line_choices(products, special):
    """Per product and customer level: precomputed (price, tax, …) so lines are tuples, fast."""
    from guanxi.core.money import line_totals

    cache = {}

    def line(level_id, product, quantity, discount):
        key = (level_id, product[0], quantity, discount)
        found = cache.get(key)
        if found is None:
            product_id, name, unit, price, tax_rate = product
            price = special.get((level_id, product_id), price)
            found = (name, unit, price, tax_rate, line_totals(quantity, price, discount, tax_rate))
            cache[key] = found
        return found

    return line


def build_orders(rng, line_total, years):
    """Orders, lines and receipts as tuples (see the module's docstring)."""
    from django.db import transaction
    from django.utils import timezone

    from guanxi.finance.models import Receipt
    from guanxi.org.models import User
    from guanxi.sales.models import Order, OrderLine, PriceListItem, Product

    have = OrderLine.objects.count()
    if have >= line_total:
        return
    sellers = {seller.pk: seller for seller in _sellers()}
    branch_codes = dict(User.objects.filter(pk__in=sellers).values_list("pk", "branch__code"))
    by_owner = _owned_customers()
    products = list(Product.objects.filter(is_active=True).values_list("pk", "name", "unit", "list_price", "tax_rate"))
    special = {(level, product): price for level, product, price in PriceListItem.objects.values_list(
        "price_list__level_id", "product_id", "price")}
    line = _line_choices(products, special)
    today = timezone.localdate()
    first = today.replace(year=today.year - years)
    days, cumulative = _day_weights(first, today)
    top = cumulative[-1]
    cashier = User.objects.get(username="zhouhong").pk
    orders_w = Writer(Order, ["id", "created_at", "updated_at", "subtotal", "discount_total", "tax_total", "total",
                              "currency", "number", "customer_id", "status", "order_date", "delivery_date", "notes",
                              "owner_id", "branch_id", "confirmed_at", "adjustment_total"])
    lines_w = Writer(OrderLine, ["position", "product_id", "description", "quantity", "unit", "unit_price",
                                 "discount_percent", "tax_rate", "subtotal", "discount", "tax", "total", "order_id",
                                 "shipped_quantity"])
    receipts_w = Writer(Receipt, ["id", "created_at", "updated_at", "number", "kind", "reverses_id", "amount",
                                  "allocated", "currency", "reference", "notes", "created_by_id", "customer_id",
                                  "received_on", "payer", "owner_id", "branch_id"])
    order_id, receipt_id = _next_id(Order), _next_id(Receipt)
    seller_ids = list(sellers)
    zero = Decimal("0.00")
    started = time.perf_counter()
    while have < line_total:
        orders, lines, receipts = [], [], []
        while len(lines) < CHUNK and have + len(lines) < line_total:
            day = days[bisect.bisect_left(cumulative, rng.random() * top)]
            owner_id = rng.choice(seller_ids)
            if branch_codes[owner_id] == DECLINING_BRANCH and rng.random() > (1 - DECLINE) ** ((day - first).days / 365.25):
                owner_id = rng.choice(seller_ids)  # the declining branch loses these orders to the others
            seller = sellers[owner_id]
            customer_id, level_id = rng.choice(by_owner[owner_id])
            recent = (today - day).days
            status = rng.choices(["completed", "shipped", "partly_shipped", "confirmed", "draft", "cancelled"],
                                 [70, 12, 4, 6, 3, 5] if recent > 60 else [20, 20, 15, 30, 10, 5])[0]
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)) +
                                     datetime.timedelta(minutes=rng.randint(0, 600)))
            subtotal = discount_total = tax_total = total = zero
            for position in range(1, rng.choice(LINES_PER_ORDER) + 1):
                product = rng.choice(products)
                quantity = Decimal(rng.choice((1, 1, 2, 3, 5, 10, 20, 50)))
                discount = Decimal(rng.choice((0, 0, 0, 3, 5, 8)))
                name, unit, price, tax_rate, t = line(level_id, product, quantity, discount)
                shipped = quantity if status in ("shipped", "completed") else (
                    quantity // 2 if status == "partly_shipped" else zero)
                lines.append((position, product[0], name, quantity, unit, price, discount, tax_rate, t["subtotal"],
                              t["discount"], t["tax"], t["total"], order_id, shipped))
                subtotal += t["subtotal"]
                discount_total += t["discount"]
                tax_total += t["tax"]
                total += t["total"]
            orders.append((order_id, at, at, subtotal, discount_total, tax_total, total, "CNY", f"BO-{order_id}",
                           customer_id, status, day, day + datetime.timedelta(days=rng.randint(5, 40)), "",
                           owner_id, seller.branch_id, at if status in COUNTED else None, zero))
            if status in COUNTED and rng.random() < (0.9 if recent > 90 else 0.5):
                received = day + datetime.timedelta(days=rng.randint(0, 75))
                if received <= today:
                    amount = total if rng.random() > 0.1 else (total / 2).quantize(Decimal("0.01"))
                    receipts.append((receipt_id, at, at, f"BR-{receipt_id}", "receipt", None, amount, zero, "CNY", "",
                                     "", cashier, customer_id, received, "", owner_id, seller.branch_id))
                    receipt_id += 1
                    if rng.random() < 0.003:
                        receipts.append((receipt_id, at, at, f"BR-{receipt_id}", "reversal", receipt_id - 1, -amount,
                                         zero, "CNY", "", "", cashier, customer_id, min(received + datetime.timedelta(
                                             days=rng.randint(1, 20)), today), "", owner_id, seller.branch_id))
                        receipt_id += 1
            order_id += 1
        with transaction.atomic():
            orders_w.write(orders)
            lines_w.write(lines)
            receipts_w.write(receipts)
        have += len(lines)
        print(f"  order lines: {have:,} ({time.perf_counter() - started:.0f} s)", flush=True)
    _reset_sequence(Order)
    _reset_sequence(Receipt)


def sizes():
    from django.db import connection

    from guanxi.analytics.models import DailySales
    from guanxi.customers.models import Customer
    from guanxi.finance.models import Receipt
    from guanxi.sales.models import Order, OrderLine, Product

    first, last = Order.objects.order_by("order_date").values_list("order_date", flat=True).first(), \
        Order.objects.order_by("-order_date").values_list("order_date", flat=True).first()
    return (f"{connection.vendor}: {Customer.objects.count():,} customers, {Product.objects.count():,} products, "
            f"{Order.objects.count():,} orders with {OrderLine.objects.count():,} lines ({first} – {last}), "
            f"{Receipt.objects.count():,} receipts, {DailySales.objects.count():,} rollup rows")


def build(args):
    setup_django()
    from django.db import connection

    from guanxi.analytics.rollups import rollups_rebuild

    users = _prepare()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    build_customers(rng, args.customers, users)
    build_products(rng, args.products)
    build_orders(rng, args.order_lines, args.years)
    print(f"  data written in {time.perf_counter() - started:.0f} s", flush=True)
    _analyze()
    run = rollups_rebuild(lambda step, done: print(f"  rollups {step}: {done:,}", flush=True))
    print(f"  rollup rebuild: {run.rows:,} rows in {run.seconds} s")
    print(f"{connection.vendor}; {machine()}")
    print(f"built in {time.perf_counter() - started:.0f} s; {sizes()}")


# --- measurements -----------------------------------------------------------------------
def month_periods(today, count):
    """This month and the ``count - 1`` before it, newest first."""
    from guanxi.core.periods import Period

    first = today.replace(day=1)
    periods = [Period(first, (first + datetime.timedelta(days=32)).replace(day=1))]
    while len(periods) < count:
        end = periods[-1].start
        periods.append(Period((end - datetime.timedelta(days=1)).replace(day=1), end))
    return periods


def widgets(today):
    """(name, measure code, split, periods): what the dashboard shows."""
    months = month_periods(today, 12)
    return [
        ("sales, 12-month trend per branch", "sales", "branch", months),
        ("sales, this month vs last", "sales", None, months[:2]),
        ("sales per department, this month", "sales", "department", months[:1]),
        ("sales per owner, this month", "sales", "owner", months[:1]),
        ("orders, this month vs last", "orders", None, months[:2]),
        ("received, 12-month trend per branch", "received", "branch", months),
        ("received per department, this month", "received", "department", months[:1]),
    ]


def baseline_sql(code, by, user, quote="%s"):
    """The hand-written statement for one period of a widget (parameters: start, end)."""
    from guanxi.finance.models import Receipt
    from guanxi.org.models import User
    from guanxi.org.scopes import _scope_parts
    from guanxi.sales.models import Order

    if code == "received":
        table, day, value = Receipt._meta.db_table, "received_on", "SUM(t.amount)"
        where = ""
    else:
        table, day = Order._meta.db_table, "order_date"
        value = "SUM(t.total)" if code == "sales" else "COUNT(*)"
        where = "t.status IN ({}) AND ".format(", ".join(f"'{s}'" for s in COUNTED))
    everything, owners, branch_id = _scope_parts(user)
    scope = ""
    if not everything:
        scope = f" AND (t.owner_id IN ({', '.join(str(o) for o in sorted(owners))})"
        scope += f" OR t.branch_id = {branch_id})" if branch_id else ")"
    key = {None: "NULL", "branch": "t.branch_id", "owner": "t.owner_id", "department": "u.department_id"}[by]
    join = f' JOIN "{User._meta.db_table}" u ON u.id = t.owner_id' if by == "department" else ""
    group = "" if by is None else f" GROUP BY {key}"
    return (f'SELECT {key}, {value} FROM "{table}" t{join} WHERE {where}t.{day} >= {quote} AND t.{day} < {quote}'  # noqa: S608
            f"{scope}{group}")


def _drop_page_cache():
    """Drop the database's files from the OS page cache (cold start; no root needed for own files)."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        paths = [Path(settings.DATABASES["default"]["NAME"])]
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            data_dir = Path(cursor.fetchone()[0])
            cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
            paths = list((data_dir / "base" / str(cursor.fetchone()[0])).glob("*"))
    dropped = 0
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            dropped += 1
        finally:
            os.close(fd)
    return dropped


def _duckdb_copy(path):
    """Orders, receipts and users copied into a DuckDB file (the scanners for PostgreSQL and
    SQLite download at run time, which an intranet forbids, so DuckDB reads a copy)."""
    import csv

    import duckdb
    from django.db import connection

    from guanxi.finance.models import Receipt
    from guanxi.org.models import User
    from guanxi.sales.models import Order

    started = time.perf_counter()
    tables = {Order._meta.db_table: "id, owner_id, branch_id, status, order_date, total",
              Receipt._meta.db_table: "id, owner_id, branch_id, received_on, amount",
              User._meta.db_table: "id, department_id"}
    if os.path.exists(path):
        os.remove(path)
    duck = duckdb.connect(path)
    for table, columns in tables.items():
        csv_path = f"{path}.{table}.csv"
        with open(csv_path, "w", newline="") as out, connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY (SELECT {columns} FROM "{table}") TO STDOUT WITH CSV HEADER') as copy:  # noqa: S608
                    for block in copy:
                        out.write(bytes(block).decode())
            else:
                cursor.execute(f'SELECT {columns} FROM "{table}"')  # noqa: S608
                writer = csv.writer(out)
                writer.writerow([c.strip() for c in columns.split(",")])
                while rows := cursor.fetchmany(100_000):
                    writer.writerows(rows)
        duck.execute(f"CREATE TABLE \"{table}\" AS SELECT * FROM read_csv_auto('{csv_path}')")  # noqa: S608
        os.remove(csv_path)
    duck.close()
    return time.perf_counter() - started


def _same(figures, rows):
    """Whether ORM figures ({key: value} per period) equal SQL rows ([(key, value)] per period)."""
    rows = [r.items() if isinstance(r, dict) else r for r in rows]
    return [{k: round(float(v or 0), 2) for k, v in f.items() if v} for f in figures] == \
        [{k: round(float(v or 0), 2) for k, v in r if v} for r in rows]


def run(args):
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from guanxi.analytics import measures, rollups

    users = _prepare()
    today = timezone.localdate()
    print(f"{machine()}; load average {os.getloadavg()[0]:.2f}")
    print(sizes())
    assert rollups.ready(), "build first (it rebuilds the rollups)"
    engines = ["raw ORM", "rollups", "raw SQL"]
    duck = None
    if args.duckdb:
        import duckdb

        seconds = _duckdb_copy(args.duckdb)
        print(f"DuckDB {duckdb.__version__}: copy of orders, receipts and users in {seconds:.1f} s")
        duck = duckdb.connect(args.duckdb, read_only=True)
        engines.append("DuckDB (copy)")
    real_ready = rollups.ready
    results = {}
    scopes = _scopes(args)
    for name, code, by, periods in widgets(today):
        measure = measures.get(code)
        for username, scope in scopes:
            user = users[username]

            def orm(measure=measure, user=user, by=by, periods=periods):
                return [measure.value(user, period, by) for period in periods]

            def sql(user=user, by=by, periods=periods, code=code):
                statement = baseline_sql(code, by, user)
                with connection.cursor() as cursor:
                    out = []
                    for period in periods:
                        cursor.execute(statement, [period.start, period.end])
                        out.append(cursor.fetchall())
                    return out

            def in_duck(user=user, by=by, periods=periods, code=code):
                statement = baseline_sql(code, by, user, quote="?")
                return [duck.execute(statement, [period.start, period.end]).fetchall() for period in periods]

            runs = {"raw ORM": (orm, False), "rollups": (orm, True), "raw SQL": (sql, None)}
            if duck is not None:
                runs["DuckDB (copy)"] = (in_duck, None)
            found = {}
            for engine, (func, use_rollups) in runs.items():
                rollups.ready = real_ready if use_rollups else (lambda: False)
                try:
                    _drop_page_cache()
                    started = time.perf_counter()
                    found[engine] = func()
                    cold = (time.perf_counter() - started) * 1000
                    repeat = args.repeat if engine in ("rollups", "DuckDB (copy)") else args.raw_repeat
                    p50, p95 = summary(f"{name} | {scope} | {engine}", timed(func, repeat))
                finally:
                    rollups.ready = real_ready
                results[(name, scope, engine)] = (cold, p50, p95)
                print(f"{'':<48} cold={cold:8.2f} ms", flush=True)
            # The same figures to the cent (SQLite sums decimals as floats: the raw sums drift in the 5th decimal).
            for engine in engines[1:]:
                assert _same(found["raw ORM"], found[engine]), (name, scope, engine)
    print(f"\n-- summary (ms: cold / warm p50 / warm p95; ratio = warm p50 / raw SQL warm p50); "
          f"load average {os.getloadavg()[0]:.2f}")
    print("| widget | scope | " + " | ".join(engines) + " |")
    print("|---|---|" + "---|" * len(engines))
    for name, *_rest in widgets(today):
        for _username, scope in scopes:
            base = results[(name, scope, "raw SQL")][1]
            cells = []
            for engine in engines:
                cold, p50, p95 = results[(name, scope, engine)]
                cells.append(f"{cold:.0f} / {p50:.1f} / {p95:.1f} ({p50 / base:.2f} ×)")
            print(f"| {name} | {scope} | " + " | ".join(cells) + " |")
    for engine in engines:
        colds = [v[0] for k, v in results.items() if k[2] == engine]
        warms = [v[1] for k, v in results.items() if k[2] == engine]
        print(f"{engine}: worst cold {max(colds):.0f} ms, worst warm p50 {max(warms):.1f} ms, "
              f"median warm p50 {statistics.median(warms):.1f} ms")


def _scopes(args):
    return [(u, s) for u, s in SCOPE_USERS if not args.scopes or s in args.scopes.split(",")]


def _rebuild_if_asked(args, rollups):
    if args.rebuild:
        run = rollups.rollups_rebuild(lambda step, done: print(f"  rollups {step}: {done:,}", flush=True))
        print(f"rollup rebuild: {run.rows:,} daily rows in {run.seconds} s")
        _analyze()


def run_measures(args):
    """Every registered measure (the dashboard's widgets, money or not), this month (or last), in total
    and split by branch where the measure splits so: first call (cold: page cache dropped,
    a fresh process) and the next ``--repeat`` calls (warm), per scope."""
    setup_django()
    from django.utils import timezone

    from guanxi.analytics import measures, rollups

    users = _prepare()
    _rebuild_if_asked(args, rollups)
    if args.raw:
        rollups.ready = lambda: False  # the raw records, for a side-by-side "before"
    this_month = month_periods(timezone.localdate(), 2)[1 if args.last_month else 0]
    print(f"{machine()}; load average {os.getloadavg()[0]:.2f}")
    print(f"{sizes()}; rollups ready: {rollups.ready()}; period {this_month.start} – {this_month.end}")
    chosen = [m for m in measures.all_measures() if not args.only or m.code in args.only.split(",")]
    scopes = _scopes(args)
    _drop_page_cache()
    rows = []
    for measure in chosen:
        for username, scope in scopes:
            for by in (None, "branch") if "branch" in measure.groups else (None,):
                user = users[username]

                def func(measure=measure, user=user, by=by):
                    return measure.value(user, this_month, by)

                started = time.perf_counter()
                func()
                cold = (time.perf_counter() - started) * 1000
                p50, p95 = summary(f"{measure.code} | {scope} | {by or 'total'}", timed(func, args.repeat))
                rows.append((measure.code, scope, by or "total", cold, p50, p95))
    print(f"\n-- summary (ms: first call / warm p50 / warm p95); load average {os.getloadavg()[0]:.2f}")
    print("| measure | scope | split | first / p50 / p95 |")
    print("|---|---|---|---|")
    for code, scope, by, cold, p50, p95 in rows:
        print(f"| {code} | {scope} | {by} | {cold:.0f} / {p50:.1f} / {p95:.1f} |")
    worst = max(rows, key=lambda r: r[4])
    print(f"worst first call {max(r[3] for r in rows):.0f} ms; worst warm p50 {worst[4]:.1f} ms ({worst[0]}, "
          f"{worst[1]}, {worst[2]}); over 200 ms warm: {sum(1 for r in rows if r[4] > 200)} of {len(rows)}")


def _page_loads(user, code):
    """The widget's address loaded twice through the view (a test client, the cache emptied
    first): the first load builds it, the second reads the per-user widget cache."""
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    cache.clear()  # the bench database's own cache
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = reverse("analytics:dashboard_widget", args=[code])
    loads = []
    for _ in range(2):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        loads.append((time.perf_counter() - started) * 1000)
    return f"{loads[0]:.0f}, {loads[1]:.1f}"


def run_widgets(args):
    """Every dashboard widget (``analytics.dashboard.catalog()``: a measure's figure is four
    reads, this month, last month, a year ago and the split; a trend is twelve months) built
    as the dashboard builds it, without the per-user widget cache, for each scope user who
    may see it: the first build in this process after the page cache was dropped, then
    ``--repeat`` warm builds. The dashboard then caches a built widget per user (a warm
    page load reads the cache)."""
    setup_django()
    from django.utils import timezone

    from guanxi.analytics import dashboard, rollups

    users = _prepare()
    _rebuild_if_asked(args, rollups)
    today = timezone.localdate()
    print(f"{machine()}; load average {os.getloadavg()[0]:.2f}")
    print(f"{sizes()}; rollups ready: {rollups.ready()}; today {today}")
    scopes = _scopes(args)
    _drop_page_cache()
    rows = []
    for code, widget in sorted(dashboard.catalog().items()):
        if args.only and not any(part in code for part in args.only.split(",")):
            continue
        for username, scope in scopes:
            user = users[username]
            if not widget.visible_to(user):
                continue

            def build(user=user, widget=widget):
                return dashboard.widget_data(user, widget, today)

            started = time.perf_counter()
            build()
            cold = (time.perf_counter() - started) * 1000
            p50, p95 = summary(f"{code} | {scope}", timed(build, args.repeat))
            rows.append((code, scope, cold, p50, p95, _page_loads(user, code) if args.http else ""))
    print(f"\n-- summary (ms: first build / warm p50 / warm p95; through the view: first load, then the "
          f"cached load); load average {os.getloadavg()[0]:.2f}")
    print("| widget | scope | first / p50 / p95 | view: first, cached |")
    print("|---|---|---|---|")
    for code, scope, cold, p50, p95, loads in rows:
        print(f"| {code} | {scope} | {cold:.0f} / {p50:.1f} / {p95:.1f} | {loads} |")
    print(f"{len(rows)} widget builds; worst first {max(r[2] for r in rows):.0f} ms; worst warm p50 "
          f"{max(r[3] for r in rows):.1f} ms; first over 1 s: {sum(1 for r in rows if r[2] > 1000)}; "
          f"warm p50 over 200 ms: {sum(1 for r in rows if r[3] > 200)}")


def _timing_parser(sub, name, help_text, repeat, only_help):
    p = sub.add_parser(name, help=help_text)
    p.add_argument("--repeat", type=int, default=repeat)
    p.add_argument("--scopes", default="", help="comma-separated: everything,branch,department tree,own (default all)")
    p.add_argument("--only", default="", help=only_help)
    p.add_argument("--rebuild", action="store_true", help="rebuild the rollups first (timed)")
    return p


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build")
    p.add_argument("--customers", type=int, default=20_000)
    p.add_argument("--products", type=int, default=2_000)
    p.add_argument("--order-lines", type=int, default=1_000_000)
    p.add_argument("--years", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("run")
    p.add_argument("--repeat", type=int, default=20, help="warm runs of the rollups and DuckDB")
    p.add_argument("--raw-repeat", type=int, default=3, help="warm runs of the raw ORM and raw SQL (slow at 10M)")
    p.add_argument("--scopes", default="", help="comma-separated: everything,branch,department tree,own (default all)")
    p.add_argument("--duckdb", default="", help="a DuckDB file to copy the figures' tables into and time too")
    p = _timing_parser(sub, "measures", "time every registered measure (works on the CLV bench data too)", 5,
                       "comma-separated measure codes (default all)")
    p.add_argument("--last-month", action="store_true", help="last month (a whole one) instead of this month")
    p.add_argument("--raw", action="store_true", help="read the raw records, not the rollups")
    p = _timing_parser(sub, "widgets", "time every dashboard widget as built (without the widget cache)", 3,
                       "comma-separated parts of widget codes (default all)")
    p.add_argument("--http", action="store_true", help="also load each widget twice through its view")
    args = parser.parse_args()
    {"build": build, "run": run, "measures": run_measures, "widgets": run_widgets}[args.command](args)


if __name__ == "__main__":
    main()
