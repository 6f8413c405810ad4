"""ANA-2: customer lifecycle stages, moves, the nightly task and the lifecycle page."""

import datetime
import itertools
import random
import re
from collections import Counter
from decimal import Decimal
from fractions import Fraction

from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.analytics import lifecycle_demo
from guanxi.analytics.lifecycle import LifecycleReport, recompute_stages
from guanxi.analytics.lifecycle_tasks import nightly_lifecycle
from guanxi.analytics.models import LifecycleMove, LifecycleSettings
from guanxi.celery import app as celery_app
from guanxi.customers.models import Customer
from guanxi.sales.models import Order

TODAY = datetime.date(2026, 6, 15)
NUMBERS = itertools.count(1)
COUNTED = ["confirmed", "partly_shipped", "shipped", "completed"]


def brute_force(orders, today, rules):
    """The documented rules, written out over the raw (date, amount, status) list."""
    mine = sorted((d, a) for d, a, status in orders if status in COUNTED and d <= today)
    if not mine:
        return "acquisition"
    dates = [d for d, _a in mine]
    if (today - dates[-1]).days > rules.departure_days:
        return "departure"
    if (today - dates[0]).days <= rules.acquisition_days:
        return "acquisition"
    if len(dates) == 1:
        return "decline"
    usual = Fraction((dates[-1] - dates[0]).days, len(dates) - 1)
    if (today - dates[-1]).days > usual * Fraction(rules.gap_percent, 100):
        return "decline"
    period = rules.period_days
    current = sum((a for d, a in mine if 0 <= (today - d).days < period), Decimal(0))
    previous = sum((a for d, a in mine if period <= (today - d).days < 2 * period), Decimal(0))
    if current > previous * (1 + Decimal(rules.trend_percent) / 100):
        return "growth"
    if current < previous * (1 - Decimal(rules.trend_percent) / 100):
        return "decline"
    return "maturity"


def make_customers(owner, count, prefix="生命周期客户"):
    Customer.objects.bulk_create([Customer(name=f"{prefix}{i}", owner=owner, branch=owner.branch)
                                  for i in range(count)])
    # Entered long before the test's days (a run ignores customers entered after its day).
    Customer.objects.filter(name__startswith=prefix).update(created_at=datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC))
    return list(Customer.objects.filter(name__startswith=prefix).order_by("pk"))


def add_orders(customers, histories):
    seller = customers[0].owner
    orders = []
    for customer in customers:
        for d, amount, status in histories[customer.pk]:
            orders.append(Order(number=f"LC-{next(NUMBERS)}", customer=customer, owner=seller, branch=customer.branch,
                                status=status, order_date=d, total=amount, subtotal=amount))
    Order.objects.bulk_create(orders)


def random_histories(customers, rng):
    histories = {}
    for customer in customers:
        style = rng.choice(["none", "new", "steady", "burst", "gone", "sparse"])
        count = {"none": 0, "new": rng.randint(1, 2), "steady": rng.randint(4, 14), "burst": rng.randint(2, 8),
                 "gone": rng.randint(1, 5), "sparse": rng.randint(1, 3)}[style]
        span = {"new": 100, "steady": 720, "burst": 400, "gone": 900, "sparse": 900}.get(style, 1)
        offset = {"gone": 370}.get(style, 0)
        rows = []
        for _ in range(count):
            d = TODAY - datetime.timedelta(days=offset + rng.randint(-5, span))
            amount = Decimal(rng.choice([500, 1000, 1000, 2500, 8000])) + Decimal(rng.randint(0, 99)) / 100
            rows.append((d, amount, rng.choice(COUNTED + ["draft", "cancelled"] + COUNTED)))
        histories[customer.pk] = rows
    return histories


def test_stage_equals_brute_force_over_random_histories(demo_org):
    """ANA-2: every customer's stage equals the documented rules computed by hand."""
    rng = random.Random(20261204)
    customers = make_customers(demo_org["liuyang"], 200)
    histories = random_histories(customers, rng)
    add_orders(customers, histories)
    rules = LifecycleSettings.current()
    recompute_stages(TODAY)
    stages = dict(Customer.objects.values_list("pk", "lifecycle_stage"))
    expected = {c.pk: brute_force(histories[c.pk], TODAY, rules) for c in customers}
    assert {pk: stages[pk] for pk in expected} == expected
    assert len(set(expected.values())) == 5  # the random data reaches every stage


