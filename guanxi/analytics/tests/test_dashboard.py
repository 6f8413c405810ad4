"""ANA-10, ANA-11: the home dashboard — a layout per role, widgets loaded one by one
through their own URL and permission, cached per user, arranged by the user, scoped."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.analytics import dashboard
from guanxi.analytics.models import DashboardLayout
from guanxi.core import memo
from guanxi.customers.models import Customer
from guanxi.sales.models import Order
from guanxi.workplace.models import Schedule, WorkPlanItem

# Queries of each widget's figures for the chairman (cold cache), whatever the data size.
WIDGET_QUERIES = {
    "m:sales": 5, "m:received": 5, "m:receivables": 5, "m:overdue": 5, "m:pipeline": 5, "m:forecast": 5,
    "m:new_customers": 5, "m:lost_customers": 5, "m:tickets_open": 5, "m:satisfaction_rate": 5,
    "trend:sales": 12, "trend:received": 12,
}


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


def _widget_url(code):
    return reverse("analytics:dashboard_widget", args=[code])


def _follow_up(owner, name, days_ago):
    return Customer.objects.create(name=name, owner=owner, branch=owner.branch,
                                   next_follow_up_on=timezone.localdate() - datetime.timedelta(days=days_ago))


@pytest.mark.parametrize("username, role, expected", [
    ("chenzhiqiang", "executive", {"m:sales", "m:overdue", "m:lost_customers", "m:satisfaction_rate", "trend:sales"}),
    ("majun", "branch", {"m:sales", "m:receivables", "m:pipeline"}),
    ("wangjianguo", "sales_manager", {"team_pipeline", "targets", "team_follow_ups", "large_deals"}),
    ("liuyang", "salesperson", {"today", "follow_ups", "reminders", "targets", "m:pipeline"}),
    ("zhouhong", "finance", {"m:received", "m:overdue", "overdue_receivables"}),
    ("xuting", "service", {"service_queue", "m:tickets_open", "m:sla_breached"}),
])
def test_each_role_starts_with_its_default_layout(demo_org, client, username, role, expected):
    """ANA-11: every role's home shows its own widgets, each loading from its own URL."""
    user = demo_org[username]
    assert dashboard.role_of(user) == role
    client.force_login(user)
    page = client.get("/").content.decode()
    for code in expected:
        assert f'data-widget="{code}"' in page
        assert _widget_url(code) in page
    for code in dashboard.layout_of(user):
        assert client.get(_widget_url(code)).status_code == 200, code


def test_a_widget_checks_its_own_permission(demo_org, client):
    """ANA-11: a widget's URL refuses whoever may not read its figures (a service agent and money)."""
    client.force_login(demo_org["xuting"])
    assert client.get(_widget_url("m:received")).status_code == 403
    assert client.get(_widget_url("overdue_receivables")).status_code == 403
    assert client.get(_widget_url("nothing")).status_code == 404
    assert "m:received" not in {w.code for w in dashboard.available(demo_org["xuting"])}


def test_the_old_page_of_links_stays(demo_org, client):
    """ANA-11: the page of module links is still reachable, from the home page."""
    client.force_login(demo_org["liuyang"])
    assert reverse("core:links") in client.get("/").content.decode()
    assert 'class="tiles"' in client.get(reverse("core:links")).content.decode()


def _orders_for(sellers, tag):
    for seller in sellers:
        customer = _follow_up(seller, f"查询客户{tag}{seller.username}", 3)
        for day in range(3):
            Order.objects.create(number=f"Q-{tag}-{seller.pk}-{day}", customer=customer, owner=seller,
                                 branch=seller.branch, status="confirmed", total=Decimal("100.00"),
                                 order_date=timezone.localdate() - datetime.timedelta(days=day * 20),
                                 subtotal=Decimal("100.00"))


def _queries_per_widget(user_pk):
    catalog, today, found = dashboard.catalog(), timezone.localdate(), {}
    for code in WIDGET_QUERIES:
        user = dashboard.User.objects.get(pk=user_pk)
        user.role_list  # noqa: B018  (a request's user has its roles loaded once)
        with memo.one_generation():
            memo.generation()  # a request reads the configuration generation once, before any widget
            with CaptureQueriesContext(connection) as queries:
                catalog[code].build(user, today)
        found[code] = len(queries)
    return found


def test_widget_queries_are_pinned_and_the_cache_answers_the_second_time(demo_org, client):
    """ANA-10: each widget costs at most its pinned number of queries, the same with three
    times the people and rows (no N+1); a cached widget costs none of them."""
    boss = demo_org["chenzhiqiang"]
    _orders_for([demo_org["liuyang"]], "a")
    _queries_per_widget(boss.pk)  # the process remembers its configuration once (core.memo), then not again
    few = _queries_per_widget(boss.pk)
    _orders_for([demo_org[name] for name in ("liuyang", "zhuwei", "hanlei", "zengqiang")], "b")
    many = _queries_per_widget(boss.pk)
    for code, pinned in WIDGET_QUERIES.items():
        assert few[code] == many[code] <= pinned, code
    client.force_login(boss)
    client.get(_widget_url("m:sales"))
    with CaptureQueriesContext(connection) as cold:
        client.get(_widget_url("m:sales") + "?refresh=1")
    with CaptureQueriesContext(connection) as warm:
        response = client.get(_widget_url("m:sales"))
    assert len(warm) <= len(cold) - many["m:sales"]
    assert "As of" in response.content.decode() or "截至" in response.content.decode()


