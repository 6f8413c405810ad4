"""ANA-3, ANA-4: the 10C / 7P measures equal brute-force computations over random data,
and stay inside the viewer's scope."""

import datetime
import itertools
import random
import re
from collections import defaultdict
from decimal import Decimal

import pytest

from guanxi.analytics import dashboard, measures, rollups, tenc
from guanxi.core.charts import heatmap
from guanxi.core.periods import Period, add_months
from guanxi.customers.models import Customer, CustomerCategory
from guanxi.finance.models import Expense, ExpenseCategory, ExpenseStatus
from guanxi.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier
from guanxi.sales.models import Lead, LeadStatus, Order, OrderLine, Product

NUMBERS = itertools.count(1)
COUNTED = ("confirmed", "shipped", "completed")
TODAY = datetime.date(2026, 11, 15)
SELLERS = ("liuyang", "liyang", "zhuwei", "hanlei")


def _order(customer, seller, day, status, total=Decimal("100")):
    return Order.objects.create(number=f"T-{next(NUMBERS)}", customer=customer, owner=seller, branch=seller.branch,
                                status=status, order_date=day, total=total, subtotal=total)


@pytest.fixture
def history(demo_org):
    """Random order history: 40 customers of four salespersons in two or more branches, 2025-01 … 2026-11."""
    rng = random.Random(412)
    rows = []  # (customer, seller, day, status)
    for index in range(40):
        seller = demo_org[SELLERS[index % len(SELLERS)]]
        customer = Customer.objects.create(name=f"留存客户{index}", owner=seller, branch=seller.branch,
                                           category=CustomerCategory.CUSTOMER)
        for _ in range(rng.randint(0, 9)):
            day = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 680))
            status = rng.choice([*COUNTED, "draft", "cancelled"])
            _order(customer, seller, day, status)
            rows.append((customer, seller, day, status))
    return rows


@pytest.fixture(params=["raw", "rollups"])
def engine(request):
    """Issue 12.11: each brute-force check runs on the raw records and again on the rollups
    (built from the data written so far by calling the fixture's value)."""
    def build():
        if request.param == "rollups":
            rollups.rollups_rebuild()
            assert rollups.ready()
    return build


def _months_by_hand(rows, keep=lambda seller: True):
    months = defaultdict(set)
    for customer, seller, day, status in rows:
        if status in COUNTED and keep(seller) and day < add_months(TODAY.replace(day=1), 1):
            months[customer.pk].add(day.replace(day=1))
    return months


def test_cohort_retention_equals_brute_force(demo_org, history):
    """ANA-4: every cell of the cohort retention grid equals a count by hand, for the chairman and a salesperson."""
    period = Period(datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))
    for user, keep in ((demo_org["chenzhiqiang"], lambda s: True),
                       (demo_org["liuyang"], lambda s: s == demo_org["liuyang"])):
        months = _months_by_hand(history, keep)
        found = tenc.cohorts(user, period, horizon=12, today=TODAY)
        expected = defaultdict(list)
        for seen in months.values():
            if period.start <= min(seen) < period.end:
                expected[min(seen)].append(seen)
        assert [c.month for c in found] == sorted(expected)
        assert found, "the random history has cohorts"
        for cohort in found:
            members = expected[cohort.month]
            assert cohort.size == len(members)
            for k, active in enumerate(cohort.active):
                by_hand = sum(1 for seen in members if add_months(cohort.month, k) in seen)
                assert active == by_hand
                assert cohort.rates[k] == (Decimal(100) * by_hand / len(members)).quantize(Decimal("0.01"))
            assert cohort.active[0] == cohort.size


def test_retention_and_churn_rates_equal_brute_force(demo_org, history, engine):
    """ANA-4: retention and churn rates, in total and per branch, equal a computation by hand (raw and rollups)."""
    boss = demo_org["chenzhiqiang"]
    engine()
    for period in (Period(datetime.date(2025, 7, 1), datetime.date(2026, 1, 1)),
                   Period(datetime.date(2026, 3, 1), datetime.date(2026, 4, 1))):
        before = Period(period.start - datetime.timedelta(days=period.days), period.start)

        def buyers(window, branch=None, history=history):
            return {c.pk for c, s, d, st in history if st in COUNTED and window.start <= d < window.end
                    and (branch is None or c.branch_id == branch)}

        def rate(branch=None, before=before, period=period):
            base = buyers(before, branch)
            return (Decimal(100) * len(base & buyers(period, branch)) / len(base)).quantize(Decimal("0.01")) \
                if base else None

        assert measures.get("retention_rate").total(boss, period) == rate()
        assert measures.get("churn_rate").total(boss, period) == Decimal(100) - rate()
        per_branch = measures.get("retention_rate").value(boss, period, "branch")
        branches = {c.branch_id for c, *_rest in history}
        for branch in branches:
            if buyers(before, branch):
                assert per_branch[branch] == rate(branch)


