"""Daily work plans (WRK-1): planning, assignment, progress, carry-over, the pages."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from guanxi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from guanxi.core.models import Notification
from guanxi.workplace import plans
from guanxi.workplace.models import PlanStatus, WorkPlanItem

pytestmark = pytest.mark.django_db


def test_an_employee_plans_the_day_linked_to_a_customer(org, customer, today):
    """WRK-1: an item of today's plan, linked to one's customer, in one's branch."""
    item = plans.plan_item_create(actor=org["liuyang"], title="  拜访华达  ", customer=customer)
    assert (item.owner, item.day, item.title, item.customer, item.status) == (
        org["liuyang"], today, "拜访华达", customer, PlanStatus.PLANNED)
    assert item.branch_id == org["liuyang"].branch_id and item.assigned_by is None


def test_an_opportunity_brings_its_customer_and_must_match_it(org, customer):
    """WRK-1: linking an opportunity links its customer; another customer's is refused."""
    from guanxi.customers.services import customer_create
    from guanxi.sales.services import opportunity_create

    opportunity = opportunity_create(actor=org["liuyang"], customer=customer, name="显示屏项目")
    item = plans.plan_item_create(actor=org["liuyang"], title="报价", opportunity=opportunity)
    assert item.customer == customer
    other = customer_create(actor=org["liuyang"], name="佛山美达陶瓷有限公司")
    with pytest.raises(ValidationFailed) as error:
        plans.plan_item_create(actor=org["liuyang"], title="报价", opportunity=opportunity, customer=other)
    assert error.value.errors[0]["field"] == "opportunity"
    assert WorkPlanItem.objects.count() == 1


def test_someone_elses_customer_cannot_be_linked(org, customer):
    """WRK-1 + ORG-3: a customer outside one's scope is not found, and nothing is saved."""
    with pytest.raises(NotFound):
        plans.plan_item_create(actor=org["zhuwei"], title="偷看", customer=customer)
    assert not WorkPlanItem.objects.exists()


@pytest.mark.parametrize("days", [-1, 93])
def test_past_days_and_far_future_are_refused(org, today, days):
    """WRK-1: plans are for today or up to three months ahead; bad input changes nothing."""
    with pytest.raises(ValidationFailed) as error:
        plans.plan_item_create(actor=org["liuyang"], title="x", day=today + datetime.timedelta(days=days))
    assert error.value.errors[0]["field"] == "day"
    assert not WorkPlanItem.objects.exists()


def test_an_empty_title_is_refused(org):
    with pytest.raises(ValidationFailed):
        plans.plan_item_create(actor=org["liuyang"], title="   ")
    assert not WorkPlanItem.objects.exists()


def test_a_manager_assigns_an_item_and_the_employee_is_told(org):
    """WRK-1: a manager assigns to someone in their department; the employee gets a notice."""
    item = plans.plan_item_create(actor=org["wangjianguo"], owner=org["liuyang"], title="跟进华达回款")
    assert item.owner == org["liuyang"] and item.assigned_by == org["wangjianguo"]
    notice = Notification.objects.get(recipient=org["liuyang"], kind="workplace.plan_assigned")
    assert "王建国" in notice.title and notice.url == item.get_absolute_url()


@pytest.mark.parametrize("actor, owner", [("liuyang", "huangli"),  # no assign permission
                                          ("wangjianguo", "zhuwei"),  # outside his department
                                          ("yangfan", "liuyang")])  # another branch
def test_assigning_outside_ones_scope_is_refused(org, actor, owner):
    """WRK-1: only managers assign, and only to their people; nothing changes otherwise."""
    with pytest.raises(Forbidden):
        plans.plan_item_create(actor=org[actor], owner=org[owner], title="越权")
    assert not WorkPlanItem.objects.exists() and not Notification.objects.exists()


def test_progress_rules(org):
    """WRK-1: 100 % is done, done is 100 %, between is in progress; the time of completion is kept."""
    item = plans.plan_item_create(actor=org["liuyang"], title="报价")
    item = plans.plan_item_progress(actor=org["liuyang"], item=item, progress=50, result="已发初稿")
    assert (item.status, item.progress, item.result) == (PlanStatus.IN_PROGRESS, 50, "已发初稿")
    item = plans.plan_item_progress(actor=org["liuyang"], item=item, progress=100)
    assert item.status == PlanStatus.DONE and item.completed_at is not None
    item = plans.plan_item_progress(actor=org["liuyang"], item=item, status=PlanStatus.IN_PROGRESS)
    assert item.progress < 100 and item.completed_at is None
    item = plans.plan_item_progress(actor=org["liuyang"], item=item, status=PlanStatus.DONE)
    assert item.progress == 100


def test_bad_progress_changes_nothing(org):
    item = plans.plan_item_create(actor=org["liuyang"], title="报价")
    for kwargs in ({"progress": 101}, {"progress": -5}, {"status": "carried"}, {"status": "bogus"}):
        with pytest.raises(ValidationFailed):
            plans.plan_item_progress(actor=org["liuyang"], item=item, **kwargs)
    item.refresh_from_db()
    assert (item.status, item.progress) == (PlanStatus.PLANNED, 0)


