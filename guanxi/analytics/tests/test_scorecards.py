"""ANA-7: scorecards — score = Σ weight × attainment by hand, weights validated with clear
errors, pages behind their permissions, satisfaction and feedback statistics."""

import datetime
import itertools
from decimal import Decimal

import pytest

from guanxi.analytics import scorecard_demo
from guanxi.analytics.scorecard_models import Scorecard
from guanxi.analytics.scorecard_views import form_statistics
from guanxi.analytics.scorecards import attainment, evaluate, scorecard_save
from guanxi.core.errors import ValidationFailed
from guanxi.core.periods import Period
from guanxi.customers.models import Customer
from guanxi.sales.models import Order
from guanxi.service.models import Survey, Ticket
from guanxi.service.services import pick

NUMBERS = itertools.count(1)
PERIOD = Period(datetime.date(2026, 6, 1), datetime.date(2026, 7, 1))


def _orders(seller, amounts, day=datetime.date(2026, 6, 10)):
    customer = Customer.objects.create(name=f"评分{seller.username}{next(NUMBERS)}", owner=seller,
                                       branch=seller.branch)
    for amount in amounts:
        Order.objects.create(number=f"SC-{next(NUMBERS)}", customer=customer, owner=seller, branch=seller.branch,
                             status="confirmed", order_date=day, total=Decimal(amount), subtotal=Decimal(amount))


def test_score_equals_hand_computation(demo_org):
    """ANA-7: score = Σ weight × min(value / target, 150 %), ranked, per branch."""
    gz, bj, sh = demo_org["liuyang"], demo_org["zhuwei"], demo_org["hanlei"]
    _orders(gz, ["600", "600"])             # sales 1200 → 120 %; orders 2 → 50 %
    _orders(bj, ["500", "100", "100", "100"])  # sales 800 → 80 %; orders 4 → 100 %
    _orders(sh, ["3000"])                  # sales 3000 → capped 150 %; orders 1 → 25 %
    _orders(sh, ["99999"], day=datetime.date(2026, 7, 2))  # outside the period
    card = scorecard_save(actor=demo_org["chenzhiqiang"], name="分公司考核", level="branch",
                          indicators=[("sales", "60", "1000"), ("orders", "40", "4")])
    rows, indicators = evaluate(demo_org["chenzhiqiang"], card, PERIOD)
    scores = {row.key: row.score for row in rows}
    assert scores[gz.branch_id] == Decimal("60") * Decimal("1.2") + Decimal("40") * Decimal("0.5")  # 92
    assert scores[bj.branch_id] == Decimal("60") * Decimal("0.8") + Decimal("40") * 1  # 88
    assert scores[sh.branch_id] == Decimal("60") * Decimal("1.5") + Decimal("40") * Decimal("0.25")  # 100
    assert [row.key for row in rows] == [sh.branch_id, gz.branch_id, bj.branch_id]
    assert [row.rank for row in rows] == [1, 2, 3]
    assert [m.code for _item, m in indicators] == ["sales", "orders"]
    # The Beijing head scores only Beijing.
    assert [row.key for row in evaluate(demo_org["majun"], card, PERIOD)[0]] == [bj.branch_id]


def test_attainment_when_less_is_better():
    """ANA-7: for a measure where less is better attainment is target ÷ value, capped, and a missing value is 0."""
    assert attainment(Decimal("20"), Decimal("10"), "down") == Decimal("0.5")
    assert attainment(Decimal("0"), Decimal("10"), "down") == Decimal("1.5")
    assert attainment(None, Decimal("10")) == 0


@pytest.mark.parametrize(("indicators", "message"), [
    ([("sales", "60", "1000"), ("orders", "30", "4")], "The weights add up to 90 %; they must add up to 100 %."),
    ([], "Add at least one indicator."),
    ([("sales", "50", "1"), ("sales", "50", "1")], "Each measure may be used once."),
    ([("no_such_measure", "100", "1")], "Unknown measure: no_such_measure."),
    ([("retention_rate", "100", "80")], "cannot be split per department"),
])
def test_weights_and_indicators_are_validated(demo_org, indicators, message, settings):
    """ANA-7: the weights must add up to 100 %, each measure once, known and splittable per level."""
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationFailed) as error:
        scorecard_save(actor=demo_org["chenzhiqiang"], name="x", level="department", indicators=indicators)
    assert message in str(error.value.message)
    assert not Scorecard.objects.exists()


def test_pages_follow_permissions(demo_org, client_for):
    """ANA-7: the chairman creates and evaluates a scorecard; a department manager may read but not edit."""
    boss = client_for(demo_org["chenzhiqiang"])
    response = boss.post("/analytics/scorecards/new/", {
        "name": "部门考核", "level": "department", "is_active": "on", "measure_0": "sales", "weight_0": "70",
        "target_0": "5000", "measure_1": "orders", "weight_1": "20", "target_1": "3"})
    assert response.status_code == 200 and "90" in response.content.decode()  # refused: weights 90 %
    assert not Scorecard.objects.exists()
    response = boss.post("/analytics/scorecards/new/", {
        "name": "部门考核", "level": "department", "is_active": "on", "measure_0": "sales", "weight_0": "70",
        "target_0": "5000", "measure_1": "orders", "weight_1": "30", "target_1": "3"})
    card = Scorecard.objects.get()
    assert response.status_code == 302 and [i.measure for i in card.indicators.all()] == ["sales", "orders"]
    assert boss.get(f"/analytics/scorecards/{card.pk}/?period=last_12_months").status_code == 200
    assert boss.get("/analytics/scorecards/").status_code == 200
    manager = client_for(demo_org["wangjianguo"])
    assert manager.get("/analytics/scorecards/").status_code == 200
    assert manager.get(f"/analytics/scorecards/{card.pk}/edit/").status_code == 403
    assert "/analytics/scorecards/new/" not in manager.get("/analytics/scorecards/").content.decode()


def test_satisfaction_statistics_per_branch(demo_org, client_for):
    """ANA-7: the satisfaction rate per branch equals answered surveys rated 4–5 over answered, by hand."""
    agent = demo_org["xuting"]
    ratings = [5, 4, 2, None, 3, 5]
    when = datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC)
    for index, rating in enumerate(ratings):
        ticket = Ticket.objects.create(number=f"T-{index}", subject="x", branch=agent.branch, assignee=agent,
                                       mail_thread=f"m{index}", ticket_type=pick("service.ticket_type", "repair"),
                                       severity=pick("service.severity", "low"))
        Survey.objects.create(ticket=ticket, token_hash=f"h{index}", rating=rating, agent=agent, branch=agent.branch,
                              answered_at=when if rating else None)
    rows = form_statistics(demo_org["chenzhiqiang"], PERIOD, "branch")
    assert [(r["answered"], r["satisfied"], r["rate"]) for r in rows] == [(5, 3, Decimal("60.00"))]
    assert client_for(demo_org["chenzhiqiang"]).get(
        "/analytics/satisfaction/?period=custom&start=2026-06-01&end=2026-06-30").status_code == 200


def test_demo_scorecards_build_once(demo_org):
    """ANA-7: the demo builds its two scorecards once, each with weights adding up to 100 %."""
    scorecard_demo.build()
    scorecard_demo.build()
    cards = list(Scorecard.objects.prefetch_related("indicators"))
    assert {c.level for c in cards} == {"branch", "department"}
    assert len(cards) == 2
    for card in cards:
        assert sum(i.weight for i in card.indicators.all()) == 100
        assert all(i.target >= 1 for i in card.indicators.all())