def test_first_time_buyers_equal_brute_force_and_do_not_leak(demo_org, history, engine):
    """ANA-4: first-time buyers equal a count by hand, in total and per branch; a salesperson counts only his own customers' orders (raw and rollups)."""
    period = Period(datetime.date(2026, 1, 1), datetime.date(2026, 7, 1))
    engine()
    for user, keep in ((demo_org["chenzhiqiang"], lambda s: True),
                       (demo_org["liuyang"], lambda s: s == demo_org["liuyang"])):
        months = _months_by_hand(history, keep)
        by_hand = sum(1 for seen in months.values() if period.start <= min(seen) < period.end)
        assert measures.get("first_time_buyers").total(user, period) == by_hand
        branch_of = {c.pk: c.branch_id for c, *_rest in history}
        per_branch = {}
        for customer, seen in months.items():
            if period.start <= min(seen) < period.end:
                per_branch[branch_of[customer]] = per_branch.get(branch_of[customer], 0) + 1
        assert measures.get("first_time_buyers").value(user, period, "branch") == per_branch


def test_trend_series_equal_the_measure_period_by_period(demo_org, history, engine):
    """ANA-4 (issue 12.11): a 12-month trend of first-time buyers and of acquisition cost (one query over each
    customer's first purchase) and of retention and churn (one read of the purchases, counted with numpy)
    equals the measure month by month and over uneven periods, for the chairman and a salesperson (raw and
    rollups); the dashboard's trend uses it."""
    sales_category = ExpenseCategory.objects.get_or_create(code="sales", defaults={"name_zh": "销售费用",
                                                                                   "name_en": "Sales"})[0]
    for index, seller in enumerate((demo_org["liuyang"], demo_org["zhuwei"])):
        for month in (3, 5, 8):
            Expense.objects.create(number=f"TS-{index}-{month}", category=sales_category, amount=Decimal(1000 + month),
                                   description="x", owner=seller, branch=seller.branch, created_by=seller,
                                   status=ExpenseStatus.APPROVED, spent_on=datetime.date(2026, month, 9))
    engine()
    months = [Period(add_months(datetime.date(2025, 12, 1), k), add_months(datetime.date(2025, 12, 1), k + 1))
              for k in range(12)]
    gapped = [Period(datetime.date(2025, 3, 1), datetime.date(2025, 5, 1)),
              Period(datetime.date(2025, 9, 10), datetime.date(2026, 2, 1)),
              Period(datetime.date(2026, 2, 3), datetime.date(2026, 2, 10))]
    for user in (demo_org["chenzhiqiang"], demo_org["liuyang"]):
        for code in ("first_time_buyers", "acquisition_cost", "retention_rate", "churn_rate"):
            measure = measures.get(code)
            for periods in (months, gapped):
                assert measure.series is not None
                assert measure.totals(user, periods) == [measure.total(user, period) for period in periods], code
        assert sum(tenc.first_time_buyers_series(user, months)) > 0
        assert any(kept for _base, kept in tenc.retention_series(user, months))
    assert any(cost is not None for cost in measures.get("acquisition_cost").totals(demo_org["chenzhiqiang"], months))
    points = dashboard.trend(demo_org["chenzhiqiang"], measures.get("first_time_buyers"), datetime.date(2026, 11, 3))
    assert [month for month, _value in points] == [period.start for period in months]
    assert [value for _month, value in points] == tenc.first_time_buyers_series(demo_org["chenzhiqiang"], months)


