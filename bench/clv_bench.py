"""Customer value benchmarks (ANA-1, ANA-4, ANA-5): RFM and CLV for 1,000,000 customers
(target ≤ 60 s together) and basket rules over 1,000,000+ orders (target ≤ 10 s with the
extraction), on the database in the environment.

    createdb -h 127.0.0.1 -U postgres gx_bench_clv
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gx_bench_clv
    python bench/clv_bench.py build --customers 1000000     # once (about 1.8 M orders, 5 M lines)
    python bench/clv_bench.py run
    dropdb -h 127.0.0.1 -U postgres gx_bench_clv

    export GUANXI_DATA_DIR=/tmp/gx_bench_clv                # SQLite (WAL), the embedded default
    python bench/clv_bench.py build --customers 1000000 && python bench/clv_bench.py run

Data: the demo organization; ``--products`` products in 8 categories grouped into 60
bundles; ``--customers`` customers owned by the demo's salespeople, each with a purchase
history over three years from the BG/NBD story (``analytics.clv_demo``: a purchase rate
per customer, a chance to stop after each purchase), every order one of the customer's two
favourite bundles and sometimes one product more; simulated with numpy, written with
COPY (PostgreSQL) / executemany (SQLite) from a template row per table, in batches of
200,000 customers.
"""

import argparse
import datetime
import json
import os
import random
import time
from decimal import Decimal

import numpy as np
from common import machine, setup_django

CATEGORIES = ["equipment", "parts", "consumables", "service", "software"]


def _prepare():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from guanxi.org import demo

    return demo.build()


def build_products(rng, total):
    from guanxi.core import picklists
    from guanxi.sales.models import Product

    if Product.objects.count() >= total:
        return list(Product.objects.order_by("pk"))
    categories = list(picklists.items("sales.product_category"))
    Product.objects.bulk_create([Product(
        sku=f"BN-{i:05d}", name=f"基准产品 {i:05d}", category=categories[i % len(categories)] if categories else None,
        list_price=Decimal(rng.randrange(50, 20000)), tax_rate=Decimal("0.13")) for i in range(total)],
        batch_size=2000)
    return list(Product.objects.order_by("pk"))


def simulate_columns(rng, n, products, bundles, days_back=3 * 365):
    """The BG/NBD story of ``analytics.clv_demo`` vectorized over ``n`` customers: a rate per
    customer, exponential gaps, gone after each repeat purchase with probability p.
    Returns (customer index, days ago) of every purchase."""
    rate = rng.gamma(0.6, 1 / 50, n) / 7  # per day
    dropout = rng.beta(0.8, 4, n)
    age = rng.integers(0, days_back + 1, n)
    who, when = [np.arange(n)], [age]
    active, day = np.arange(n), age.astype(float)
    while len(active):
        gap = np.maximum(1, np.rint(rng.exponential(1 / rate[active])))
        day_next = day[active] - gap
        keep = day_next >= 0
        active, day_next = active[keep], day_next[keep]
        day[active] = day_next
        who.append(active)
        when.append(day_next.astype(np.int64))
        active = active[rng.random(len(active)) >= dropout[active]]
    return np.concatenate(who), np.concatenate(when)


def copy_rows(model, template, columns, count):
    """Insert ``count`` rows of ``model``, every column as in ``template`` but ``columns``
    ({attname: sequence of ready values}) with ``core.fastinsert.insert_rows``."""
    from django.db import connection

    from guanxi.core.fastinsert import insert_rows

    fields = list(model._meta.concrete_fields)
    base = []
    for field in fields:
        value = getattr(template, field.attname)
        if isinstance(value, (datetime.date, Decimal)):
            value = str(value)
        elif isinstance(value, dict):
            value = json.dumps(value)
        base.append(value)
    position = [[i for i, f in enumerate(fields) if f.attname == name][0] for name in columns]
    sequences = list(columns.values())

    def rows():
        for i in range(count):
            row = base.copy()
            for at, values in zip(position, sequences, strict=True):
                row[at] = values[i]
            yield row

    insert_rows(model, [f.attname for f in fields], rows())
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - model names
                           f'(SELECT MAX(id) FROM "{table}"))')


