"""ANA-8: quality alerts — each condition against a brute-force check, firing once per
period, notifying the heads of the unit and nobody else, and who may set rules."""

import datetime
import itertools
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from guanxi.analytics import alerts
from guanxi.analytics.models import Alert, AlertRule
from guanxi.core.errors import Forbidden
from guanxi.core.models import Notification
from guanxi.customers.models import Customer
from guanxi.org.models import Branch, Department
from guanxi.sales.models import Order

NUMBERS = itertools.count(1)
TODAY = datetime.date(2026, 6, 10)  # the finished month is May 2026


def _by_hand(condition, threshold, value, history):
    """The conditions in exact fractions, written independently of alerts.check."""
    v, t, h = Fraction(value), Fraction(threshold), [Fraction(x) for x in history]
    if condition == "above":
        return v > t
    if condition == "below":
        return v < t
    if condition in ("rise", "drop"):
        if not h or h[-1] <= 0:
            return False
        change = (v - h[-1]) * 100 / h[-1]
        return change >= t if condition == "rise" else -change >= t
    if len(h) < 3:
        return False
    mean = sum(h) / len(h)
    variance = sum((x - mean) ** 2 for x in h) / len(h)
    if variance == 0:
        return v != mean
    return (v - mean) ** 2 > t * t * variance


def test_each_condition_equals_a_brute_force_check():
    """ANA-8: above, below, rise, drop and anomaly fire exactly when a by-hand check says so (random cases,
    boundaries included)."""
    rng = random.Random(808)
    fired = dict.fromkeys(["above", "below", "rise", "drop", "anomaly"], 0)
    for _ in range(3000):
        condition = rng.choice(list(fired))
        history = [Decimal(rng.randint(-5, 200)) * 10 for _ in range(rng.randint(0, 8))]
        if condition == "anomaly":
            threshold = Decimal(rng.choice(["0.5", "1", "1.5", "2", "3"]))
        else:
            threshold = Decimal(rng.choice([0, 5, 10, 20, 50, 100, 500, 1000]))
        value = Decimal(rng.randint(0, 2000))
        if rng.random() < 0.1 and history:
            value = history[-1] * (100 + threshold) / 100 if condition == "rise" else threshold  # boundaries
        expected = _by_hand(condition, threshold, value, history)
        if condition == "anomaly" and len(history) >= 3:
            mean = sum(Fraction(x) for x in history) / len(history)
            variance = sum((Fraction(x) - mean) ** 2 for x in history) / len(history)
            if (Fraction(value) - mean) ** 2 == Fraction(threshold) ** 2 * variance and variance:
                continue  # exactly on k·σ: the square root's last digit decides; not a business case
        got, _reference = alerts.check(condition, threshold, value, history)
        assert got == expected, (condition, threshold, value, history)
        fired[condition] += got
    assert all(n > 20 for n in fired.values()), fired  # every condition both fired and did not


def _orders(seller, amounts, day):
    customer = Customer.objects.create(name=f"预警客户{next(NUMBERS)}", owner=seller, branch=seller.branch)
    for amount in amounts:
        Order.objects.create(number=f"A-{next(NUMBERS)}", customer=customer, owner=seller, branch=seller.branch,
                             status="confirmed", order_date=day, total=Decimal(amount), subtotal=Decimal(amount))


def _notices(user):
    return list(Notification.objects.filter(recipient=user, kind=alerts.NOTICE_KIND).values_list("title", flat=True))


