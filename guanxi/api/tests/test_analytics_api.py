"""API: /analytics/measures, /analytics/measures/{code} and /analytics/dashboard (ANA-10,
ANA-11, issue 12 point 12): definitions, values with comparisons, per-branch splits, the
dashboard's widgets; scoped (no leak to another branch), 403/404/422."""

import datetime
from decimal import Decimal

from django.utils import timezone

from guanxi.analytics import dashboard
from guanxi.api.routers import analytics as analytics_router
from guanxi.core.periods import add_months, month_start
from guanxi.customers.models import Customer
from guanxi.sales.models import Order

from .test_finance_api import _operations


def _sale(seller, amount, day):
    customer = Customer.objects.create(name=f"接口客户{seller.username}{day}", owner=seller, branch=seller.branch)
    return Order.objects.create(number=f"API-{seller.pk}-{day.isoformat()}", customer=customer, owner=seller,
                                branch=seller.branch, status="completed", order_date=day, total=Decimal(amount),
                                subtotal=Decimal(amount))


def test_measures_list_follows_the_roles(demo_org, api_for):
    """ANA-10: each caller gets the measures their roles allow, with definitions."""
    client, headers = api_for(demo_org["chenzhiqiang"])
    found = {m["code"]: m for m in client.get("/api/v1/analytics/measures", headers=headers).json()}
    assert {"sales", "received", "overdue", "pipeline", "lost_customers", "satisfaction"} <= set(found)
    assert found["overdue"]["better"] == "down" and found["overdue"]["definition"]
    client, headers = api_for(demo_org["xuting"])
    codes = {m["code"] for m in client.get("/api/v1/analytics/measures", headers=headers).json()}
    assert "received" not in codes and "tickets_open" in codes


def test_measure_values_compare_and_split_without_leaking(demo_org, api_for):
    """ANA-10: sales this month, last month and a year before, per branch for the chairman;
    a Beijing salesperson gets his own figure only, and 403 on money received of others' scope."""
    today = timezone.localdate()
    first = month_start(today)
    liuyang, zhuwei = demo_org["liuyang"], demo_org["zhuwei"]
    _sale(liuyang, "500.00", today)
    _sale(zhuwei, "200.00", today)
    _sale(liuyang, "50.00", add_months(first, -1))
    _sale(zhuwei, "7.00", add_months(first, -12))
    client, headers = api_for(demo_org["chenzhiqiang"])
    body = client.get("/api/v1/analytics/measures/sales?period=this_month&by=branch", headers=headers).json()
    assert (body["value"], body["previous"], body["last_year"]) == ("700.00", "50.00", "7.00")
    groups = {g["key"]: g for g in body["groups"]}
    assert groups[liuyang.branch_id]["value"] == "500.00" and groups[zhuwei.branch_id]["value"] == "200.00"
    assert f"branch={zhuwei.branch_id}" in groups[zhuwei.branch_id]["url"]
    custom = client.get(f"/api/v1/analytics/measures/orders?period=custom&start={first}&end={today}",
                        headers=headers).json()
    assert custom["value"] == 2
    client, headers = api_for(zhuwei)
    mine = client.get("/api/v1/analytics/measures/sales?by=branch", headers=headers).json()
    assert mine["value"] == "200.00" and {g["key"] for g in mine["groups"]} == {zhuwei.branch_id}
    assert client.get("/api/v1/analytics/measures/sales?by=colour", headers=headers).status_code == 422
    assert client.get("/api/v1/analytics/measures/nothing", headers=headers).status_code == 404
    assert client.get("/api/v1/analytics/measures/sales?period=custom", headers=headers).status_code == 422
    client, headers = api_for(demo_org["xuting"])
    assert client.get("/api/v1/analytics/measures/received", headers=headers).status_code == 403


def test_dashboard_gives_the_callers_widgets_with_figures(demo_org, api_for):
    """ANA-11: the dashboard endpoint lists the caller's widgets in order with their figures."""
    liuyang = demo_org["liuyang"]
    Customer.objects.create(name="接口逾期跟进", owner=liuyang, branch=liuyang.branch,
                            next_follow_up_on=timezone.localdate() - datetime.timedelta(days=1))
    Customer.objects.create(name="别人的接口逾期", owner=demo_org["zhuwei"], branch=demo_org["zhuwei"].branch,
                            next_follow_up_on=timezone.localdate() - datetime.timedelta(days=1))
    client, headers = api_for(liuyang)
    body = client.get("/api/v1/analytics/dashboard", headers=headers).json()
    assert body["role"] == "salesperson"
    assert [w["code"] for w in body["widgets"]] == dashboard.layout_of(liuyang)
    follow_ups = next(w for w in body["widgets"] if w["code"] == "follow_ups")["data"]
    assert [row["label"] for row in follow_ups["rows"]] == ["接口逾期跟进"]
    client, headers = api_for(demo_org["chenzhiqiang"])
    widgets = {w["code"]: w["data"] for w in client.get("/api/v1/analytics/dashboard", headers=headers).json()["widgets"]}
    assert len(widgets["trend:sales"]["points"]) == 12 and "value" in widgets["m:overdue"]


def test_endpoints_are_in_the_api(client):
    """The three endpoints are mounted and documented."""
    assert len(list(_operations(analytics_router.router))) == 3
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/analytics/measures", "/api/v1/analytics/measures/{code}", "/api/v1/analytics/dashboard"} <= set(paths)
