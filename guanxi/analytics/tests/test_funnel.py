"""SAL-2: the sales funnel — counts and amounts per stage, conversion, win rate, cycle."""

import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.analytics.funnel import FunnelReport
from guanxi.core import picklists
from guanxi.core.periods import Period
from guanxi.customers.services import customer_create
from guanxi.sales import services
from guanxi.sales.models import Opportunity, StageChange, StageKind
from guanxi.testing.sales import opportunity_through, stages

THIS_YEAR = Period(datetime.date(2000, 1, 1), datetime.date(2100, 1, 1))


@pytest.fixture
def world(demo_org):
    """Random opportunities for three sellers in two branches, each through a random path."""
    rng = random.Random(7)
    sellers = [demo_org["liuyang"], demo_org["liyang"], demo_org["zhuwei"]]
    reason = picklists.items("sales.lost_reason").first()
    made = []
    for index in range(36):
        seller = sellers[index % 3]
        customer = customer_create(actor=seller, name=f"漏斗客户{index:02d}号")
        end = rng.choice([0, 1, 2, 3, 4, 5])  # furthest position; 4 = won, 5 = lost
        path = list(range(1, rng.randint(1, 4))) + [5] if end == 5 else list(range(1, end + 1))
        created = timezone.now() - datetime.timedelta(days=rng.randint(30, 300))
        made.append(opportunity_through(seller, customer, path, amount=Decimal(rng.randint(1, 90)) * 1000,
                                        created_at=created, step_days=rng.randint(2, 9), lost_reason=reason))
    return {"sellers": sellers, "opportunities": made}


def brute_force(opportunities):
    """Reached per funnel position, from each opportunity's full history."""
    ranks = {s.pk: i for i, s in enumerate([s for s in stages() if s.kind == StageKind.OPEN]
                                           + [s for s in stages() if s.kind == StageKind.WON])}
    reached = [0] * len(ranks)
    for opportunity in opportunities:
        history = StageChange.objects.filter(opportunity=opportunity).values_list("to_stage_id", flat=True)
        top = max(ranks[s] for s in history if s in ranks)
        for rank in range(top + 1):
            reached[rank] += 1
    return reached


def test_funnel_equals_a_brute_force_reading(world, demo_org):
    """SAL-2: reached, conversion, now-at-stage, win rate and cycle equal a count by hand."""
    chairman = demo_org["chenzhiqiang"]
    result = FunnelReport(chairman, pipeline=services.default_pipeline(), period=THIS_YEAR, group="person").run()
    opportunities = world["opportunities"]
    assert [row.reached for row in result.stages] == brute_force(opportunities)
    for row, following in zip(result.stages, result.stages[1:], strict=False):
        assert row.conversion == (round(100 * following.reached / row.reached, 1) if row.reached else None)
    for row in result.stages:
        at = [o for o in opportunities if o.stage_id == row.stage.pk]
        assert row.count == len(at) and row.amount == sum((o.amount for o in at), Decimal("0"))
    won = [o for o in opportunities if o.stage.kind == StageKind.WON]
    lost = [o for o in opportunities if o.stage.kind == StageKind.LOST]
    assert result.summary.won_count == len(won) and result.summary.lost_count == len(lost)
    assert result.summary.win_rate == round(100 * len(won) / (len(won) + len(lost)), 1)
    cycle = sum((o.closed_at - o.created_at).total_seconds() / 86400 for o in won) / len(won)
    assert result.summary.cycle_days == round(cycle, 1)
    weighted = sum((o.amount * o.stage.probability / 100 for o in opportunities if o.stage.kind == StageKind.OPEN),
                   Decimal("0"))
    assert result.summary.weighted_amount == weighted.quantize(Decimal("0.01"))
    per_person = {row.key: row for row in result.groups}
    for seller in world["sellers"]:
        mine = [o for o in opportunities if o.owner_id == seller.pk]
        assert per_person[seller.pk].total == len(mine)
        assert per_person[seller.pk].label == seller.display_name


def test_funnel_by_branch_and_department_add_up(world, demo_org):
    """SAL-2: per department and per branch rows add up to the whole."""
    chairman = demo_org["chenzhiqiang"]
    pipeline = services.default_pipeline()
    for group in ("department", "branch"):
        result = FunnelReport(chairman, pipeline=pipeline, period=THIS_YEAR, group=group).run()
        assert sum(row.total for row in result.groups) == len(world["opportunities"])
        assert sum(row.won_amount for row in result.groups) == result.summary.won_amount
    branches = {row.label for row in FunnelReport(chairman, pipeline=pipeline, period=THIS_YEAR,
                                                  group="branch").run().groups}
    assert branches == {"广州总部", "北京分公司"}


def test_funnel_is_scoped(world, demo_org):
    """ORG-3 on reports: a salesperson's funnel counts only their own opportunities."""
    seller = demo_org["liuyang"]
    result = FunnelReport(seller, pipeline=services.default_pipeline(), period=THIS_YEAR, group="person").run()
    mine = [o for o in world["opportunities"] if o.owner_id == seller.pk]
    assert result.summary.total == len(mine)
    assert [row.key for row in result.groups] == [seller.pk]
    beijing = FunnelReport(demo_org["majun"], pipeline=services.default_pipeline(), period=THIS_YEAR,
                           group="person").run()
    assert {row.key for row in beijing.groups} == {demo_org["zhuwei"].pk}


def test_period_limits_the_population(world, demo_org):
    """SAL-2: the funnel of a period counts the opportunities created in it."""
    today = timezone.localdate()
    period = Period(today - datetime.timedelta(days=100), today + datetime.timedelta(days=1))
    result = FunnelReport(demo_org["chenzhiqiang"], pipeline=services.default_pipeline(), period=period).run()
    start, end = period.aware_range()
    expected = Opportunity.objects.filter(created_at__gte=start, created_at__lt=end).count()
    assert result.summary.total == expected < len(world["opportunities"])


def test_funnel_page_renders_chart_and_export(world, demo_org, client_for):
    """SAL-2: the page shows the funnel chart, the per-person table, and exports XLSX."""
    client = client_for(demo_org["wangjianguo"])
    page = client.get("/analytics/funnel/?period=this_year&group=person")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<polygon" in html and demo_org["liuyang"].display_name in html
    assert demo_org["zhuwei"].display_name not in html  # Beijing is outside his department tree
    export = client.get("/analytics/funnel/?period=this_year&group=person&export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for(demo_org["liuyang"]).get("/analytics/funnel/").status_code == 403
    no_export = client_for(demo_org["gaoyan"]).get("/analytics/funnel/?export=xlsx")  # finance: view only
    assert no_export.status_code == 200 and no_export["Content-Type"].startswith("text/html")
    bad = client.get("/analytics/funnel/?period=custom&start=2026-05-01&end=2026-01-01", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and "The period ends before it starts." in bad.content.decode()
    bad_zh = client.get("/analytics/funnel/?period=custom&start=2026-05-01&end=2026-01-01", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "期间的结束早于开始。" in bad_zh.content.decode()


def test_funnel_page_names_its_grouping_in_words(world, demo_org, client_for):
    """ANA-3, issue 11: the grouping reads "统计维度 人员", not the raw code "Person"."""
    client = client_for(demo_org["chenzhiqiang"])
    html = client.get("/analytics/funnel/?period=this_year&group=person").content.decode()
    assert "统计维度 人员" in html and "Person" not in html
    html = client.get("/analytics/funnel/?period=this_year&group=branch").content.decode()
    assert "统计维度 分公司" in html