def test_thresholds_come_from_the_settings_row(demo_org):
    """ANA-2: the thresholds are configurable; a shorter departure limit moves the customer."""
    customer = make_customers(demo_org["liuyang"], 1)[0]
    history = [(TODAY - datetime.timedelta(days=days), Decimal("1000"), "completed") for days in (400, 300, 200)]
    add_orders([customer], {customer.pk: history})
    recompute_stages(TODAY)
    customer.refresh_from_db()
    assert customer.lifecycle_stage == "decline"  # nothing in the last 180 days, 3000 before
    LifecycleSettings.stored()  # reading never creates the row; an administrator's first save does
    LifecycleSettings.objects.update(departure_days=150)
    recompute_stages(TODAY)
    customer.refresh_from_db()
    assert customer.lifecycle_stage == "departure"


def test_moves_are_recorded_and_the_nightly_task_is_idempotent(demo_org):
    """ANA-2: a changed stage writes one move; a second run the same day changes nothing."""
    customers = make_customers(demo_org["liuyang"], 3)
    histories = {customers[0].pk: [(TODAY - datetime.timedelta(days=500), Decimal("900"), "completed")],
                 customers[1].pk: [(TODAY - datetime.timedelta(days=10), Decimal("900"), "confirmed")],
                 customers[2].pk: []}
    add_orders(customers, histories)
    assert nightly_lifecycle(TODAY.isoformat()) == 1
    assert list(LifecycleMove.objects.values_list("customer_id", "month", "moved_on", "from_stage", "to_stage")) == [
        (customers[0].pk, datetime.date(2026, 6, 1), TODAY, "acquisition", "departure")]
    assert nightly_lifecycle(TODAY.isoformat()) == 0
    assert LifecycleMove.objects.count() == 1
    assert dict(Customer.objects.filter(pk__in=[c.pk for c in customers]).values_list("pk", "lifecycle_stage")) == {
        customers[0].pk: "departure", customers[1].pk: "acquisition", customers[2].pk: "acquisition"}


SHAPES = [[(400, "900")], [(200, "900")],  # departure, decline (one order, no repeat)
          [(300, "100"), (200, "100"), (100, "1000"), (10, "1000")],  # growth
          [(300, "1000"), (200, "1000"), (100, "1000"), (10, "1000")]]  # maturity


def _run_with(owner, count, prefix):
    customers = make_customers(owner, count, prefix)
    add_orders(customers, {c.pk: [(TODAY - datetime.timedelta(days=days), Decimal(amount), "completed")
                                  for days, amount in SHAPES[i % 4]] for i, c in enumerate(customers)})
    with CaptureQueriesContext(connection) as queries:
        assert recompute_stages(TODAY) == count
    with CaptureQueriesContext(connection) as read:
        LifecycleReport(owner, today=TODAY).run()
    assert set(Customer.objects.filter(name__startswith=prefix).values_list("lifecycle_stage", flat=True)) == {
        "departure", "decline", "growth", "maturity"}
    return len(queries), len(read)


def test_query_count_is_constant_in_the_number_of_customers(demo_org):
    """ANA-2: the nightly computation is set-based, not a query per customer: with the
    same stages reached, 8 and 160 customers take the same queries (writes go in batches
    of 1,000 rows, fewer on SQLite for its 999 parameters, so within one batch)."""
    LifecycleSettings.current()
    LifecycleReport(demo_org["liuyang"], today=TODAY).run()  # loads the user's scope once
    small = _run_with(demo_org["liuyang"], 8, "少")
    large = _run_with(demo_org["liuyang"], 160, "多")
    assert small == large and small[0] <= 10 and small[1] <= 6  # (nightly run, report)