def test_gross_margin_equals_hand_computation_and_stays_in_scope(demo_org, engine):
    """ANA-4: margin = net revenue − quantity × average purchase price; lines without a cost stay apart; no leak (raw and rollups)."""
    buyer = demo_org["chenzhiqiang"]
    supplier = Supplier.objects.create(name="供应商", owner=buyer, branch=buyer.branch)
    widget, gadget, service = (Product.objects.create(sku=s, name=s) for s in ("W", "G", "S"))
    for product, quantity, price, status in ((widget, 10, "30", "received"), (widget, 30, "50", "ordered"),
                                             (gadget, 5, "200", "received"), (gadget, 100, "1", "draft")):
        po = PurchaseOrder.objects.create(number=f"PO-{next(NUMBERS)}", supplier=supplier, owner=buyer,
                                          branch=buyer.branch, status=status)
        PurchaseOrderLine.objects.create(order=po, product=product, description="x", quantity=quantity,
                                         unit_price=Decimal(price), subtotal=Decimal(price) * quantity)
    # widget: (300 + 1500) / 40 = 45; gadget: 1000 / 5 = 200 (the draft does not count); service: none.
    period = Period(datetime.date(2026, 5, 1), datetime.date(2026, 6, 1))
    liuyang, zhuwei = demo_org["liuyang"], demo_org["zhuwei"]
    assert liuyang.branch_id != zhuwei.branch_id
    expected = {}
    for seller, lines in ((liuyang, [(widget, 4, "70", "10"), (service, 1, "500", "0"), (gadget, 1, "260", "0")]),
                          (zhuwei, [(widget, 2, "60", "0")])):
        customer = Customer.objects.create(name=f"利润{seller.username}", owner=seller, branch=seller.branch)
        order = _order(customer, seller, datetime.date(2026, 5, 9), "confirmed")
        revenue = cost = uncosted = Decimal(0)
        for product, quantity, price, discount in lines:
            subtotal = Decimal(price) * quantity
            OrderLine.objects.create(order=order, product=product, description="x", quantity=quantity,
                                     unit_price=Decimal(price), subtotal=subtotal, discount=Decimal(discount),
                                     total=subtotal - Decimal(discount))
            unit = {widget.pk: Decimal(45), gadget.pk: Decimal(200)}.get(product.pk)
            if unit is None:
                uncosted += subtotal - Decimal(discount)
            else:
                revenue += subtotal - Decimal(discount)
                cost += unit * quantity
        expected[seller] = (revenue, cost, uncosted)
    engine()
    boss = demo_org["chenzhiqiang"]
    margin = measures.get("gross_margin")
    total_margin = sum(r - c for r, c, _u in expected.values())
    assert margin.total(boss, period) == total_margin == Decimal("180")  # (270−180) + (260−200) + (120−90)
    assert margin.value(boss, period, "branch")[liuyang.branch_id] == expected[liuyang][0] - expected[liuyang][1]
    found = tenc.profit(liuyang, period, "order__customer_id")
    assert [(p.revenue, p.cost, p.uncosted) for p in found.values()] == [expected[liuyang]]
    assert measures.get("gross_margin_rate").total(boss, period) == (
        Decimal(100) * total_margin / sum(r for r, _c, _u in expected.values())).quantize(Decimal("0.01"))


