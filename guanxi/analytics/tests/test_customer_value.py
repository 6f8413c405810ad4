"""ANA-1: customer value (RFM scores, value tiers, history, the page)."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.analytics import value
from guanxi.analytics.models import CustomerValueSnapshot, ValueRun, ValueSettings
from guanxi.analytics.tasks import recompute_customer_value
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_create
from guanxi.sales.models import Order, OrderStatus
from guanxi.testing.sales import confirmed_order

pytestmark = pytest.mark.django_db

STATUSES = [OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.DRAFT,
            OrderStatus.CANCELLED, OrderStatus.PARTLY_SHIPPED]
COUNTED = {OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.PARTLY_SHIPPED}


def _make(owner, customers, seed=7, today=None):
    """``customers`` customers of ``owner`` with 0–6 random orders each, some outside the window."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    made = Customer.objects.bulk_create([Customer(name=f"随机客户{seed}-{i}", owner=owner, branch_id=owner.branch_id)
                                         for i in range(customers)])
    orders = []
    for customer in made:
        for _n in range(rng.randint(0, 6)):
            orders.append(Order(number=f"R{seed}-{len(orders)}", customer=customer, owner=owner,
                                branch_id=owner.branch_id, status=rng.choice(STATUSES),
                                order_date=today - datetime.timedelta(days=rng.randint(0, 900)),
                                total=Decimal(rng.randint(1, 50)) * 1000))
    Order.objects.bulk_create(orders)
    return made, orders