def test_report_is_scoped_and_rewinds_monthly_counts(demo_org):
    """ANA-2: a salesperson's report counts only his customers; the monthly counts equal
    the stages as they stood after each month's nightly run."""
    seller, other = demo_org["liuyang"], demo_org["yangfan"]
    mine = make_customers(seller, 40, "本人")
    theirs = make_customers(other, 7, "别人")
    rng = random.Random(7)
    add_orders(mine, random_histories(mine, rng))
    add_orders(theirs, {c.pk: [(TODAY - datetime.timedelta(days=20), Decimal("10"), "completed")] for c in theirs})
    snapshots = {}
    for months_back in (3, 2, 1, 0):
        day = datetime.date(2026, 6 - months_back, 15)
        recompute_stages(day)
        snapshots[day.replace(day=1)] = Counter(
            Customer.objects.filter(owner=seller).values_list("lifecycle_stage", flat=True))
    result = LifecycleReport(seller, today=TODAY).run()
    assert {row.stage: row.count for row in result.stages} == {s: snapshots[datetime.date(2026, 6, 1)][s]
                                                               for s in ["acquisition", "growth", "maturity",
                                                                         "decline", "departure"]}
    assert sum(row.count for row in result.stages) == 40
    stages = [row.stage for row in result.stages]
    by_month = dict(result.months)
    for month, counted in snapshots.items():
        assert by_month[month] == [counted[s] for s in stages], month
    assert result.moves_total == LifecycleMove.objects.filter(customer__owner=seller, month=TODAY.replace(day=1)
                                                              ).count()
    head = LifecycleReport(demo_org["chenzhiqiang"], today=TODAY).run()
    assert sum(row.count for row in head.stages) == Customer.objects.count()


def test_lifecycle_page_links_each_count_to_the_filtered_customer_list(demo_org, client_for):
    """ANA-2: the page shows counts, the move matrix, monthly counts and strategies; each
    count opens the customer list filtered by stage, and that list honours the filter."""
    customers = make_customers(demo_org["liuyang"], 2)
    add_orders(customers, {customers[0].pk: [(datetime.date.today() - datetime.timedelta(days=500),
                                              Decimal("900"), "completed")], customers[1].pk: []})
    recompute_stages()
    client = client_for(demo_org["chenzhiqiang"])
    html = client.get("/analytics/lifecycle/").content.decode()
    assert 'href="/customers/?stage=departure"' in html
    assert html.count("<svg") == 2  # the month's moves and the 12 months
    assert "Call back and learn the reason, offer an exclusive discount" in html or "回访" in html
    listed = client.get("/customers/?stage=departure").content.decode()
    assert customers[0].name in listed and customers[1].name not in listed
    assert client_for(demo_org["liuyang"]).get("/analytics/lifecycle/").status_code == 403


def test_thresholds_are_edited_on_a_settings_page(demo_org, client_for):
    """ANA-2: who manages customers sets the thresholds; bad input is refused, nothing changed."""
    url = "/analytics/lifecycle/settings/"
    good = {"acquisition_days": "60", "departure_days": "300", "period_days": "90", "trend_percent": "15",
            "gap_percent": "250"}
    assert client_for(demo_org["liuyang"]).post(url, good).status_code == 403
    assert LifecycleSettings.current().acquisition_days == 90  # refused: nothing changed
    client = client_for(demo_org["chenzhiqiang"])
    assert client.get(url).status_code == 200
    bad = client.post(url, {**good, "departure_days": "30"})  # not after acquisition
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    assert LifecycleSettings.current().departure_days == 365
    assert client.post(url, {**good, "trend_percent": "150"}).status_code == 200
    assert LifecycleSettings.current().trend_percent == 20
    assert client.post(url, good).status_code == 302
    rules = LifecycleSettings.current()
    assert (rules.acquisition_days, rules.departure_days, rules.period_days, rules.trend_percent,
            rules.gap_percent) == (60, 300, 90, 15, 250)


def test_lifecycle_page_has_no_inline_script(demo_org, client_for):
    """ANA-2 / ORG-5: the page renders for every reader without inline scripts and shows strategies."""
    Customer.objects.bulk_create([Customer(name="<script>alert(1)</script>", owner=demo_org["liuyang"],
                                           branch=demo_org["liuyang"].branch)])
    for username in ("chenzhiqiang", "majun", "wangjianguo"):
        response = client_for(demo_org[username]).get("/analytics/lifecycle/")
        assert response.status_code == 200, username
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert not re.search(r"<script\b(?![^>]*src=)[^>]*>", html)
        assert not re.search(r"\son[a-z]+=", html)


