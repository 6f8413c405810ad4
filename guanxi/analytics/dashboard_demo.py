"""Demo history for the dashboard's charts (issue 12 point 12): two years of repeat
orders so every chart has a story, made through the sales services and deterministic.

- Seasonality: a strong December (year-end budgets) and January (stocking before the
  Spring Festival), a weak February, a mid-year peak in June.
- One declining branch: Shanghai's orders thin out and shrink over the last six months.
- Churned customers: a few customers per branch ordered only in the first of the two
  years, so the lifecycle run marks them departed during the last twelve months.
- Overdue receivables: finance's demo lets Beijing's customers pay late (finance/demo.py).
Runs after sales' demo and before finance's (which dates the receivables and receipts)
and the lifecycle replay.
"""

import datetime
import random

from django.db.models import Max
from django.utils import timezone

from guanxi.core.periods import add_months, month_start
from guanxi.customers.models import Customer
from guanxi.org.models import User
from guanxi.sales import services
from guanxi.sales.models import Order, Product

MONTHS = 24
SEASON = {1: 1.3, 2: 0.45, 3: 0.9, 4: 1.0, 5: 1.05, 6: 1.35, 7: 0.95, 8: 0.85, 9: 1.05, 10: 0.9, 11: 1.15, 12: 1.6}
DECLINING_BRANCH = "sh"
MARKER = "看板演示"  # in the orders' remarks: built once


def _decline(branch_code, back):
    """Shanghai's share of its usual orders ``back`` months ago (1 = usual)."""
    if branch_code != DECLINING_BRANCH or back >= 6:
        return 1.0
    return 0.35 + back * 0.1


def build(stdout=None, seed=20261204):
    if Order.objects.filter(notes=MARKER).exists() or not Product.objects.exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    this_month = month_start(today)
    products = list(Product.objects.order_by("pk"))
    sellers = list(User.objects.filter(is_active=True, branch__isnull=False, roles__code="salesperson")
                   .select_related("branch").prefetch_related("roles").order_by("pk").distinct())
    made = churned = 0
    for seller in sellers:
        customers = list(Customer.objects.filter(owner=seller, category="customer").order_by("pk")[:8])
        if not customers:
            continue
        leaving = {c.pk for c in customers[:2]}  # stop ordering after the first year
        churned += len(leaving)
        for back in range(MONTHS - 1, -1, -1):
            month = add_months(this_month, -back)
            weight = SEASON[month.month] * _decline(seller.branch.code, back) * (0.85 + 0.3 * (MONTHS - back) / MONTHS)
            for _ in range(_count(rng, 1.3 * weight)):
                active = [c for c in customers if c.pk not in leaving or back >= 12]
                customer = rng.choice(active)
                day = month + datetime.timedelta(days=rng.randint(0, 27))
                if day > today:
                    day = today
                quantity = max(1, round(rng.randint(1, 12) * (weight if seller.branch.code == DECLINING_BRANCH else 1)))
                order = services.order_create(
                    actor=seller, customer=customer, notes=MARKER,
                    lines=[{"product": product, "quantity": quantity} for product in rng.sample(products, 2)])
                order = services.order_confirm(actor=seller, order=order)
                when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
                Order.objects.filter(pk=order.pk).update(order_date=day, created_at=when, confirmed_at=when)
                made += 1
    # The customers' last deal follows their orders (the reminders and lifecycle read it).
    for row in Order.objects.filter(notes=MARKER).values("customer_id").annotate(last=Max("order_date")):
        when = timezone.make_aware(datetime.datetime.combine(row["last"], datetime.time(10)))
        Customer.objects.filter(pk=row["customer_id"], last_deal_at__lt=when).update(last_deal_at=when)
        Customer.objects.filter(pk=row["customer_id"], last_deal_at__isnull=True).update(last_deal_at=when)
    if stdout is not None:
        stdout.write(f"Demo dashboard history: {made} orders over {MONTHS} months, {churned} customers churned\n")


def _count(rng, mean):
    """A small random count around ``mean``."""
    whole = int(mean)
    return whole + (1 if rng.random() < mean - whole else 0)