def test_acquisition_rate_and_cost_equal_brute_force(demo_org):
    """ANA-4: acquisition rate = converted / created leads; cost = approved sales expenses per first-time buyer."""
    rng = random.Random(7)
    period = Period(datetime.date(2026, 4, 1), datetime.date(2026, 5, 1))
    sales = ExpenseCategory.objects.get_or_create(code="sales", defaults={"name_zh": "销售费用", "name_en": "Sales"})[0]
    marketing = ExpenseCategory.objects.get_or_create(code="marketing", defaults={
        "name_zh": "市场推广", "name_en": "Marketing", "parent": sales})[0]
    rent = ExpenseCategory.objects.get_or_create(code="rent", defaults={"name_zh": "房租", "name_en": "Rent"})[0]
    assert marketing.parent == sales and rent.parent is None
    created = converted = 0
    spent = Decimal(0)
    for index in range(30):
        seller = demo_org[SELLERS[index % len(SELLERS)]]
        inside = rng.random() < 0.7
        when = datetime.datetime(2026, 4 if inside else 3, rng.randint(1, 28), 10, tzinfo=datetime.UTC)
        status = rng.choice([LeadStatus.NEW, LeadStatus.CONVERTED, LeadStatus.LOST])
        lead = Lead.objects.create(company=f"线索{index}", owner=seller, branch=seller.branch, status=status)
        Lead.objects.filter(pk=lead.pk).update(created_at=when)
        created += inside
        converted += inside and status == LeadStatus.CONVERTED
        category = rng.choice([sales, marketing, rent])
        expense_status = rng.choice([ExpenseStatus.APPROVED, ExpenseStatus.DRAFT])
        amount = Decimal(rng.randint(100, 9999))
        Expense.objects.create(number=f"E-{index}", category=category, amount=amount, description="x",
                               owner=seller, branch=seller.branch, created_by=seller, status=expense_status,
                               spent_on=datetime.date(2026, 4 if inside else 3, 5))
        if inside and category != rent and expense_status == ExpenseStatus.APPROVED:
            spent += amount
    buyers = 0
    for index in range(5):
        seller = demo_org[SELLERS[index % len(SELLERS)]]
        customer = Customer.objects.create(name=f"新客{index}", owner=seller, branch=seller.branch)
        _order(customer, seller, datetime.date(2026, 4 if index < 3 else 2, 10), "confirmed")
        buyers += index < 3
    boss = demo_org["chenzhiqiang"]
    assert measures.get("acquisition_rate").total(boss, period) == (
        Decimal(100) * converted / created).quantize(Decimal("0.01"))
    assert measures.get("acquisition_cost").total(boss, period) == (spent / buyers).quantize(Decimal("0.01"))


def test_heatmap_draws_every_cell_and_never_clips_labels():
    """ANA-4: the cohort heat-map is SVG, one cell per value, wide enough for its longest label."""
    svg = str(heatmap(["2026-01", "一个很长很长的队列名称"], ["M0", "M1"], [[100, 40], [100, None]],
                      notes=["12 customers", "3"]))
    assert svg.count("<rect") == 4 and "40%" in svg and "一个很长很长的队列名称" in svg
    width = float(re.search(r'viewBox="0 0 (\d+)', svg).group(1))
    label_x = float(re.search(r'<text x="([\d.]+)" y="[\d.]+" font-size="12" text-anchor="end">一个', svg).group(1))
    assert label_x >= 11 * 12  # the longest row label fits left of the grid
    assert width > label_x + 2 * 30


@pytest.mark.parametrize("tab", ["profiling", "persistency", "profitability", "performance", "prospecting",
                                 "promotion"])
def test_page_tabs_render_and_export(demo_org, client_for, history, tab):
    """ANA-3: every tab renders with its definitions; the export carries its tables."""
    client = client_for(demo_org["chenzhiqiang"])
    response = client.get(f"/analytics/10c/?tab={tab}&period=custom&start=2025-01-01&end=2026-11-30")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="muted definition"' in html
    if tab == "persistency":
        assert "<svg" in html and "M0" in html
    exported = client.get(f"/analytics/10c/?tab={tab}&period=last_12_months&export=csv")
    assert exported.status_code == 200


def test_page_does_not_leak_another_branch(demo_org, client_for, history):
    """ANA-3: the Beijing branch head's profile counts only Beijing customers; a salesperson's cohorts and
    profits only his own customers."""
    head = demo_org["majun"]
    html = client_for(head).get("/analytics/10c/?tab=profiling&period=custom&start=2025-01-01&end=2030-12-31")
    assert html.status_code == 200
    mine = Customer.objects.filter(branch=head.branch, category=CustomerCategory.CUSTOMER).count()
    assert 0 < mine < Customer.objects.filter(category=CustomerCategory.CUSTOMER).count()
    assert f'<td class="num">{mine}</td>' in html.content.decode()
    assert tenc.profile(head, "kind", Period(datetime.date(2025, 1, 1), datetime.date(2031, 1, 1))) == {
        "company": mine}
    seller = demo_org["liuyang"]
    own = {c.pk for c, s, d, st in history if s == seller}
    period = Period(datetime.date(2025, 1, 1), datetime.date(2026, 12, 1))
    assert tenc.cohorts(seller, period, today=TODAY)
    assert sum(c.size for c in tenc.cohorts(seller, period, today=TODAY)) <= len(own)
    assert set(tenc.profit(seller, period, "order__customer_id")) <= own