def test_demo_replays_a_year_of_nightly_runs_and_the_months_add_up(demo_org):
    """ANA-2: the demo replays the nightly run at each month's end; customers count from the
    month they were entered, so every rebuilt month equals the stages as they stood then."""
    customers = make_customers(demo_org["liuyang"], 60, "演示")
    add_orders(customers, random_histories(customers, random.Random(3)))
    for index, customer in enumerate(customers):  # entered over the last year
        Customer.objects.filter(pk=customer.pk).update(
            created_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=6 * index))
    snapshots = {}
    for day in lifecycle_demo.run_days(TODAY):
        recompute_stages(day)
        snapshots[day.replace(day=1)] = Counter(
            Customer.objects.filter(created_at__lt=datetime.datetime.combine(
                day + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC))
            .values_list("lifecycle_stage", flat=True))
    result = LifecycleReport(demo_org["chenzhiqiang"], today=TODAY).run()
    stages = [row.stage for row in result.stages]
    assert len(snapshots) == 12 and LifecycleMove.objects.values("month").distinct().count() > 6
    for month, counts in result.months:
        assert counts == [snapshots[month][s] for s in stages], month


def test_lifecycle_over_the_api_is_scoped(demo_org, api_for):
    """ANA-2: GET /api/v1/analytics/lifecycle gives the page's figures, scoped; a
    salesperson without analytics is refused; a bad date is a 422."""
    mine = make_customers(demo_org["liuyang"], 4, "接口")
    theirs = make_customers(demo_org["yangfan"], 3, "北京接口")
    add_orders(mine + theirs, {c.pk: [(TODAY - datetime.timedelta(days=400), Decimal("10"), "completed")]
                               for c in mine + theirs})
    recompute_stages(TODAY)
    client, headers = api_for(demo_org["wangjianguo"])  # the Guangzhou sales department
    body = client.get("/api/v1/analytics/lifecycle?as_of=2026-06-15", headers=headers).json()
    counts = {row["stage"]: row["count"] for row in body["stages"]}
    assert counts["departure"] == 4 and sum(counts.values()) == Customer.objects.filter(
        owner__department=demo_org["wangjianguo"].department).count()
    assert body["stages"][3]["actions"] and body["month"] == "2026-06"
    assert {"from_stage": "acquisition", "to_stage": "departure", "count": 4} in body["moves"]
    assert len(body["months"]) == 12 and body["months"][-1]["counts"]["departure"] == 4
    boss, boss_headers = api_for(demo_org["chenzhiqiang"])
    everyone = boss.get("/api/v1/analytics/lifecycle?as_of=2026-06-15", headers=boss_headers).json()
    assert {"from_stage": "acquisition", "to_stage": "departure", "count": 7} in everyone["moves"]
    assert client.get("/api/v1/analytics/lifecycle?as_of=2026-13-01", headers=headers).status_code == 422
    seller, seller_headers = api_for(demo_org["liuyang"])
    assert seller.get("/api/v1/analytics/lifecycle", headers=seller_headers).status_code == 403


def test_report_as_of_an_earlier_month_rewinds_the_later_moves(demo_org):
    """ANA-2: the report for an earlier month shows the stages as they stood then, not today's."""
    customer = make_customers(demo_org["liuyang"], 1, "往月")[0]
    add_orders([customer], {customer.pk: [(TODAY - datetime.timedelta(days=300), Decimal("10"), "completed")]})
    recompute_stages(TODAY)  # one order 300 days before: decline
    recompute_stages(TODAY + datetime.timedelta(days=100))  # 400 days: departure, in September
    june = LifecycleReport(demo_org["chenzhiqiang"], today=TODAY).run()
    counts = {row.stage: row.count for row in june.stages}
    assert counts["decline"] == 1 and counts["departure"] == 0
    assert june.months[-1][0] == datetime.date(2026, 6, 1) and june.moves_total == 1


def test_the_nightly_run_is_scheduled_and_registered():
    """ANA-2: beat runs the lifecycle task every night and the worker knows it by that name."""
    entry = next(e for e in celery_app.conf.beat_schedule.values() if e["task"].endswith("nightly_lifecycle"))
    celery_app.loader.import_default_modules()
    assert entry["task"] in celery_app.tasks and entry["schedule"].hour == {2}