def test_rule_fires_once_per_period_and_tells_only_the_units_head(demo_org):
    """ANA-8: a branch rule's alert carries the branch's figure, is written once however often the rules are
    evaluated, and reaches that branch's head only (no leak: another branch's head is not told, nor sees it)."""
    majun, songtao, linhui = demo_org["majun"], demo_org["songtao"], demo_org["linhui"]
    beijing = Branch.objects.get(code="bj")
    shanghai = Branch.objects.get(code="sh")
    _orders(demo_org["zhuwei"], ["1200.00", "800.50"], datetime.date(2026, 5, 12))
    _orders(demo_org["zhuwei"], ["99999.00"], datetime.date(2026, 6, 2))  # this month: not in May
    _orders(demo_org["hanlei"], ["700000.00"], datetime.date(2026, 5, 3))
    boss = demo_org["chenzhiqiang"]
    low_bj = alerts.alert_rule_save(actor=boss, name="北京销售过低", measure="sales", condition="below",
                                    threshold=Decimal("10000"), unit="branch", branch=beijing)
    low_sh = alerts.alert_rule_save(actor=boss, name="上海销售过低", measure="sales", condition="below",
                                    threshold=Decimal("10000"), unit="branch", branch=shanghai)
    fired = alerts.alerts_evaluate(TODAY)
    assert [a.rule for a in fired] == [low_bj]  # Shanghai sold 700,000 in May
    alert = fired[0]
    assert alert.value == Decimal("2000.50") and alert.period_start == datetime.date(2026, 5, 1)
    assert alert.notified == 1 and len(_notices(majun)) == 1
    assert _notices(songtao) == [] and _notices(linhui) == []
    assert alerts.alerts_evaluate(TODAY) == [] and alerts.alerts_evaluate(TODAY + datetime.timedelta(days=5)) == []
    assert Alert.objects.count() == 1 and len(_notices(majun)) == 1
    assert list(alerts.alerts_visible_to(majun)) == [alert]
    assert list(alerts.alerts_visible_to(songtao)) == []
    assert list(alerts.alerts_visible_to(boss)) == [alert]
    assert low_sh.alerts.count() == 0


