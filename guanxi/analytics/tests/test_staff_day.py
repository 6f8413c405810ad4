"""The staff's day for the decision tier (WRK-5) and the demo data."""

import pytest
from django.utils import timezone

from guanxi.analytics.staffday import StaffDayReport
from guanxi.customers.services import customer_create, interaction_create
from guanxi.workplace import plans
from guanxi.workplace.models import PlanStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(demo_org):
    return demo_org


@pytest.fixture
def customer(org):
    return customer_create(actor=org["liuyang"], name="广州华达电子有限公司", category="customer")


@pytest.fixture
def busy_day(org, customer):
    """liuyang: 2 of 3 items done, a visit and a call, one new customer; zhuwei: 1 open item."""
    a = plans.plan_item_create(actor=org["liuyang"], title="a")
    b = plans.plan_item_create(actor=org["liuyang"], title="b")
    plans.plan_item_create(actor=org["liuyang"], title="c")
    for item in (a, b):
        plans.plan_item_progress(actor=org["liuyang"], item=item, status=PlanStatus.DONE)
    plans.plan_item_create(actor=org["zhuwei"], title="d")
    interaction_create(actor=org["liuyang"], customer=customer, channel="visit", summary="拜访")
    interaction_create(actor=org["liuyang"], customer=customer, channel="phone", summary="电话")


def test_the_chairman_sees_everyones_day(org, busy_day):
    """WRK-5: per person plan completion, interactions, visits and new customers; per
    department and branch the sums."""
    result = StaffDayReport(org["chenzhiqiang"], day=timezone.localdate()).run()
    person = {row.label: row for row in result.people}
    liuyang = person["刘洋"]
    assert (liuyang.done, liuyang.planned, liuyang.completion, liuyang.interactions, liuyang.visits,
            liuyang.new_customers) == (2, 3, 66.7, 2, 1, 1)
    assert (person["朱伟"].done, person["朱伟"].planned) == (0, 1)
    assert len(result.people) >= 30 and person["陈志强"].planned == 0
    branches = {row.label: row for row in result.branches}
    assert (branches["广州总部"].planned, branches["广州总部"].done, branches["北京分公司"].planned) == (3, 2, 1)
    assert sum(row.people for row in result.departments) == len(result.people)
    assert (result.total.planned, result.total.done, result.total.interactions) == (4, 2, 2)


def test_a_manager_sees_only_his_part(org, busy_day):
    result = StaffDayReport(org["yangfan"], day=timezone.localdate()).run()
    assert {row.label for row in result.people} == {"杨帆", "朱伟", "何静"}
    assert result.total.planned == 1 and result.total.interactions == 0


def test_the_page_is_for_those_with_the_overview(org, busy_day, client_for):
    html = client_for(org["chenzhiqiang"]).get("/analytics/staff-day/").content.decode()
    assert "刘洋" in html and "66.7%" in html and "北京分公司" in html
    assert client_for(org["liuyang"]).get("/analytics/staff-day/").status_code == 403


def test_the_page_costs_the_same_for_more_activity(org, busy_day, client_for, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(org["chenzhiqiang"])
    client.get("/analytics/staff-day/")
    with CaptureQueriesContext(connection) as few:
        client.get("/analytics/staff-day/")
    for n in range(5):
        plans.plan_item_create(actor=org["hejing"], title=f"x{n}")
        customer_create(actor=org["hejing"], name=f"北京新客户{n}号有限公司")
    with CaptureQueriesContext(connection) as many:
        client.get("/analytics/staff-day/")
    assert len(many) == len(few)


def test_the_demo_builds_a_month_through_the_services(org):
    """Demo: a month of plans, directives partly acknowledged, news and intelligence."""
    from guanxi.customers import demo as customers_demo
    from guanxi.sales import demo as sales_demo
    from guanxi.workplace import demo_day
    from guanxi.workplace.models import Directive, DirectiveReceipt, NewsItem, WorkPlanItem

    customers_demo.build(total=200)
    sales_demo.build()
    demo_day.build()
    days = WorkPlanItem.objects.dates("day", "day")
    assert len(days) >= 20 and WorkPlanItem.objects.filter(status=PlanStatus.CARRIED).exists()
    assert WorkPlanItem.objects.filter(assigned_by__isnull=False).exists()
    # Carried items are mostly finished the next day: open work does not snowball.
    assert WorkPlanItem.objects.filter(status=PlanStatus.CARRIED).count() < \
        WorkPlanItem.objects.filter(status=PlanStatus.DONE).count() / 2
    assert Directive.objects.count() == 4
    receipts = DirectiveReceipt.objects.all()
    assert 0 < receipts.filter(acknowledged_at__isnull=False).count() < receipts.count()
    assert NewsItem.objects.filter(kind="competitor").exists() and NewsItem.objects.filter(kind="industry").exists()
    demo_day.build()  # twice changes nothing
    assert Directive.objects.count() == 4
