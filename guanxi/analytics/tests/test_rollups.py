"""Issue 12.11: the daily rollups behind the money measures equal the raw records for
every scope, after incremental changes and after a rebuild."""

import datetime
import itertools
import random
from decimal import Decimal

from django.utils import timezone

from guanxi.analytics import measures, rollups
from guanxi.analytics.models import CustomerDay, DailySales, MonthlyProductSales, RollupRun
from guanxi.core.periods import Period, add_months
from guanxi.customers.models import Customer
from guanxi.customers.services import customers_transfer
from guanxi.finance import services as finance
from guanxi.finance.models import Receipt
from guanxi.finance.selectors import received_in
from guanxi.org.models import User
from guanxi.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier
from guanxi.sales import services as sales
from guanxi.sales.models import Order, OrderLine, Product
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


PURCHASE_MEASURES = ("retention_rate", "churn_rate", "first_time_buyers", "acquisition_cost", "gross_margin",
                     "gross_margin_rate")


def _purchase_records(demo_org, rng, today):
    """Customers of six people (a few moved to another seller's branch), orders over 120 days with
    lines of three costed products, one uncosted product and lines without a product."""
    buyer = demo_org["chenzhiqiang"]
    supplier = Supplier.objects.create(name="汇总供应商", owner=buyer, branch=buyer.branch)
    products = [Product.objects.create(sku=f"RU{i}", name=f"汇总产品{i}") for i in range(4)]
    for product, price in zip(products[:3], ("12.50", "80", "333.33"), strict=True):
        po = PurchaseOrder.objects.create(number=f"PO-{next(NUMBERS)}", supplier=supplier, owner=buyer,
                                          branch=buyer.branch, status="received")
        PurchaseOrderLine.objects.create(order=po, product=product, description="x", quantity=7,
                                         unit_price=Decimal(price), subtotal=Decimal(price) * 7)
    customers = []
    for index in range(18):
        seller = demo_org[SELLERS[index % len(SELLERS)]]
        branch = demo_org[SELLERS[(index + 1) % len(SELLERS)]].branch if index % 5 == 0 else seller.branch
        customers.append((Customer.objects.create(name=f"购买客户{index}", owner=seller, branch=branch), seller))
    for _ in range(140):
        customer, seller = rng.choice(customers)
        day = today - datetime.timedelta(days=rng.randint(0, 120))
        order = Order.objects.create(number=f"P-{next(NUMBERS)}", customer=customer, owner=seller,
                                     branch=seller.branch, status=rng.choice(STATUSES), order_date=day)
        for position in range(rng.randint(1, 4)):
            product = rng.choice([*products, None])
            quantity = Decimal(rng.randint(1, 30)) / (4 if product is None else 1)
            price = Decimal(rng.randint(100, 99_999)) / 100
            subtotal = (quantity * price).quantize(Decimal("0.01"))
            discount = (subtotal * Decimal(rng.choice((0, 0, 3, 10))) / 100).quantize(Decimal("0.01"))
            OrderLine.objects.create(order=order, position=position, product=product, description="行",
                                     quantity=quantity, unit_price=price, subtotal=subtotal, discount=discount,
                                     total=subtotal - discount)
    return customers, products


def _periods(today):
    this_month = today.replace(day=1)
    months = [Period(add_months(this_month, -k), add_months(this_month, 1 - k)) for k in range(4)]
    return [*months, Period(add_months(this_month, -3), add_months(this_month, 1)),
            Period(today - datetime.timedelta(days=40), today - datetime.timedelta(days=3))]


def _assert_purchase_measures_equal_raw(periods, monkeypatch):
    """Every purchase measure, every active user, every split: the rollups equal the raw records."""
    assert rollups.ready()
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    read = {}
    for use_rollups in (True, False):
        with monkeypatch.context() as patch:
            if not use_rollups:
                patch.setattr(rollups, "ready", lambda: False)
            for user in users:
                for period in periods:
                    for code in PURCHASE_MEASURES:
                        measure = measures.get(code)
                        for by in (None, "branch", "owner"):
                            if by is None or by in measure.groups:
                                read.setdefault((user.username, str(period), code, by), []).append(
                                    measure.value(user, period, by))
    different = [key for key, (rolled, raw) in read.items() if rolled != raw]
    assert not different, different[:5]
    assert any(any(v for v in raw.values()) for _rolled, raw in read.values())  # not all empty


def _purchase_rows():
    return (sorted(CustomerDay.objects.values_list("day", "customer_id", "owner_id", "branch_id",
                                                   "customer_branch_id", "orders_count")),
            sorted(MonthlyProductSales.objects.values_list("month", "branch_id", "owner_id", "product_key", "net",
                                                           "quantity", "lines_count")))


def test_purchase_rollups_equal_raw_measures_incrementally_and_after_rebuild(demo_org, monkeypatch):
    """ANA-4 (issue 12.11): retention, churn, first-time buyers, acquisition cost and gross margin read from the
    customer-day and product-month rollups equal the raw records for every demo user and split, for whole
    months and for a day range; after a confirmation with lines, a cancellation and a customer moved to another
    branch (incremental); and a rebuild then writes the same rows."""
    rng = random.Random(4242)
    today = timezone.localdate()
    customers, products = _purchase_records(demo_org, rng, today)
    periods = _periods(today)
    rollups.rollups_rebuild()
    days, months = _purchase_rows()
    assert len(days) > 50 and len(months) > 20 and any(row[3] == 0 for row in months)  # lines without a product too
    _assert_purchase_measures_equal_raw(periods, monkeypatch)

    liuyang, zhuwei = demo_org["liuyang"], demo_org["zhuwei"]
    customer = next(c for c, seller in customers if seller == liuyang)
    order = sales.order_create(actor=liuyang, customer=customer, lines=[
        {"product": products[0], "description": "有产品", "quantity": Decimal(3), "unit_price": Decimal("1234.50")},
        {"description": "无产品", "quantity": Decimal(2), "unit_price": Decimal("10.00")}])
    sales.order_confirm(actor=liuyang, order=order)
    cancelled = Order.objects.filter(owner=zhuwei, status="confirmed", lines__isnull=False).order_by("pk").first()
    sales.order_cancel(actor=zhuwei, order=cancelled, reason="客户取消")
    moved = next(c for c, seller in customers if seller == zhuwei and c.branch_id == zhuwei.branch_id)
    customers_transfer(actor=demo_org["chenzhiqiang"], customers=[moved], to_user=liuyang)
    assert CustomerDay.objects.filter(customer=moved).exclude(customer_branch=liuyang.branch).count() == 0
    changed = _purchase_rows()
    assert changed != (days, months)
    _assert_purchase_measures_equal_raw(periods, monkeypatch)

    rollups.rollups_rebuild()
    assert _purchase_rows() == changed  # the rebuild finds what the incremental upkeep wrote
