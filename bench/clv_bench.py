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
favourite bundles and sometimes one product more. Written with COPY / executemany
(``core.fastinsert``) in batches of 50,000 customers.
"""

import argparse
import datetime
import os
import random
import time
from decimal import Decimal

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


def build_history(rng, total, products):
    from django.db import transaction
    from django.utils import timezone

    from guanxi.analytics.clv_demo import basket, purchase_days
    from guanxi.core.fastinsert import insert_objects
    from guanxi.customers.models import Customer
    from guanxi.org.models import User
    from guanxi.sales.models import Order, OrderLine, OrderStatus

    have = Customer.all_objects.count()
    sellers = [u for u in User.objects.filter(is_active=True, branch__isnull=False).prefetch_related("roles")
               if u.has_module_perm("customers.create")]
    bundles = [rng.sample(products, rng.randint(2, 4)) for _ in range(60)]
    today, now = timezone.localdate(), timezone.now()
    started = time.perf_counter()
    order_count = Order.objects.count()
    while have < total:
        customers, orders, lines = [], [], []
        for i in range(have, min(have + 50_000, total)):
            seller = rng.choice(sellers)
            name = f"基准客户{i:07d}"
            customers.append(Customer(name=name, name_norm=name, owner_id=seller.pk, branch_id=seller.branch_id,
                                      category="customer", created_at=now, updated_at=now))
        with transaction.atomic():
            insert_objects(Customer, customers)
            for customer in customers:
                liked = rng.sample(bundles, 2)
                start = today - datetime.timedelta(days=rng.randint(0, 3 * 365))
                for day in purchase_days(rng, start, today, rng.gammavariate(0.6, 1 / 50), rng.betavariate(0.8, 4)):
                    order_count += 1
                    chosen = basket(rng, liked, products)
                    order = Order(number=f"BN{order_count:09d}", customer_id=customer.pk, owner_id=customer.owner_id,
                                  branch_id=customer.branch_id, status=OrderStatus.COMPLETED, order_date=day,
                                  created_at=now, updated_at=now)
                    total_amount = Decimal(0)
                    for position, product in enumerate(chosen, start=1):
                        quantity = rng.randint(1, 5)
                        amount = product.list_price * quantity
                        total_amount += amount
                        lines.append(OrderLine(order=order, position=position, product_id=product.pk,
                                               description=product.name, quantity=quantity, unit_price=product.list_price,
                                               tax_rate=0, subtotal=amount, total=amount, discount=0, tax=0))
                    order.subtotal = order.total = total_amount
                    order.discount_total = order.tax_total = Decimal(0)
                    orders.append(order)
            insert_objects(Order, orders)
            for line in lines:
                line.order_id = line.order.pk
            insert_objects(OrderLine, lines)
        have += len(customers)
        print(f"  customers {have}, orders {order_count} ({time.perf_counter() - started:.0f} s)", flush=True)


def build(args):
    rng = random.Random(args.seed)
    _prepare()
    products = build_products(rng, args.products)
    build_history(rng, args.customers, products)


def _timed(name, func):
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    print(f"{name:<44} {seconds:8.2f} s", flush=True)
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
    _run, rfm = _timed("RFM (value_recompute_all)", value.value_recompute_all)
    result, clv_seconds = _timed("CLV fit + score + store", lambda: clv.clv_compute(with_backtest=False))
    print(f"  customers {result['customers']:,}; BG/NBD {result['bgnbd']}; Gamma-Gamma {result['gamma_gamma']}")
    print(f"RFM + CLV: {rfm + clv_seconds:.2f} s (target 60 s)")
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


def main():
    setup_django()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--customers", type=int, default=1_000_000)
    b.add_argument("--products", type=int, default=400)
    b.add_argument("--seed", type=int, default=20261204)
    sub.add_parser("run")
    args = parser.parse_args()
    {"build": build, "run": run}[args.command](args)


if __name__ == "__main__":
    main()