def _brute_force(orders, today, window_days_start):
    per = {}
    for order in orders:
        if order.status in COUNTED and window_days_start <= order.order_date <= today:
            last, f, m = per.get(order.customer_id, (None, 0, Decimal("0")))
            per[order.customer_id] = (max(last or order.order_date, order.order_date), f + 1, m + order.total)

    def quintiles(values):
        ordered = sorted(values)
        cuts = [ordered[len(ordered) * k // 5] for k in range(1, 5)]
        return lambda v: 1 + len([c for c in cuts if v >= c])

    rq = quintiles([-(today - last).days for last, _f, _m in per.values()])
    fq = quintiles([f for _l, f, _m in per.values()])
    mq = quintiles([m for _l, _f, m in per.values()])
    return {pk: (rq(-(today - last).days), fq(f), mq(m)) for pk, (last, f, m) in per.items()}


@pytest.fixture
def seller(demo_org):
    return demo_org["liuyang"]


def test_rfm_equals_a_brute_force_computation(seller):
    """ANA-1: 200 customers with random orders: R, F, M as computed in plain Python."""
    today = timezone.localdate()
    made, orders = _make(seller, 200)
    value.value_recompute_all(today)
    start = value.window_start(ValueSettings.objects.get(), today)
    assert (today - start).days in range(728, 733)  # 24 months
    expected = _brute_force(orders, today, start)
    got = {s.customer_id: (s.r, s.f, s.m) for s in CustomerValueSnapshot.objects.filter(month=today.replace(day=1))}
    assert got == expected and len(got) > 100
    assert {r for r, _f, _m in got.values()} == {1, 2, 3, 4, 5}
    settings = ValueSettings.objects.get()
    tiers = dict(Customer.objects.filter(pk__in=[c.pk for c in made]).values_list("pk", "value_tier"))
    for pk, tier in tiers.items():
        assert tier == (settings.tier(sum(expected[pk])) if pk in expected else "")


def test_tiers_follow_the_rules():
    """ANA-1: the RFM total against the configured minimums; below C is D."""
    settings = ValueSettings(tier_a_min=14, tier_b_min=11, tier_c_min=6)
    assert [settings.tier(s) for s in (15, 14, 13, 11, 10, 6, 5, 3)] == ["A", "A", "B", "B", "C", "C", "D", "D"]


def test_changed_rules_change_the_tiers(seller):
    """ANA-1: tiers are stored from the settings row."""
    made, _orders = _make(seller, 30, seed=3)
    value.value_recompute_all()
    ValueSettings.objects.update(tier_a_min=3, tier_b_min=3, tier_c_min=3)
    value.value_recompute_all()
    scored = Customer.objects.filter(pk__in=[c.pk for c in made]).exclude(value_tier="")
    assert scored.exists() and set(scored.values_list("value_tier", flat=True)) == {"A"}


def test_a_customer_no_longer_scored_loses_its_tier_and_the_run_keeps_its_window(seller):
    """ANA-1: a tier left from an earlier run (no counted order in the window any more) is
    cleared, and the run records the window's first day (the clearing loop once reused it)."""
    today = timezone.localdate()
    _make(seller, 10, seed=11, today=today)
    gone = customer_create(actor=seller, name="不再下单的客户")
    Customer.all_objects.filter(pk=gone.pk).update(value_tier="A")
    run = value.value_recompute_all(today)
    run.refresh_from_db()
    assert run.window_start == value.window_start(value.value_settings(), today)
    assert Customer.all_objects.get(pk=gone.pk).value_tier == ""


def test_the_nightly_task_is_idempotent(seller):
    """ANA-1: running the nightly recompute twice changes nothing but adds a run."""
    _make(seller, 40, seed=5)
    recompute_customer_value()
    first = list(CustomerValueSnapshot.objects.order_by("pk").values())
    tiers = list(Customer.objects.order_by("pk").values_list("pk", "value_tier"))
    recompute_customer_value()
    assert list(CustomerValueSnapshot.objects.order_by("pk").values()) == first
    assert list(Customer.objects.order_by("pk").values_list("pk", "value_tier")) == tiers
    assert ValueRun.objects.count() == 2


@pytest.mark.parametrize("customers", [50, 500])
def test_the_full_recompute_query_count_is_constant(seller, customers):
    """ANA-1: set-based: two reads (the settings, one grouped query) and at most 10 statements
    in all for 50 or 500 customers, on both databases (no batches that grow with the rows)."""
    _make(seller, customers, seed=customers)
    value.value_settings()
    with CaptureQueriesContext(connection) as queries:
        value.value_recompute_all()
    reads = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 2
    assert len(queries) <= 10


def test_an_order_confirmed_rescores_its_customer(seller):
    """ANA-1: incremental: confirming an order rescores its customer against the last run's
    boundaries, without a full run."""
    _make(seller, 60, seed=11)
    run = value.value_recompute_all()
    customer = customer_create(actor=seller, name="广州新价值客户有限公司")
    confirmed_order(seller, customer, ((1, "9000000.00"),))
    snap = CustomerValueSnapshot.objects.get(customer=customer)
    assert (snap.r, snap.m, snap.frequency) == (5, 5, 1)
    assert snap.f == value.score(1, [Decimal(b) for b in run.bounds["f"]])
    customer.refresh_from_db()
    assert customer.value_tier == ValueSettings.objects.get().tier(snap.score) != ""
    assert ValueRun.objects.count() == 1  # no full run


def test_the_page_counts_only_customers_in_scope(demo_org, client_for):
    """ANA-1: the page counts the customers in the viewer's scope (the Beijing manager: Beijing's
    only; salespeople have no analytics), each tier linked to the filtered list."""
    _make(demo_org["liuyang"], 20, seed=1)  # Guangzhou
    _make(demo_org["zhuwei"], 30, seed=2)  # Beijing
    value.value_recompute_all()
    beijing = Customer.objects.filter(owner=demo_org["zhuwei"]).exclude(value_tier="").count()
    response = client_for(demo_org["gaoyan"]).get(reverse("analytics:customer_value"))
    assert response.status_code == 200
    tiers, grid = response.context["tiers"], response.context["grid"]
    assert sum(n for _t, n in tiers) == beijing == sum(n for _r, cells in grid for _f, n in cells) > 0
    assert f'{reverse("customers:customer_list")}?value_tier=A' in response.content.decode()
    boss = client_for(demo_org["chenzhiqiang"]).get(reverse("analytics:customer_value"))
    assert boss.context["total"] == Customer.objects.exclude(value_tier="").count() > beijing
    assert client_for(demo_org["liuyang"]).get(reverse("analytics:customer_value")).status_code == 403


def test_the_customer_list_filters_by_value_tier(seller, client_for):
    """ANA-1: value_tier filters the customer list."""
    a = Customer.objects.create(name="甲级客户", owner=seller, branch_id=seller.branch_id, value_tier="A")
    d = Customer.objects.create(name="丁级客户", owner=seller, branch_id=seller.branch_id, value_tier="D")
    page = client_for(seller).get(reverse("customers:customer_list") + "?value_tier=A").content.decode()
    assert a.name in page and d.name not in page


def test_a_grid_cell_links_to_its_customers(seller, client_for, demo_org):
    """ANA-1: each R×F figure links to the customer list filtered to that cell."""
    _make(seller, 40, seed=9)
    value.value_recompute_all()
    snap = CustomerValueSnapshot.objects.order_by("pk").first()
    others = CustomerValueSnapshot.objects.exclude(r=snap.r, f=snap.f).values_list("customer__name", flat=True)
    chief = client_for(demo_org["chenzhiqiang"])
    assert f"?rf={snap.r}{snap.f}" in chief.get(reverse("analytics:customer_value")).content.decode()
    page = client_for(seller).get(reverse("customers:customer_list") + f"?rf={snap.r}{snap.f}&per_page=100")
    html = page.content.decode()
    assert snap.customer.name in html and not any(f">{name}<" in html for name in others)


def test_the_customer_page_shows_the_value_trend(demo_org, client_for):
    """ANA-1: the customer page has a value section with the month's R, F, M and tier."""
    made, _orders = _make(demo_org["liuyang"], 10, seed=4)
    value.value_recompute_all()
    snap = CustomerValueSnapshot.objects.order_by("pk").first()
    html = client_for(demo_org["chenzhiqiang"]).get(snap.customer.get_absolute_url()).content.decode()
    assert f"R{snap.r} F{snap.f} M{snap.m}" in html


def test_the_api_filters_and_returns_the_value_tier(seller, api_for):
    """ANA-1: GET /api/v1/customers?value_tier=A lists the A customers with their tier; a bad tier is a 422."""
    a = Customer.objects.create(name="甲级接口客户", owner=seller, branch_id=seller.branch_id, value_tier="A")
    Customer.objects.create(name="丁级接口客户", owner=seller, branch_id=seller.branch_id, value_tier="D")
    client, headers = api_for(seller)
    body = client.get("/api/v1/customers?value_tier=A", headers=headers).json()
    items = body["items"] if isinstance(body, dict) else body
    assert [(c["id"], c["value_tier"]) for c in items] == [(a.pk, "A")]
    assert client.get("/api/v1/customers?value_tier=Z", headers=headers).status_code == 422
