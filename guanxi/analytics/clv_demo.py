"""Demo purchase history for lifetime value, churn and basket rules (ANA-4, ANA-5).

The demo's sales build a few orders per customer from opportunities; repeat buying needs
more. Each owned customer gets up to three years of completed orders drawn from the
BG/NBD story (a purchase rate per customer, a chance to stop after each purchase), so some
customers buy steadily, some have gone quiet; each order holds one of a few product
bundles (servo + power supply + cable, display + controller, filters + oil, equipment +
installation, software + maintenance) and sometimes an extra product, so the basket rules
have something to find. Then the nightly computations run once. Deterministic (seeded).
``simulate`` also feeds the tests and the benchmark.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from guanxi.core.money import document_totals, line_totals
from guanxi.customers.models import Customer
from guanxi.sales.models import Order, OrderLine, OrderStatus, Product

from .clv import run_now
from .clv_models import AnalysisJob, JobKind

BUNDLES = [["GX-SV300", "GX-PW24", "GX-CB10"], ["GX-SV750", "GX-PW24", "GX-CB10"], ["GX-DS100", "GX-PLC10"],
           ["GX-DS200", "GX-PLC10", "GX-SN01"], ["GX-FL01", "GX-OIL5"], ["GX-SN01", "GX-SN05", "GX-RL24"],
           ["GX-PLC10", "GX-SVC1"], ["GX-SW01", "GX-SVC2"]]
YEARS = 3


def purchase_days(rng, start, today, rate_per_week, dropout):
    """The days of a customer's purchases from ``start``: exponential gaps at ``rate_per_week``,
    after each repeat purchase gone with probability ``dropout`` (BG/NBD)."""
    days, day = [start], start
    while True:
        gap = max(1, round(rng.expovariate(rate_per_week) * 7))
        if gap > (today - day).days:
            break
        day += datetime.timedelta(days=gap)
        days.append(day)
        if rng.random() < dropout:
            break
    return days


def basket(rng, bundles, extras):
    """The products of one order: a bundle the customer likes, sometimes one product more."""
    chosen = list(rng.choice(bundles))
    if rng.random() < 0.3:
        chosen.append(rng.choice(extras))
    return list(dict.fromkeys(chosen))


def demo_bundles(products):
    by_sku = {p.sku: p for p in products}
    bundles = [[by_sku[s] for s in bundle if s in by_sku] for bundle in BUNDLES]
    return [b for b in bundles if b] or [[p] for p in products]


def simulate(rng, customers, products, today, years=YEARS, bundles=None):
    """[(customer, day, [products])] for ``customers`` (objects with pk, owner_id, branch_id)."""
    bundles = bundles or demo_bundles(products)
    orders = []
    for customer in customers:
        start = today - datetime.timedelta(days=rng.randint(0, 365 * years))
        liked = rng.sample(bundles, min(2, len(bundles)))
        rate, dropout = rng.gammavariate(1.5, 1 / 12), rng.betavariate(0.8, 4)
        for day in purchase_days(rng, start, today, rate, dropout):
            orders.append((customer, day, basket(rng, liked, products)))
    return orders


def write_orders(history, prefix):
    """Completed orders with their lines for the simulated history (bulk, no signals)."""
    orders, lines = [], []
    for index, (customer, day, chosen) in enumerate(history):
        order_lines = []
        for position, product in enumerate(chosen, start=1):
            quantity = Decimal(random.Random(index * 31 + position).randint(1, 6))
            line = OrderLine(position=position, product=product, description=product.name, quantity=quantity,
                             unit=product.unit, unit_price=product.list_price, tax_rate=product.tax_rate,
                             **line_totals(quantity, product.list_price, 0, product.tax_rate))
            order_lines.append(line)
        order = Order(number=f"{prefix}{index + 1:06d}", customer_id=customer.pk, owner_id=customer.owner_id,
                      branch_id=customer.branch_id, status=OrderStatus.COMPLETED, order_date=day,
                      confirmed_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
                      **document_totals(order_lines))
        orders.append(order)
        lines.append(order_lines)
    Order.objects.bulk_create(orders, batch_size=1000)
    for order, order_lines in zip(orders, lines, strict=True):
        for line in order_lines:
            line.order = order
    OrderLine.objects.bulk_create([line for order_lines in lines for line in order_lines], batch_size=2000)
    return len(orders)


def build(stdout=None, seed=20261204):
    if AnalysisJob.objects.exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    customers = list(Customer.objects.filter(owner__isnull=False, category="customer").order_by("pk"))
    products = list(Product.objects.filter(is_active=True).order_by("pk"))
    if not customers or not products:
        return
    with transaction.atomic():
        made = write_orders(simulate(rng, customers, products, today), "HIS")
    clv = run_now(JobKind.CLV, today) or {}
    rules = run_now(JobKind.BASKET, today) or {}
    if stdout is not None:
        backtest = clv.get("backtest") or {}
        stdout.write(f"Demo purchase history: {made} orders; CLV for {clv.get('customers', 0)} customers "
                     f"(back-test error {backtest.get('error_percent')} %); {rules.get('rules', 0)} basket rules\n")