def test_per_branch_figures_link_to_the_list_and_do_not_leak(demo_org, client):
    """ANA-10: the chairman sees sales per branch, each a link to the branch's orders; a
    Beijing salesperson's figure holds only his own orders."""
    liuyang, zhuwei = demo_org["liuyang"], demo_org["zhuwei"]
    for seller, amount in ((liuyang, "700.00"), (zhuwei, "300.00")):
        customer = Customer.objects.create(name=f"分公司客户{seller.username}", owner=seller, branch=seller.branch)
        Order.objects.create(number=f"B-{seller.pk}", customer=customer, owner=seller, branch=seller.branch,
                             status="completed", order_date=timezone.localdate(), total=Decimal(amount),
                             subtotal=Decimal(amount))
    client.force_login(demo_org["chenzhiqiang"])
    body = client.get(_widget_url("m:sales")).content.decode()
    assert "¥1,000.00" in body and "¥700.00" in body and "¥300.00" in body
    assert f"branch={zhuwei.branch_id}" in body
    client.force_login(zhuwei)
    body = client.get(_widget_url("m:sales")).content.decode()
    assert "¥300.00" in body and "¥700.00" not in body and "¥1,000.00" not in body


def test_a_salesperson_sees_his_overdue_follow_ups_only(demo_org, client):
    """ANA-11: the salesperson's home lists his customers whose follow-up date has passed, not others'."""
    _follow_up(demo_org["liuyang"], "逾期跟进甲", 2)
    _follow_up(demo_org["liuyang"], "今日跟进乙", 0)
    _follow_up(demo_org["zhuwei"], "别人的逾期丙", 5)
    client.force_login(demo_org["liuyang"])
    body = client.get(_widget_url("follow_ups")).content.decode()
    assert "逾期跟进甲" in body and "今日跟进乙" not in body and "别人的逾期丙" not in body
    client.force_login(demo_org["wangjianguo"])
    team = client.get(_widget_url("team_follow_ups")).content.decode()
    assert demo_org["liuyang"].display_name in team and demo_org["zhuwei"].display_name not in team


def test_the_layout_is_arranged_and_reset(demo_org, client):
    """ANA-11: add, remove, move and reset to the role's default; GET changes nothing."""
    user = demo_org["liuyang"]
    client.force_login(user)
    change = reverse("analytics:dashboard_customize_change")
    default = dashboard.default_layout(user)
    client.get(reverse("analytics:dashboard_customize"))
    assert dashboard.layout_of(user) == default
    assert not DashboardLayout.objects.filter(user=user).exists()
    client.post(change, {"action": "remove", "code": default[0]})
    client.post(change, {"action": "down", "code": default[1]})
    client.post(change, {"action": "add", "code": "large_deals"})
    client.post(change, {"action": "add", "code": "m:received"})  # a salesperson may see his money received
    layout = dashboard.layout_of(user)
    assert layout[:2] == [default[2], default[1]] and layout[-2:] == ["large_deals", "m:received"]
    assert default[0] not in layout
    client.post(change, {"action": "add", "code": "service_queue"})  # service.view: yes; an unknown code: no
    client.post(change, {"action": "add", "code": "no-such-widget"})
    assert "no-such-widget" not in dashboard.layout_of(user)
    page = client.get("/").content.decode()
    assert page.index('data-widget="large_deals"') < page.index('data-widget="m:received"')
    client.post(change, {"action": "reset"})
    assert dashboard.layout_of(user) == default


def test_todays_plan_shows_the_plan_items_and_appointments_of_today(demo_org, client):
    """ANA-11: the salesperson's plan for today and today's appointments; not tomorrow's, not a colleague's."""
    liuyang, zhuwei = demo_org["liuyang"], demo_org["zhuwei"]
    today = timezone.localdate()
    WorkPlanItem.objects.create(owner=liuyang, branch=liuyang.branch, day=today, title="拜访华达机电")
    WorkPlanItem.objects.create(owner=liuyang, branch=liuyang.branch, day=today + datetime.timedelta(days=1),
                                title="明天的计划")
    WorkPlanItem.objects.create(owner=zhuwei, branch=zhuwei.branch, day=today, title="朱伟的计划")
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time(15, 30)))
    Schedule.objects.create(owner=liuyang, branch=liuyang.branch, title="产品演示", starts_at=start,
                            ends_at=start + datetime.timedelta(hours=1))
    client.force_login(liuyang)
    body = client.get(_widget_url("today")).content.decode()
    assert "拜访华达机电" in body and "15:30 产品演示" in body
    assert "明天的计划" not in body and "朱伟的计划" not in body


def test_a_split_without_a_figure_in_some_branches_still_renders(demo_org, client):
    """ANA-10: a rate per branch that has no figure in two branches (orders but no purchase prices, so no
    gross margin rate) renders its widget, the branches without a figure last, instead of failing."""
    liuyang, zhuwei = demo_org["liuyang"], demo_org["zhuwei"]
    for seller in (liuyang, zhuwei):
        customer = Customer.objects.create(name=f"无成本客户{seller.username}", owner=seller, branch=seller.branch)
        order = Order.objects.create(number=f"NC-{seller.pk}", customer=customer, owner=seller, branch=seller.branch,
                                     status="completed", order_date=timezone.localdate(), total=Decimal("500"),
                                     subtotal=Decimal("500"))
        order.lines.create(description="无成本", quantity=1, unit_price=Decimal("500"), subtotal=Decimal("500"),
                           total=Decimal("500"))
    boss = demo_org["chenzhiqiang"]
    data = dashboard.widget_data(boss, dashboard.get_widget("m:gross_margin_rate"))
    assert [row["value"] for row in data["rows"]] == [None, None]
    assert {row["key"] for row in data["rows"]} == {liuyang.branch_id, zhuwei.branch_id}
    client.force_login(boss)
    response = client.get(_widget_url("m:gross_margin_rate"))
    assert response.status_code == 200
