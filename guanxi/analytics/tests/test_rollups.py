"""Issue 12.11: the daily rollups behind the money measures equal the raw records for
every scope, after incremental changes and after a rebuild."""

import datetime
import itertools
import random
from decimal import Decimal

from django.utils import timezone

from guanxi.analytics import measures, rollups
from guanxi.analytics.models import DailySales, RollupRun
from guanxi.core.periods import Period
from guanxi.customers.models import Customer
from guanxi.finance import services as finance
from guanxi.finance.models import Receipt
from guanxi.finance.selectors import received_in
from guanxi.org.models import User
from guanxi.sales import services as sales
from guanxi.sales.models import Order
from guanxi.testing.sales import confirmed_order

NUMBERS = itertools.count(1)
SELLERS = ("liuyang", "liyang", "zhuwei", "hanlei", "wangjianguo", "majun")
STATUSES = ["confirmed", "partly_shipped", "shipped", "completed", "draft", "cancelled", "pending_approval"]


def _random_records(demo_org, rng, today):
    """Orders and receipts (with reversals) of six people in four branches over 90 days."""
    customers = {}
    for name in SELLERS:
        seller = demo_org[name]
        customers[name] = Customer.objects.create(name=f"汇总客户{name}", owner=seller, branch=seller.branch)
    cashier = demo_org["zhouhong"]
    for _ in range(160):
        name = rng.choice(SELLERS)
        seller, customer = demo_org[name], customers[name]
        day = today - datetime.timedelta(days=rng.randint(0, 90))
        amount = Decimal(rng.randint(100, 999_999)) / 100
        Order.objects.create(number=f"R-{next(NUMBERS)}", customer=customer, owner=seller, branch=seller.branch,
                             status=rng.choice(STATUSES), order_date=day, total=amount, subtotal=amount)
        if rng.random() < 0.6:
            receipt = Receipt.objects.create(number=f"RC-{next(NUMBERS)}", customer=customer, owner=seller,
                                             branch=seller.branch, amount=amount, received_on=day, created_by=cashier)
            if rng.random() < 0.15:
                Receipt.objects.create(number=f"RV-{next(NUMBERS)}", customer=customer, owner=seller,
                                       branch=seller.branch, amount=-amount, kind="reversal", reverses=receipt,
                                       received_on=day + datetime.timedelta(days=rng.randint(0, 3)),
                                       created_by=cashier)
    return customers


def _raw(user, period, by):
    return {
        "sales": measures.grouped(measures.counted_orders_in(user, period), by, measures.money_sum("total")),
        "orders": measures.grouped(measures.counted_orders_in(user, period), by, measures.Count("pk")),
        "received": measures.grouped(received_in(user, period.start, period.end), by, measures.money_sum("amount")),
    }


def _assert_rollups_equal_raw(periods):
    assert rollups.ready()
    for user in User.objects.filter(is_active=True).order_by("pk"):
        for period in periods:
            for by in (None, *measures.GROUPS):
                raw = _raw(user, period, by)
                for code, expected in raw.items():
                    got = measures.get(code).value(user, period, by)
                    assert got == expected, (user.username, code, str(period), by)


def _rows():
    return sorted(DailySales.objects.values_list("day", "branch_id", "owner_id", "orders_amount", "orders_count",
                                                 "received_amount", "receipts_count"))


def test_rollups_equal_raw_for_every_scope_incrementally_and_after_rebuild(demo_org):
    """ANA-10 (issue 12.11): rollup-backed sales, orders and money received equal the raw queries for every
    demo user, split every way, over random data; after a confirmation, a cancellation, a receipt and its
    reversal (incremental); and after a rebuild, which is idempotent."""
    rng = random.Random(1211)
    today = timezone.localdate()
    customers = _random_records(demo_org, rng, today)
    periods = [Period(today - datetime.timedelta(days=95), today + datetime.timedelta(days=1)),
               Period(today - datetime.timedelta(days=40), today - datetime.timedelta(days=10))]
    assert not rollups.ready()
    run = rollups.rollups_rebuild()
    assert run.finished_at is not None and run.rows == DailySales.objects.count() > 0
    _assert_rollups_equal_raw(periods)
    built = _rows()

    liuyang, zhuwei, cashier = demo_org["liuyang"], demo_org["zhuwei"], demo_org["gaoyan"]
    confirmed_order(liuyang, customers["liuyang"], total_lines=((3, "1234.50"),))
    cancelled = Order.objects.filter(owner=zhuwei, status="confirmed").order_by("pk").first()
    sales.order_cancel(actor=zhuwei, order=cancelled, reason="客户取消")
    receipt = finance.receipt_record(actor=cashier, customer=customers["zhuwei"], amount="8888.00", allocate=None)
    finance.receipt_reverse(actor=cashier, receipt=receipt, reason="退票")
    finance.receipt_record(actor=demo_org["zhouhong"], customer=customers["liyang"], amount="66.60", allocate=None)
    assert _rows() != built
    _assert_rollups_equal_raw(periods)

    changed = _rows()
    rollups.rollups_rebuild()
    assert _rows() == changed  # the rebuild finds what the incremental upkeep wrote
    rollups.rollups_rebuild()
    assert _rows() == changed  # idempotent (and so still equal to the raw records)
    assert RollupRun.objects.filter(finished_at__isnull=False).count() == 3


def test_salesperson_sees_only_own_slices_and_measures_read_raw_before_a_build(demo_org):
    """ANA-10 (issue 12.11): no leak — another branch's salesperson sees none of a seller's rollup figures;
    before the first rebuild the measures read the raw records."""
    seller, other = demo_org["liuyang"], demo_org["zhuwei"]
    assert seller.branch_id != other.branch_id
    customer = Customer.objects.create(name="泄漏测试客户", owner=seller, branch=seller.branch)
    order = confirmed_order(seller, customer, total_lines=((1, "5000.00"),))
    period = Period(order.order_date, order.order_date + datetime.timedelta(days=1))
    sales_measure = measures.get("sales")
    assert sales_measure.total(seller, period) == Decimal("5000.00")  # raw: nothing built yet
    rollups.rollups_rebuild()
    assert sales_measure.total(seller, period) == Decimal("5000.00")
    assert sales_measure.total(other, period) == 0
    assert sales_measure.value(other, period, "branch") == {}
    assert sales_measure.total(demo_org["chenzhiqiang"], period) == Decimal("5000.00")
    assert not rollups.days(other, period, "orders_count").exists()
