"""Target-group benchmark (MKT-1): the analysis per dimension and a cross-tab over a
large customer base, for a company-wide viewer and a branch manager.

    export DATABASE_URL=postgres://postgres@127.0.0.1/gx_mkt_audience
    python bench/audience_bench.py generate --rows 1000000 --orders 300000
    python bench/audience_bench.py orders --orders 300000   # only the orders, after an interrupted generate
    python bench/audience_bench.py run

Rows are written with bulk inserts (not through the services): the benchmark measures the
reads. Every command prints the machine, the database and the data size.
"""

import argparse
import datetime
import random
import time
from decimal import Decimal

from common import machine, setup_django, summary, timed

BATCH = 5000
OCCUPATIONS = ["", "", "工程师", "教师", "医生", "个体经营", "公务员", "销售", "财务", "采购经理", "企业主"]


def generate(args):
    setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    from guanxi.core import picklists
    from guanxi.customers import regions
    from guanxi.customers.models import Contact, Customer
    from guanxi.org import demo
    from guanxi.org.models import User

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    demo.build()
    rng = random.Random(args.seed)
    sellers = list(User.objects.filter(is_active=True, branch__isnull=False))
    industries = [item.pk for item in picklists.items("customers.industry")]
    provinces = [code for code, _name in regions.provinces()]
    today = timezone.localdate()
    started = time.perf_counter()
    for first in range(0, args.rows, BATCH):
        rows, contacts = [], []
        for i in range(first, min(first + BATCH, args.rows)):
            owner = rng.choice(sellers)
            birthday = today - datetime.timedelta(days=rng.randint(18 * 365, 75 * 365)) if rng.random() < 0.5 else None
            rows.append(Customer(
                name=f"基准客户{i}", name_norm=f"bench{i}", kind="individual" if rng.random() < 0.3 else "company",
                industry_id=rng.choice(industries) if rng.random() < 0.9 else None, occupation=rng.choice(OCCUPATIONS),
                birthday=birthday, province=rng.choice(provinces), value_tier=rng.choice("ABCD "),
                lifecycle_stage=rng.choice(["acquisition", "growth", "maturity", "decline", "departure"]),
                owner=owner, branch_id=owner.branch_id))
        Customer.objects.bulk_create(rows, batch_size=BATCH)
        for customer in rows:
            if customer.birthday is None and rng.random() < 0.3:
                contacts.append(Contact(customer_id=customer.pk, name="联系人", is_primary=True,
                                        birthday=today - datetime.timedelta(days=rng.randint(20 * 365, 70 * 365))))
        Contact.objects.bulk_create(contacts, batch_size=BATCH)
    print(f"{args.rows} customers in {time.perf_counter() - started:.0f} s")
    add_orders(args, rng, sellers, today)


def add_orders(args, rng=None, sellers=None, today=None):
    """Orders (three in four counted) over the benchmark's customers, dated in the last two years."""
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from guanxi.customers.models import Customer
    from guanxi.org.models import User
    from guanxi.sales.models import Order

    rng = rng or random.Random(args.seed)
    sellers = sellers or list(User.objects.filter(is_active=True, branch__isnull=False))
    today = today or timezone.localdate()
    started = time.perf_counter()
    owners = {u.pk: u.branch_id for u in sellers}
    owner_of = list(Customer.objects.filter(name_norm__startswith="bench").values_list("pk", "owner_id").iterator())
    for first in range(0, args.orders, BATCH):
        rows = []
        for i in range(first, min(first + BATCH, args.orders)):
            customer_id, owner_id = rng.choice(owner_of)
            total = Decimal(rng.randint(1000, 500000)) / 100
            rows.append(Order(number=f"BENCH{i:08d}", customer_id=customer_id, owner_id=owner_id,
                              branch_id=owners[owner_id], status=rng.choice(["confirmed", "shipped", "completed", "draft"]),
                              order_date=today - datetime.timedelta(days=rng.randint(0, 730)), subtotal=total,
                              total=total))
        Order.objects.bulk_create(rows, batch_size=BATCH)
    print(f"{args.orders} orders in {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run(args):
    setup_django()
    from django.db import connection

    from guanxi.customers.models import Customer
    from guanxi.marketing import audience
    from guanxi.org.models import User
    from guanxi.sales.models import Order

    print(machine(), connection.vendor, f"customers={Customer.objects.count()}", f"orders={Order.objects.count()}")
    for username in ("linhui", "majun"):
        user = User.objects.get(username=username)
        for dimension in audience.DIMENSIONS:
            summary(f"{username} {dimension}", timed(lambda u=user, d=dimension: audience.analyse(u, d), args.repeat))
        summary(f"{username} cross industry × age", timed(
            lambda u=user: audience.cross_tab(u, "industry", "age"), args.repeat))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--rows", type=int, default=100_000)
    gen.add_argument("--orders", type=int, default=30_000)
    gen.add_argument("--seed", type=int, default=13)
    gen.set_defaults(func=generate)
    orders = sub.add_parser("orders", help="only the orders (after an interrupted generate)")
    orders.add_argument("--orders", type=int, default=30_000)
    orders.add_argument("--seed", type=int, default=13)
    orders.set_defaults(func=add_orders)
    bench = sub.add_parser("run")
    bench.add_argument("--repeat", type=int, default=3)
    bench.set_defaults(func=run)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