def test_change_and_anomaly_on_a_department_and_the_company(demo_org):
    """ANA-8: a drop vs the month before (department, its manager told) and an anomaly over six months (company,
    the decision tier told) computed from the orders by hand."""
    zhuwei = demo_org["zhuwei"]
    monthly = [5000, 5200, 4800, 5100, 4900, 5000, 1500]  # Nov 2025 … May 2026
    for index, amount in enumerate(monthly):
        month = datetime.date(2025 + (10 + index) // 12, (10 + index) % 12 + 1, 15)
        _orders(zhuwei, [str(amount)], month)
    department = zhuwei.department
    boss = demo_org["chenzhiqiang"]
    drop = alerts.alert_rule_save(actor=boss, name="部门下滑", measure="sales", condition="drop", threshold=Decimal("50"),
                                  unit="department", department=department)
    anomaly = alerts.alert_rule_save(actor=boss, name="全公司异常", measure="sales", condition="anomaly",
                                     threshold=Decimal("2"), history=6, unit="company")
    steady = alerts.alert_rule_save(actor=boss, name="全公司大涨", measure="sales", condition="rise",
                                    threshold=Decimal("10"), unit="company")
    fired = {a.rule: a for a in alerts.alerts_evaluate(TODAY)}
    assert set(fired) == {drop, anomaly} and steady not in fired
    assert fired[drop].reference == Decimal("5000.00") and fired[drop].value == Decimal("1500.00")
    assert _by_hand("anomaly", 2, 1500, monthly[:-1]) and fired[anomaly].reference == Decimal("5000.00")
    manager = Department.objects.get(pk=department.pk).manager
    assert len(_notices(manager)) == 1
    decision = {demo_org["chenzhiqiang"], demo_org["linhui"]}
    assert all(len(_notices(person)) == 1 for person in decision)
    assert _notices(demo_org["majun"]) == []  # the branch head was not the department's manager here


def test_who_may_set_rules_for_which_unit(demo_org):
    """ANA-8: analytics.manage is needed, and a branch head sets rules only for their own branch and its
    departments; they see only those rules."""
    majun, beijing = demo_org["majun"], Branch.objects.get(code="bj")
    shanghai = Branch.objects.get(code="sh")
    rule = alerts.alert_rule_save(actor=majun, name="北京回款", measure="received", condition="below",
                                  threshold=Decimal("1"), unit="branch", branch=beijing)
    for unit, where in (("branch", {"branch": shanghai}), ("company", {})):
        with pytest.raises(Forbidden):
            alerts.alert_rule_save(actor=majun, name="越权", measure="sales", condition="above",
                                   threshold=Decimal("1"), unit=unit, **where)
    with pytest.raises(Forbidden):
        alerts.alert_rule_save(actor=demo_org["zhuwei"], name="销售员", measure="sales", condition="above",
                               threshold=Decimal("1"), unit="branch", branch=beijing)
    company = alerts.alert_rule_save(actor=demo_org["chenzhiqiang"], name="公司", measure="sales",
                                     condition="above", threshold=Decimal("1"), unit="company")
    assert list(alerts.rules_visible_to(majun)) == [rule]
    with pytest.raises(Forbidden):
        alerts.alert_rule_delete(actor=majun, rule=company)
    alerts.alert_rule_delete(actor=majun, rule=rule)
    assert list(AlertRule.objects.all()) == [company]


def test_pages_and_api_follow_permission_and_scope(demo_org, client_for, api_for):
    """ANA-8: the rule pages need analytics.manage; the history page and GET /api/v1/analytics/alerts show only the
    alerts of units the caller oversees; rules are created, changed and deleted through the API."""
    boss, majun, songtao = demo_org["chenzhiqiang"], demo_org["majun"], demo_org["songtao"]
    beijing = Branch.objects.get(code="bj")
    _orders(demo_org["zhuwei"], ["100.00"], datetime.date(2026, 5, 20))
    rule = alerts.alert_rule_save(actor=boss, name="北京太低", measure="sales", condition="below",
                                  threshold=Decimal("5000"), unit="branch", branch=beijing)
    alerts.alerts_evaluate(TODAY)
    page = client_for(majun).get("/analytics/alerts/").content.decode()
    assert "北京太低" in page and "100.00" in page
    assert "北京太低" not in client_for(songtao).get("/analytics/alerts/").content.decode()
    seller = client_for(demo_org["zhuwei"])
    assert seller.get("/analytics/alerts/rules/").status_code == 403
    assert seller.get(f"/analytics/alerts/rules/{rule.pk}/").status_code == 403
    boss_client = client_for(boss)
    assert "北京太低" in boss_client.get("/analytics/alerts/rules/").content.decode()
    assert boss_client.get("/analytics/alerts/rules/new/").status_code == 200
    response = boss_client.post("/analytics/alerts/rules/new/", {
        "name": "公司回款异常", "measure": "received", "condition": "anomaly", "threshold": "2", "history": "6",
        "period": "month", "unit": "company", "is_active": "on"})
    assert response.status_code == 302 and AlertRule.objects.filter(name="公司回款异常").exists()
    assert client_for(songtao).get(f"/analytics/alerts/rules/{rule.pk}/").status_code == 404

    client, headers = api_for(songtao)
    assert client.get("/api/v1/analytics/alerts", headers=headers).json()["items"] == []
    client, headers = api_for(majun)
    items = client.get("/api/v1/analytics/alerts", headers=headers).json()["items"]
    assert [(i["rule_name"], i["value"]) for i in items] == [("北京太低", "100.00")]
    created = client.post("/api/v1/analytics/alert-rules", data={
        "name": "北京下滑", "measure": "sales", "condition": "drop", "threshold": "30", "unit": "branch",
        "branch_id": beijing.pk}, content_type="application/json", headers=headers)
    assert created.status_code == 201, created.content
    refused = client.post("/api/v1/analytics/alert-rules", data={
        "name": "全公司", "measure": "sales", "condition": "drop", "threshold": "30", "unit": "company"},
        content_type="application/json", headers=headers)
    assert refused.status_code == 403
    rule_id = created.json()["id"]
    changed = client.patch(f"/api/v1/analytics/alert-rules/{rule_id}", data={"threshold": "25"},
                           content_type="application/json", headers=headers)
    assert changed.status_code == 200 and changed.json()["threshold"] == "25.00"
    assert client.delete(f"/api/v1/analytics/alert-rules/{rule_id}", headers=headers).status_code == 204
    client, headers = api_for(demo_org["zhuwei"])
    assert client.get("/api/v1/analytics/alert-rules", headers=headers).status_code == 403
