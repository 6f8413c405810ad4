"""Segment rules at scale (MKT-3): N customers with tags, interactions, orders and
receivables, then the count of a few rule sets (one SQL statement each).

    export GUANXI_DATA_DIR=/tmp/bench-seg DATABASE_URL=postgres://postgres@127.0.0.1/guanxi_seg_bench
    python bench/segments_bench.py --customers 1000000

Prints the machine, the database, the data size and the time of each count.
"""

import argparse
import datetime
import random
import sys
import time
from decimal import Decimal

from common import machine, setup_django, summary, timed

RULES = {
    "value tier A/B and no order in 90 days": {"match": "all", "conditions": [
        {"field": "value_tier", "op": "in", "value": ["A", "B"]},
        {"field": "ordered", "op": "not_within_days", "value": 90}]},
    "tag vip or ordered ≥ ¥5,000 in 365 days": {"match": "any", "conditions": [
        {"field": "tags", "op": "eq", "value": "vip"},
        {"field": "order_total", "op": "gte", "value": {"amount": "5000", "days": 365}}]},
    "province 44, visited in 30 days, overdue > 0": {"match": "all", "conditions": [
        {"field": "province", "op": "eq", "value": "44"},
        {"field": "interaction", "op": "within_days", "value": {"of": "visit", "days": 30}},
        {"field": "overdue_receivables", "op": "gt", "value": "0"}]},
}


def populate(count, seed=7):
    from django.core.management import call_command
    from django.utils import timezone

    from guanxi.customers.models import Customer, Interaction, Tag
    from guanxi.finance.models import Receivable
    from guanxi.org import demo
    from guanxi.sales.models import Order

    call_command("migrate", verbosity=0)
    people = demo.build()
    seller = people["liuyang"]
    if Customer.objects.count() >= count:
        return
    rng = random.Random(seed)
    today, now = timezone.localdate(), timezone.now()
    vip = Tag.objects.get_or_create(name="vip")[0]
    batch = 20000
    for start in range(0, count, batch):
        rows = [Customer(name=f"规则客户{n}", name_norm=f"规则客户{n}", owner=seller, branch=seller.branch,
                         value_tier=rng.choice("ABCD "), province=rng.choice(["44", "11", "31", "32"]))
                for n in range(start, min(start + batch, count))]
        made = Customer.objects.bulk_create(rows, batch_size=5000)
        Customer.tags.through.objects.bulk_create(
            [Customer.tags.through(customer_id=c.pk, tag_id=vip.pk) for c in made if rng.random() < 0.1],
            batch_size=5000)
        Order.objects.bulk_create([
            Order(number=f"B{c.pk}", customer=c, owner=seller, branch=seller.branch, status="confirmed",
                  order_date=today - datetime.timedelta(days=rng.randint(0, 720)),
                  total=Decimal(rng.randint(100, 20000)))
            for c in made if rng.random() < 0.5], batch_size=5000)
        Interaction.objects.bulk_create([
            Interaction(customer=c, channel=rng.choice(["visit", "phone"]), summary="b", author=seller,
                        occurred_at=now - datetime.timedelta(days=rng.randint(0, 200)))
            for c in made if rng.random() < 0.4], batch_size=5000)
        Receivable.objects.bulk_create([
            Receivable(number=f"BR{c.pk}", customer=c, owner=seller, branch=seller.branch,
                       amount=Decimal("1000"), due_on=today - datetime.timedelta(days=rng.randint(-30, 90)),
                       created_by=seller)
            for c in made if rng.random() < 0.1], batch_size=5000)
        print(f"  {start + len(made)} customers", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, ".")
    setup_django()
    from django.db import connection

    from guanxi.customers.models import Customer
    from guanxi.marketing import segment_rules

    segment_rules.register_defaults()
    print(machine(), connection.vendor)
    started = time.perf_counter()
    populate(args.customers)
    print(f"data: {Customer.objects.count()} customers ({time.perf_counter() - started:.0f} s)")
    for label, rules in RULES.items():
        query = segment_rules.customers_matching(Customer.objects.all(), rules)
        found = query.count()
        summary(f"{label} ({found})", timed(query.count, args.repeat))


if __name__ == "__main__":
    main()