def test_a_colleague_cannot_touch_ones_plan(org):
    """WRK-1 + ORG-3: a colleague who sees the plan may not change it; one without scope
    gets not found; nothing changes."""
    item = plans.plan_item_create(actor=org["liuyang"], title="报价")
    with pytest.raises(Forbidden):
        plans.plan_item_progress(actor=org["huangli"], item=item, progress=100)
    with pytest.raises(NotFound):
        plans.plan_item_delete(actor=org["zhuwei"], item=item)
    item.refresh_from_db()
    assert item.progress == 0


def test_the_manager_may_update_the_employees_item(org):
    item = plans.plan_item_create(actor=org["liuyang"], title="报价")
    plans.plan_item_update(actor=org["wangjianguo"], item=item, title="报价（重要）")
    item.refresh_from_db()
    assert item.title == "报价（重要）"


def test_assigned_work_is_removed_by_the_manager_only(org):
    """WRK-1: an employee cannot delete what the manager assigned; the manager can."""
    item = plans.plan_item_create(actor=org["wangjianguo"], owner=org["liuyang"], title="任务")
    with pytest.raises(Forbidden):
        plans.plan_item_delete(actor=org["liuyang"], item=item)
    assert WorkPlanItem.objects.filter(pk=item.pk).exists()
    plans.plan_item_delete(actor=org["wangjianguo"], item=item)
    assert not WorkPlanItem.objects.filter(pk=item.pk).exists()


def _on_day(item, day):
    WorkPlanItem.objects.filter(pk=item.pk).update(day=day)
    item.refresh_from_db()
    return item


def test_unfinished_items_carry_over_once(org, today, customer):
    """WRK-1: items left open yesterday close as carried over and continue today, keeping
    their progress, link and assigner; running the job twice carries nothing more."""
    yesterday = today - datetime.timedelta(days=1)
    open_item = _on_day(plans.plan_item_create(actor=org["liuyang"], title="报价", customer=customer), yesterday)
    plans.plan_item_progress(actor=org["liuyang"], item=open_item, progress=50)
    done = plans.plan_item_create(actor=org["liuyang"], title="回访")
    plans.plan_item_progress(actor=org["liuyang"], item=done, status=PlanStatus.DONE)
    _on_day(done, yesterday)
    assigned = _on_day(plans.plan_item_create(actor=org["wangjianguo"], owner=org["liuyang"], title="任务"),
                       yesterday)

    assert plans.plans_carry_over(today=today) == 2
    assert plans.plans_carry_over(today=today) == 0

    open_item.refresh_from_db()
    assert open_item.status == PlanStatus.CARRIED
    continued = open_item.carried_to
    assert (continued.day, continued.progress, continued.status, continued.customer, continued.carry_count) == (
        today, 50, PlanStatus.IN_PROGRESS, customer, 1)
    assert WorkPlanItem.objects.get(carried_from=assigned).assigned_by == org["wangjianguo"]
    done.refresh_from_db()
    assert done.status == PlanStatus.DONE and not hasattr(done, "carried_to")


def test_an_item_is_continued_at_most_once_by_the_database(org, today):
    """WRK-1: two processes carrying the same item cannot both create a continuation."""
    item = plans.plan_item_create(actor=org["liuyang"], title="报价")
    WorkPlanItem.objects.create(owner=item.owner, branch=item.branch, day=today, title="a", carried_from=item)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkPlanItem.objects.create(owner=item.owner, branch=item.branch, day=today, title="b", carried_from=item)


def test_a_carried_item_is_changed_where_it_continues(org, today):
    item = _on_day(plans.plan_item_create(actor=org["liuyang"], title="报价"), today - datetime.timedelta(days=1))
    plans.plans_carry_over(today=today)
    item.refresh_from_db()
    with pytest.raises(Conflict):
        plans.plan_item_progress(actor=org["liuyang"], item=item, progress=100)


def test_evening_reminder_once_a_day(org, today):
    """WRK-1: people with open items are reminded in the evening, once."""
    plans.plan_item_create(actor=org["liuyang"], title="报价")
    done = plans.plan_item_create(actor=org["huangli"], title="完成了")
    plans.plan_item_progress(actor=org["huangli"], item=done, status=PlanStatus.DONE)
    assert plans.plans_remind_unfinished(today) == 1
    assert plans.plans_remind_unfinished(today) == 0
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [
        ("liuyang", "workplace.plan_evening")]


def test_completion_leaves_out_cancelled_items(org):
    a = plans.plan_item_create(actor=org["liuyang"], title="a")
    b = plans.plan_item_create(actor=org["liuyang"], title="b")
    c = plans.plan_item_create(actor=org["liuyang"], title="c")
    plans.plan_item_progress(actor=org["liuyang"], item=a, status=PlanStatus.DONE)
    plans.plan_item_progress(actor=org["liuyang"], item=c, status=PlanStatus.CANCELLED)
    items = list(WorkPlanItem.objects.all())
    assert plans.completion(items) == (1, 2)
    assert plans.completion_by_owner(WorkPlanItem.objects.all()) == {org["liuyang"].pk: (1, 2)}
    assert b.status == PlanStatus.PLANNED


