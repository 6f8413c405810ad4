"""SAL-11 forecast and SAL-7 performance."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.analytics.forecast import ForecastReport, wape
from guanxi.analytics.performance import PerformanceReport
from guanxi.core.periods import Period, add_months, aware, month_start
from guanxi.customers.services import customer_create, interaction_create
from guanxi.finance import services as finance
from guanxi.sales.models import Opportunity
from guanxi.testing.sales import confirmed_order, opportunity_through

TODAY = timezone.localdate()
THIS_MONTH = month_start(TODAY)


@pytest.fixture
def seller(demo_org):
    return demo_org["liuyang"]


def _won_in(seller, month, amount, index):
    """An opportunity won on the 10th of ``month``."""
    customer = customer_create(actor=seller, name=f"预测客户{index}号")
    opportunity = opportunity_through(seller, customer, [1, 4], amount=Decimal(amount),
                                      created_at=aware(month) - datetime.timedelta(days=20), step_days=30)
    close = aware(month) + datetime.timedelta(days=9)
    Opportunity.objects.filter(pk=opportunity.pk).update(closed_at=close, expected_close_on=close.date())
    return opportunity


def test_weighted_pipeline_projection_and_backtest(seller, demo_org):
    """SAL-11: weighted pipeline by month; history projection; the back-test and its error."""
    for back, amount in ((3, "30000"), (2, "60000"), (1, "90000")):
        _won_in(seller, add_months(THIS_MONTH, -back), amount, back)
    # Open now: stage 2 (50 %) due next month; stage 1 (25 %) overdue → counts this month.
    next_month = add_months(THIS_MONTH, 1)
    a = opportunity_through(seller, customer_create(actor=seller, name="开放一"), [1, 2], amount=Decimal("100000"),
                            expected_close_on=next_month + datetime.timedelta(days=3))
    b = opportunity_through(seller, customer_create(actor=seller, name="开放二"), [1], amount=Decimal("40000"),
                            expected_close_on=THIS_MONTH - datetime.timedelta(days=3))
    assert a.stage.probability == 50 and b.stage.probability == 25
    result = ForecastReport(seller, months_ahead=3, backtest_months=3).run()
    months = {row.month: row for row in result.months}
    assert months[next_month].weighted == Decimal("50000.00") and months[next_month].count == 1
    assert months[THIS_MONTH].weighted == Decimal("10000.00")
    # History: the mean of the last three months' wins.
    assert months[THIS_MONTH].projection == Decimal("60000.00")
    history = dict(result.history)
    assert history[add_months(THIS_MONTH, -1)] == Decimal("90000.00")
    # Back-test: the month before last was forecast from the two months before it (+ nothing).
    rows = {row.month: row for row in result.backtest}
    last = rows[add_months(THIS_MONTH, -1)]
    assert last.actual == Decimal("90000.00") and last.projection == Decimal("30000.00")  # (30k + 60k + 0) / 3
    # The deal won last month was open on its first day (created 20 days before, still at its
    # first stage, 10 %): the pipeline as it stood then, not as it ended.
    assert last.weighted == Decimal("9000.00")
    assert result.errors["projection"] == wape([(r.projection, r.actual) for r in result.backtest])
    assert result.errors["blend"] <= min(e for e in (result.errors["weighted"], result.errors["projection"]))
    assert Decimal("0") <= result.weight <= Decimal("1")


def test_forecast_is_scoped_and_rendered(seller, demo_org, client_for):
    """SAL-11 + ORG-3: a salesperson's forecast is theirs; the page draws it with the back-test."""
    opportunity_through(seller, customer_create(actor=seller, name="刘洋的"), [1], amount=Decimal("80000"),
                        expected_close_on=TODAY)
    zhuwei = demo_org["zhuwei"]
    opportunity_through(zhuwei, customer_create(actor=zhuwei, name="朱伟的"), [1], amount=Decimal("40000"),
                        expected_close_on=TODAY)
    assert ForecastReport(seller).run().months[0].weighted == Decimal("20000.00")
    assert ForecastReport(demo_org["chenzhiqiang"]).run().months[0].weighted == Decimal("30000.00")
    page = client_for(demo_org["wangjianguo"]).get("/analytics/forecast/?months=6")
    assert page.status_code == 200 and "<svg" in page.content.decode() and "<polyline" in page.content.decode()


def test_performance_per_person_with_ranking(seller, demo_org, client_for):
    """SAL-7: new customers, interactions, won, ordered and received per person, ranked."""
    colleague = demo_org["liyang"]
    customer = customer_create(actor=seller, name="业绩客户一")
    customer_create(actor=seller, name="业绩客户二")
    other = customer_create(actor=colleague, name="业绩客户三")
    interaction_create(actor=seller, customer=customer, channel="visit", summary="拜访")
    interaction_create(actor=seller, customer=customer, channel="phone", summary="电话")
    opportunity_through(seller, customer, [1, 4], amount=Decimal("50000"))
    confirmed_order(seller, customer, ((1, "20000.00"),))
    confirmed_order(colleague, other, ((1, "90000.00"),))
    finance.receipt_record(actor=demo_org["zhouhong"], customer=customer, amount="12000", allocate="oldest")
    period = Period(THIS_MONTH, add_months(THIS_MONTH, 1))
    rows = PerformanceReport(demo_org["wangjianguo"], period=period, group="person").run()
    mine = next(r for r in rows if r.key == seller.pk)
    assert (mine.new_customers, mine.interactions, mine.visits, mine.won_count) == (2, 2, 1, 1)
    assert mine.won_amount == Decimal("50000") and mine.order_amount == Decimal("20000.00")
    assert mine.received_amount == Decimal("12000.00")
    assert rows[0].key == colleague.pk and rows[0].rank == 1 and mine.rank == 2
    by_received = PerformanceReport(demo_org["wangjianguo"], period=period, sort="received_amount").run()
    assert by_received[0].key == seller.pk
    own = PerformanceReport(seller, period=period).run()
    assert [r.key for r in own] == [seller.pk]
    branches = PerformanceReport(demo_org["chenzhiqiang"], period=period, group="branch").run()
    assert branches[0].label == "广州总部" and branches[0].order_amount == Decimal("110000.00")
    page = client_for(demo_org["wangjianguo"]).get("/analytics/performance/?period=this_month&sort=received_amount")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and seller.display_name in html
