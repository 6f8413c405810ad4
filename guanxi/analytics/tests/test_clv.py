"""ANA-4 and ANA-5 on the database: stored figures, back-test, rules, suggestions, scope, pages, API."""

import datetime
import itertools
import random
from collections import defaultdict
from decimal import Decimal

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.analytics import basket, clv, clv_demo, clv_model
from guanxi.analytics.clv_models import AnalysisJob, BasketRule, CustomerClv, JobKind, JobStatus
from guanxi.customers.models import Customer
from guanxi.sales.models import Order, OrderLine, OrderStatus, Product

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SKUS = ["GX-SV300", "GX-PW24", "GX-CB10", "GX-DS100", "GX-PLC10", "GX-FL01", "GX-OIL5", "GX-SVC1", "GX-SN01"]


@pytest.fixture
def products():
    return [Product.objects.create(sku=sku, name=f"产品{sku[-4:]}", list_price=Decimal(100 + 37 * i))
            for i, sku in enumerate(SKUS)]


def _customers(owner, n, tag):
    return Customer.objects.bulk_create([Customer(name=f"历史客户{tag}-{i}", owner=owner, branch_id=owner.branch_id,
                                                  category="customer") for i in range(n)])


@pytest.fixture
def history(demo_org, products):
    """Simulated purchase histories: 60 customers of liuyang (Guangzhou), 30 of zhuwei (Beijing),
    plus a cancelled order that must not count."""
    rng = random.Random(5)
    gz, bj = _customers(demo_org["liuyang"], 60, "gz"), _customers(demo_org["zhuwei"], 30, "bj")
    clv_demo.write_orders(clv_demo.simulate(rng, gz + bj, products, TODAY, years=2), "T")
    Order.objects.create(number="CANCELLED-1", customer=gz[0], owner=demo_org["liuyang"],
                         branch_id=gz[0].branch_id, status=OrderStatus.CANCELLED, order_date=TODAY, total=10 ** 6)
    return gz, bj


def _purchases(until, since=None):
    """Brute force: each customer's purchase days and spend from the order rows."""
    days, spend = defaultdict(set), defaultdict(Decimal)
    for order in Order.objects.filter(status=OrderStatus.COMPLETED):
        if order.order_date <= until and (since is None or order.order_date > since):
            days[order.customer_id].add(order.order_date)
            spend[order.customer_id] += order.total
    return days, spend


def test_stored_figures_follow_the_order_history(history):
    """ANA-4: purchase days, first/last purchase, spend as counted by hand; churn, expected
    purchases and CLV are the model's on those inputs with the run's fitted parameters."""
    result = clv.clv_compute(today=TODAY)
    days, spend = _purchases(TODAY)
    rows = {row.customer_id: row for row in CustomerClv.objects.all()}
    assert set(rows) == set(days) and result["customers"] == len(days) > 80
    params = clv_model.BgNbd(**result["bgnbd"])
    for pk, row in rows.items():
        first, last = min(days[pk]), max(days[pk])
        assert (row.purchases, row.first_order, row.last_order, row.spend) == (len(days[pk]), first, last, spend[pk])
        x, t_x, T = len(days[pk]) - 1, (last - first).days / 7, (TODAY - first).days / 7
        alive = clv_model.p_alive(params, np.array([x]), np.array([t_x]), np.array([T]))[0]
        assert row.churn == pytest.approx(1 - alive)
        assert row.expected_90 == pytest.approx(clv_model.expected_purchases(
            params, 90 / 7, np.array([x]), np.array([t_x]), np.array([T]))[0])
        assert row.clv >= 0 and row.value_at_risk >= 0
    # a customer who has not bought for long is likelier gone than one who just bought (same count)
    ordered = sorted(rows.values(), key=lambda r: (r.purchases, r.last_order))
    for a, b in itertools.pairwise(ordered):
        if a.purchases == b.purchases > 1 and a.first_order == b.first_order and a.last_order < b.last_order:
            assert a.churn >= b.churn


def test_backtest_counts_the_holdout_and_reports_the_error(history):
    """ANA-4: the back-test fits on the orders up to 180 days ago and compares with the
    purchase days after, counted by hand; the error is reported, whatever it is."""
    result = clv.backtest(TODAY)
    cut = TODAY - datetime.timedelta(days=clv.HOLDOUT_DAYS)
    before, _spend = _purchases(cut)
    after, _spend = _purchases(TODAY, since=cut)
    actual = sum(len(after.get(pk, ())) for pk in before)
    assert result["customers"] == len(before) and result["actual"] == actual
    assert sum(row["customers"] for row in result["by_frequency"]) == len(before)
    assert result["mae"] >= 0 and result["predicted"] > 0
    assert result["error_percent"] == round(100 * (result["predicted"] - actual) / actual, 1)