def test_plan_changes_are_audited(org):
    """WRK-1: the history of an item names who changed it."""
    from auditlog.models import LogEntry

    item = plans.plan_item_create(actor=org["liuyang"], title="报价")
    plans.plan_item_progress(actor=org["liuyang"], item=item, progress=50)
    entries = LogEntry.objects.get_for_object(item)
    assert entries.count() == 2 and {e.actor_id for e in entries} == {org["liuyang"].pk}


# --- pages -------------------------------------------------------------------------------
def test_my_day_shows_the_assigned_item(org, client_for, today):
    """WRK-1: an item the manager assigned appears on the employee's day, marked as such."""
    plans.plan_item_create(actor=org["wangjianguo"], owner=org["liuyang"], title="跟进华达回款")
    html = client_for(org["liuyang"]).get("/work/day/").content.decode()
    assert "跟进华达回款" in html and "王建国" in html


def test_adding_an_item_from_my_day(org, client_for, today):
    client = client_for(org["liuyang"])
    response = client.post("/work/plans/add/", {"title": "准备演示", "date": today.isoformat(),
                                                "day": today.isoformat()})
    assert response.status_code == 302
    assert WorkPlanItem.objects.get().title == "准备演示"


def test_adding_a_bad_item_shows_an_error_and_saves_nothing(org, client_for, today):
    client = client_for(org["liuyang"])
    response = client.post("/work/plans/add/", {"title": "", "date": today.isoformat()}, follow=True)
    assert not WorkPlanItem.objects.exists()
    assert "toast-error" in response.content.decode()


def test_progress_over_htmx_returns_the_row(org, client_for):
    item = plans.plan_item_create(actor=org["liuyang"], title="报价")
    response = client_for(org["liuyang"]).post(f"/work/plans/{item.pk}/progress/", {"progress": "100", "result": "好"},
                                               HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="plan-{item.pk}"' in response.content.decode()
    item.refresh_from_db()
    assert item.status == PlanStatus.DONE and item.result == "好"


def test_a_manager_sees_his_peoples_day_and_assigns(org, client_for, today):
    """WRK-1: the team page lists the department's people with their completion; an
    assignment made there lands in the employee's plan."""
    plans.plan_item_create(actor=org["liuyang"], title="刘洋的计划")
    client = client_for(org["wangjianguo"])
    html = client.get("/work/plans/team/").content.decode()
    assert "刘洋的计划" in html and 'data-person="liyang"' in html and 'data-person="zhuwei"' not in html
    response = client.post("/work/plans/team/", {"owner": org["liuyang"].pk, "title": "拜访新客户",
                                                 "day": today.isoformat()})
    assert response.status_code == 302
    assert WorkPlanItem.objects.filter(owner=org["liuyang"], title="拜访新客户",
                                       assigned_by=org["wangjianguo"]).exists()


def test_the_team_page_refuses_someone_outside_the_scope(org, client_for, today):
    client = client_for(org["wangjianguo"])
    response = client.post("/work/plans/team/", {"owner": org["zhuwei"].pk, "title": "越权", "day": today.isoformat()})
    assert response.status_code == 200 and not WorkPlanItem.objects.exists()


def test_salespeople_have_no_team_page(org, client_for):
    assert client_for(org["liuyang"]).get("/work/plans/team/").status_code == 403


def test_another_persons_day_out_of_scope_is_not_found(org, client_for):
    client = client_for(org["liuyang"])
    assert client.get(f"/work/day/?person={org['huangli'].pk}").status_code == 404
    assert client_for(org["wangjianguo"]).get(f"/work/day/?person={org['liuyang'].pk}").status_code == 200


def test_plan_list_queries_do_not_grow_with_rows(org, client_for, customer, django_assert_max_num_queries):
    """No N+1: the list costs the same for 3 rows as for 30."""
    client = client_for(org["wangjianguo"])
    for n in range(3):
        plans.plan_item_create(actor=org["liuyang"], title=f"项{n}", customer=customer)
    client.get("/work/plans/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/work/plans/")
    for n in range(27):
        plans.plan_item_create(actor=org["liyang"], title=f"更多{n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/work/plans/").status_code == 200
    assert len(many) == len(few)


def test_my_day_queries_do_not_grow_with_items(org, client_for, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(org["liuyang"])
    plans.plan_item_create(actor=org["liuyang"], title="项", customer=customer)
    client.get("/work/day/")
    with CaptureQueriesContext(connection) as few:
        client.get("/work/day/")
    for n in range(10):
        plans.plan_item_create(actor=org["liuyang"], title=f"项{n}", customer=customer)
    with CaptureQueriesContext(connection) as many:
        client.get("/work/day/")
    assert len(many) == len(few)