def _next_id(model):
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def build_history(rng, total, products):
    from django.db import transaction
    from django.utils import timezone

    from guanxi.customers.models import Customer
    from guanxi.org.models import User
    from guanxi.sales.models import Order, OrderLine, OrderStatus

    have = Customer.all_objects.count()
    sellers = [u for u in User.objects.filter(is_active=True, branch__isnull=False).prefetch_related("roles")
               if u.has_module_perm("customers.create")]
    seller_ids = np.array([u.pk for u in sellers])
    seller_branch = np.array([u.branch_id for u in sellers])
    product_ids = np.array([p.pk for p in products])
    prices = np.array([float(p.list_price) for p in products])
    names = [p.name for p in products]
    bundles = np.full((60, 4), -1)
    for b in range(60):
        chosen = rng.choice(len(products), rng.integers(2, 5), replace=False)
        bundles[b, :len(chosen)] = chosen
    today, now = timezone.localdate(), timezone.now()
    day_text = {back: str(today - datetime.timedelta(days=int(back))) for back in range(3 * 365 + 1)}
    started = time.perf_counter()
    while have < total:
        n = min(200_000, total - have)
        customer_id, order_id, line_id = _next_id(Customer), _next_id(Order), _next_id(OrderLine)
        owner = rng.integers(0, len(sellers), n)
        who, back = simulate_columns(rng, n, products, bundles)
        order = np.argsort(who, kind="stable")
        who, back = who[order], back[order]
        liked = rng.integers(0, 60, (n, 2))
        bundle = liked[who, rng.integers(0, 2, len(who))]
        items = bundles[bundle]  # orders × 4 product indexes, −1 = none
        extra = np.where(rng.random(len(who)) < 0.3, rng.integers(0, len(products), len(who)), -1)
        items = np.column_stack([items, extra])
        line_order, slot = np.nonzero(items >= 0)
        line_product = items[line_order, slot]
        quantity = rng.integers(1, 6, len(line_order))
        amount = prices[line_product] * quantity
        order_total = np.bincount(line_order, weights=amount, minlength=len(who))
        position = slot + 1
        with transaction.atomic():
            template = Customer(name="", owner_id=sellers[0].pk, branch_id=sellers[0].branch_id, category="customer",
                                created_at=now, updated_at=now)
            ids = range(customer_id, customer_id + n)
            copy_rows(Customer, template, {
                "id": ids, "name": [f"基准客户{have + i:07d}" for i in range(n)],
                "name_norm": [f"基准客户{have + i:07d}" for i in range(n)],
                "owner_id": seller_ids[owner].tolist(), "branch_id": seller_branch[owner].tolist()}, n)
            template = Order(number="", customer_id=customer_id, owner_id=sellers[0].pk,
                             branch_id=sellers[0].branch_id, status=OrderStatus.COMPLETED, order_date=today,
                             created_at=now, updated_at=now, subtotal=0, discount_total=0, tax_total=0, total=0)
            totals = [f"{v:.2f}" for v in order_total]
            copy_rows(Order, template, {
                "id": range(order_id, order_id + len(who)),
                "number": [f"BN{order_id + i:09d}" for i in range(len(who))],
                "customer_id": (who + customer_id).tolist(), "owner_id": seller_ids[owner[who]].tolist(),
                "branch_id": seller_branch[owner[who]].tolist(), "order_date": [day_text[b] for b in back.tolist()],
                "subtotal": totals, "total": totals}, len(who))
            template = OrderLine(order_id=order_id, position=1, product_id=products[0].pk, description="",
                                 quantity=1, unit_price=0, discount_percent=0, tax_rate=0, subtotal=0, discount=0,
                                 tax=0, total=0)
            amounts = [f"{v:.2f}" for v in amount]
            copy_rows(OrderLine, template, {
                "id": range(line_id, line_id + len(line_order)), "order_id": (line_order + order_id).tolist(),
                "position": position.tolist(), "product_id": product_ids[line_product].tolist(),
                "description": [names[i] for i in line_product.tolist()], "quantity": quantity.tolist(),
                "unit_price": [f"{prices[i]:.2f}" for i in line_product.tolist()], "subtotal": amounts,
                "total": amounts}, len(line_order))
        have += n
        print(f"  customers {have:,}, orders +{len(who):,}, lines +{len(line_order):,} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)


def build(args):
    _prepare()
    products = build_products(random.Random(args.seed), args.products)
    build_history(np.random.default_rng(args.seed), args.customers, products)


def _timed(name, func):
    """Wall time, and this process's CPU time (on a shared, loaded machine the wall time
    mostly measures the queue for a core; the database server's CPU is not in the second)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = func()
    seconds = time.perf_counter() - started
    print(f"{name:<44} {seconds:8.2f} s wall {time.process_time() - cpu:8.2f} s CPU "
          f"(load {os.getloadavg()[0]:.1f})", flush=True)
    return result, seconds


def run(args):
    from django.db import connection

    from guanxi.analytics import basket, clv, value
    from guanxi.customers.models import Customer
    from guanxi.sales.models import Order, OrderLine

    print(machine())
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.2f}")
    print(f"customers {Customer.all_objects.count():,}, orders {Order.objects.count():,}, "
          f"order lines {OrderLine.objects.count():,}")
    if args.only_rfm:
        for attempt in ("first", "second (idempotent)"):
            run, _s = _timed(f"RFM (value_recompute_all), {attempt} run", value.value_recompute_all)
            print(f"  {run.customers:,} customers scored; boundaries {run.bounds}")
        return
    result, clv_seconds = _timed("CLV fit + score + store", lambda: clv.clv_compute(with_backtest=False))
    print(f"  customers {result['customers']:,}; BG/NBD {result['bgnbd']}; Gamma-Gamma {result['gamma_gamma']}")
    test, _s = _timed("CLV back-test (fit on all but 180 days)", lambda: clv.backtest(datetime.date.today()))
    print(f"  back-test: {test['customers']:,} customers, MAE {test['mae']}, actual {test['actual']:,}, "
          f"predicted {test['predicted']:,}, error {test['error_percent']} %")
    for row in test["by_frequency"]:
        print(f"    {row['repeat']}{'+' if row['plus'] else ' '} {row['customers']:>9,} actual {row['actual']:.3f} "
              f"predicted {row['predicted']:.3f}")
    (orders, products), extract = _timed("basket: extract order lines", basket.order_lines)
    (n, min_count, itemsets, rules), mine = _timed("basket: frequent sets + rules", lambda: basket.mine(orders, products))
    print(f"  {n:,} orders, {len(orders):,} lines, min count {min_count}, {len(itemsets)} sets, {len(rules)} rules")
    print(f"basket extract + mine: {extract + mine:.2f} s (target 10 s)")
    summary, _s = _timed("basket: full nightly run (with storing)", basket.basket_compute)
    print(f"  {summary['seconds']}")
    if not args.skip_rfm:
        _run, rfm = _timed("RFM (value_recompute_all)", value.value_recompute_all)
        print(f"RFM + CLV: {rfm + clv_seconds:.2f} s (target 60 s)")


def main():
    setup_django()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--customers", type=int, default=1_000_000)
    b.add_argument("--products", type=int, default=400)
    b.add_argument("--seed", type=int, default=20261204)
    r = sub.add_parser("run")
    r.add_argument("--skip-rfm", action="store_true", help="leave out the RFM recompute")
    r.add_argument("--only-rfm", action="store_true", help="only the RFM recompute, twice")
    args = parser.parse_args()
    {"build": build, "run": run}[args.command](args)


if __name__ == "__main__":
    main()