def test_too_few_customers_fail_the_job_with_a_reason(demo_org):
    """ANA-4: no orders → the job fails with a message instead of a fit on nothing."""
    assert clv.run_now(JobKind.CLV) is None
    job = AnalysisJob.objects.get()
    assert job.status == JobStatus.FAILED and job.result["error"]


def test_figures_are_scoped(history, demo_org, api_for):
    """ANA-4: Beijing's head sees none of Guangzhou's customers' figures, on the page and in
    the API; Guangzhou's sales manager sees his salesperson's."""
    gz, bj = history
    clv.run_now(JobKind.CLV, TODAY)
    gz_ids, bj_ids = {c.pk for c in gz}, {c.pk for c in bj}
    majun, wang = demo_org["majun"], demo_org["wangjianguo"]
    assert {r.customer_id for r in clv.at_risk(majun, min_churn=0)} <= bj_ids
    assert {r.customer_id for r in clv.at_risk(wang, min_churn=0)} & gz_ids
    assert not {r.customer_id for r in clv.at_risk(wang, min_churn=0)} & bj_ids
    client, headers = api_for(majun)
    seen, cursor = set(), ""
    while True:
        page = client.get(f"/api/v1/analytics/clv?limit=20{cursor}", headers=headers).json()
        seen |= {item["customer_id"] for item in page["items"]}
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen and seen <= bj_ids
    assert client.get(f"/api/v1/analytics/customers/{gz[0].pk}/clv", headers=headers).status_code == 404
    summary = client.get("/api/v1/analytics/clv/summary", headers=headers).json()
    assert summary["customers"] == CustomerClv.objects.filter(customer_id__in=bj_ids).count()
    assert summary["backtest"]["customers"] > 0 and set(summary["parameters"]["bgnbd"]) == {"r", "alpha", "a", "b"}
    mine = client.get(f"/api/v1/analytics/customers/{bj[0].pk}/clv", headers=headers).json()
    assert mine["figures"] is None or mine["figures"]["customer_id"] == bj[0].pk


def _brute_force_rules(min_count, min_confidence):
    baskets = defaultdict(set)
    for order_id, product_id in OrderLine.objects.filter(order__status=OrderStatus.COMPLETED).values_list(
            "order_id", "product_id"):
        baskets[order_id].add(product_id)
    n = len(baskets)
    count = lambda items: sum(1 for b in baskets.values() if items <= b)  # noqa: E731
    products = sorted({p for b in baskets.values() for p in b})
    rules = set()
    for size in (2, 3):
        for itemset in itertools.combinations(products, size):
            together = count(set(itemset))
            if together < min_count:
                continue
            for consequent in itemset:
                antecedent = tuple(p for p in itemset if p != consequent)
                confidence = together / count(set(antecedent))
                lift = confidence * n / count({consequent})
                if confidence >= min_confidence and lift > 1:
                    rules.add((antecedent, consequent, together, round(confidence, 9), round(lift, 9)))
    return rules, n


def test_stored_rules_equal_brute_force_counting_over_the_orders(history):
    """ANA-5: the rules stored from the order lines (a cancelled order left out) equal counting
    every product set of two and three over the orders by hand."""
    result = basket.basket_compute()
    expected, n = _brute_force_rules(result["min_count"], basket.MIN_CONFIDENCE)
    assert result["orders"] == n and expected
    stored = {(tuple(r.antecedent), r.consequent_id, r.orders, round(r.confidence, 9), round(r.lift, 9))
              for r in BasketRule.objects.all()}
    assert stored == expected


def test_extraction_reads_every_counted_line_across_id_ranges(history, monkeypatch):
    """ANA-5: the extraction hands over exactly the (order, product) pairs of counted orders,
    also when they are read in many ranges of order ids (PostgreSQL packs a range per query)."""
    monkeypatch.setattr(basket, "ORDERS_PER_QUERY", 3)
    orders, products = basket.order_lines()
    expected = sorted(OrderLine.objects.filter(order__status=OrderStatus.COMPLETED, product__isnull=False)
                      .values_list("order_id", "product_id"))
    assert expected and sorted(zip(orders.tolist(), products.tolist(), strict=True)) == expected
    assert orders.dtype == products.dtype == np.int64


def test_suggestions_cross_sell_and_up_sell(history, demo_org, products, client_for):
    """ANA-5: cross-sell: rules within the customer's products, the consequent new to him;
    up-sell: a dearer product of the category customers of his tier bought; both on the
    customer page and under the order form, for who may read analytics."""
    gz, _bj = history
    category = Product.objects.create(sku="GX-SV750", name="伺服电机 750W", list_price=Decimal(9000)).category_id
    basket.basket_compute()
    chairman = demo_org["chenzhiqiang"]
    for customer in gz[:20]:
        bought = set(basket.bought_by(chairman, customer))
        for suggestion in basket.cross_sell(chairman, customer):
            assert suggestion.product.pk not in bought
            assert {p.pk for p in suggestion.because} <= bought
        for suggestion in basket.up_sell(chairman, customer):
            assert suggestion.product.pk not in bought and suggestion.product.category_id == category
    some = next(c for c in gz if basket.cross_sell(chairman, c))
    page = client_for(chairman).get(reverse("customers:customer_detail", args=[some.pk]))
    assert page.status_code == 200
    assert basket.cross_sell(chairman, some)[0].product.name in page.content.decode()
    rule = BasketRule.objects.order_by("-lift").first()
    antecedent = Product.objects.filter(pk__in=rule.antecedent)
    query = "&".join(f"product_{i}={p.sku}" for i, p in enumerate(antecedent, start=1))
    partial = client_for(chairman).get(f"{reverse('analytics:basket_suggest')}?{query}").content.decode()
    assert rule.consequent.sku in partial
    form = client_for(demo_org["wangjianguo"]).get(reverse("sales:order_create")).content.decode()
    assert reverse("analytics:basket_suggest") in form
    form = client_for(demo_org["liuyang"]).get(reverse("sales:order_create")).content.decode()
    assert reverse("analytics:basket_suggest") not in form  # a salesperson does not read analytics
    assert client_for(demo_org["liuyang"]).get(reverse("analytics:basket_suggest")).status_code == 403


def test_pages_jobs_and_progress(history, demo_org, client_for, django_capture_on_commit_callbacks):
    """ANA-4, ANA-5: the pages show the stored results; "recompute" queues a job the worker runs
    (eager in tests) and the progress partial shows it done; without permission 403."""
    chairman = client_for(demo_org["chenzhiqiang"])
    assert "analysis-job" in chairman.get(reverse("analytics:clv")).content.decode()
    for kind in (JobKind.CLV, JobKind.BASKET):
        with django_capture_on_commit_callbacks(execute=True):
            response = chairman.post(reverse("analytics:analysis_start", args=[kind]))
        assert response.status_code == 302
        assert AnalysisJob.objects.filter(kind=kind).first().status == JobStatus.DONE
        assert 'data-status="done"' in chairman.get(reverse("analytics:analysis_progress", args=[kind])).content.decode()
    page = chairman.get(reverse("analytics:clv") + "?min_churn=0&sort=clv").content.decode()
    assert 'id="clv-rows"' in page and 'id="backtest-table"' in page
    assert 'id="rules"' in chairman.get(reverse("analytics:basket")).content.decode()
    assert chairman.get(reverse("analytics:basket") + "?q=GX-PW24").status_code == 200
    salesperson = client_for(demo_org["liuyang"])
    assert salesperson.get(reverse("analytics:clv")).status_code == 403
    assert salesperson.post(reverse("analytics:analysis_start", args=["clv"])).status_code == 403
    assert chairman.post(reverse("analytics:analysis_start", args=["nothing"])).status_code == 404


def test_api_rules_and_suggestions(history, demo_org, api_for):
    """ANA-5: /api/v1/analytics/basket/rules and /suggestions return the stored rules."""
    basket.basket_compute()
    client, headers = api_for(demo_org["chenzhiqiang"])
    rules = client.get("/api/v1/analytics/basket/rules?limit=200", headers=headers).json()["items"]
    assert len(rules) == BasketRule.objects.count() > 0
    top = max(rules, key=lambda r: r["lift"])
    product = top["antecedent"][0]
    with_product = client.get(f"/api/v1/analytics/basket/rules?product={product}", headers=headers).json()["items"]
    assert with_product and all(product in r["antecedent"] or r["consequent"] == product for r in with_product)
    ids = ",".join(map(str, top["antecedent"]))
    suggestions = client.get(f"/api/v1/analytics/basket/suggestions?products={ids}", headers=headers).json()
    assert top["consequent"] in {s["product_id"] for s in suggestions}
    client, headers = api_for(demo_org["liuyang"])
    assert client.get("/api/v1/analytics/basket/rules", headers=headers).status_code == 403
