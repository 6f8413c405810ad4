"""ACT-1…4, CUS-7 recycling, CUS-8 feedback."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from guanxi.core.errors import Forbidden, NotFound, ValidationFailed
from guanxi.core.models import Notification
from guanxi.customers.models import (
    Customer,
    CustomerSettings,
    Feedback,
    Interaction,
    OwnershipEvent,
)
from guanxi.customers.reminders import reminder_lists, send_follow_up_notices
from guanxi.customers.report import daily_report
from guanxi.customers.selectors import feedback_visible_to
from guanxi.customers.services import (
    customer_create,
    customer_set_recycle_lock,
    customer_update,
    customers_recycle,
    feedback_create,
    feedback_handle,
    interaction_create,
    interaction_delete,
)
from guanxi.org.models import Department, User
from guanxi.testing.scope_matrix import assert_scope_matrix, matrix_users, owned_case
from guanxi.workplace.models import Schedule
from guanxi.workplace.services import schedule_create, schedules_send_reminders


@pytest.fixture
def customer(demo_org):
    return customer_create(actor=demo_org["liuyang"], name="广州华达电子有限公司")


@pytest.mark.parametrize("channel", ["phone", "email", "im", "visit", "website", "live_chat", "marketing", "social"])
def test_interactions_by_every_channel_update_the_customer(customer, demo_org, channel):
    """ACT-1: an interaction by any channel sets last contact and the next follow-up."""
    when = timezone.now() - datetime.timedelta(hours=2)
    follow = timezone.localdate() + datetime.timedelta(days=3)
    interaction_create(actor=demo_org["liuyang"], customer=customer, channel=channel, summary="沟通需求",
                       occurred_at=when, next_follow_up_on=follow)
    customer.refresh_from_db()
    assert customer.last_contacted_at == when and customer.next_follow_up_on == follow


def test_an_interaction_without_a_next_date_keeps_the_scheduled_follow_up(customer, demo_org):
    """ACT-1: logging a call without a next date keeps the follow-up already scheduled."""
    seller = demo_org["liuyang"]
    planned = timezone.localdate() + datetime.timedelta(days=5)
    interaction_create(actor=seller, customer=customer, summary="约下周拜访", next_follow_up_on=planned)
    interaction_create(actor=seller, customer=customer, summary="发了资料")
    customer.refresh_from_db()
    assert customer.next_follow_up_on == planned


def test_a_follow_up_set_on_the_customer_survives_an_interaction_without_a_date(customer, demo_org):
    """ACT-1: a follow-up scheduled on the customer itself is not cleared by a logged interaction."""

    seller = demo_org["liuyang"]
    planned = timezone.localdate() + datetime.timedelta(days=7)
    customer_update(actor=seller, customer=customer, next_follow_up_on=planned)
    interaction_create(actor=seller, customer=customer, summary="电话沟通")
    customer.refresh_from_db()
    assert customer.next_follow_up_on == planned
    later = planned + datetime.timedelta(days=3)
    interaction_create(actor=seller, customer=customer, summary="改约", next_follow_up_on=later)
    customer.refresh_from_db()
    assert customer.next_follow_up_on == later


def test_deleting_the_latest_interaction_rolls_the_customer_back(customer, demo_org):
    seller = demo_org["liuyang"]
    first = interaction_create(actor=seller, customer=customer, summary="一", occurred_at=timezone.now() -
                               datetime.timedelta(days=2), next_follow_up_on=timezone.localdate())
    latest = interaction_create(actor=seller, customer=customer, summary="二")
    interaction_delete(actor=seller, interaction=latest)
    customer.refresh_from_db()
    assert customer.last_contacted_at == first.occurred_at and customer.next_follow_up_on == timezone.localdate()


def test_interactions_cannot_be_in_the_future_or_by_outsiders(customer, demo_org):
    with pytest.raises(ValidationFailed):
        interaction_create(actor=demo_org["liuyang"], customer=customer, summary="x",
                           occurred_at=timezone.now() + datetime.timedelta(days=1))

    with pytest.raises(NotFound):
        interaction_create(actor=demo_org["zhuwei"], customer=customer, summary="x")
    assert not Interaction.objects.exists()


def test_reminder_lists(customer, demo_org):
    """ACT-3: contact today / tomorrow, overdue, no order for N days, no business for M days."""
    seller = demo_org["liuyang"]
    today = timezone.localdate()
    tomorrow = customer_create(actor=seller, name="明天联系")
    overdue = customer_create(actor=seller, name="逾期未跟进")
    old = customer_create(actor=seller, name="很久没生意", category="customer")
    Customer.objects.filter(pk=customer.pk).update(next_follow_up_on=today)
    Customer.objects.filter(pk=tomorrow.pk).update(next_follow_up_on=today + datetime.timedelta(days=1))
    Customer.objects.filter(pk=overdue.pk).update(next_follow_up_on=today - datetime.timedelta(days=3))
    long_ago = timezone.now() - datetime.timedelta(days=200)
    Customer.objects.filter(pk=old.pk).update(created_at=long_ago, last_contacted_at=long_ago)
    lists = {key: {c.pk for c in queryset} for key, (_title, queryset) in reminder_lists(seller).items()}
    assert lists["today"] == {customer.pk}
    assert lists["tomorrow"] == {tomorrow.pk}
    assert lists["overdue"] == {overdue.pk}
    assert old.pk in lists["no_order"] and old.pk in lists["no_business"]
    assert customer.pk not in lists["no_business"]
    assert reminder_lists(demo_org["zhuwei"])["today"][1].count() == 0


def test_follow_up_notices_once_a_day(customer, demo_org):
    Customer.objects.filter(pk=customer.pk).update(next_follow_up_on=timezone.localdate())
    assert send_follow_up_notices() == 1
    assert send_follow_up_notices() == 0
    assert Notification.objects.filter(recipient=demo_org["liuyang"], kind="customers.follow_up").count() == 1


def test_daily_report_per_person_and_department(customer, demo_org):
    """ACT-4: contacts and visits per person and per department, within the scope."""
    liuyang, liyang = demo_org["liuyang"], demo_org["liyang"]
    other = customer_create(actor=liyang, name="大客户组的客户")
    interaction_create(actor=liuyang, customer=customer, channel="visit", summary="拜访")
    interaction_create(actor=liuyang, customer=customer, channel="phone", summary="电话")
    interaction_create(actor=liyang, customer=other, channel="visit", summary="拜访")
    rows = {r.label: r for r in daily_report(demo_org["wangjianguo"])}
    assert (rows["刘洋"].total, rows["刘洋"].visits, rows["刘洋"].customers) == (2, 1, 1)
    assert rows["李阳"].visits == 1
    departments = {r.label: r.total for r in daily_report(demo_org["wangjianguo"], group="department")}
    assert departments == {"销售部": 2, "大客户组": 1}
    assert [r.label for r in daily_report(liuyang)] == ["刘洋"]
    assert daily_report(demo_org["zhuwei"]) == []


def test_feedback_is_visible_to_the_handling_department(customer, demo_org):
    """CUS-8: feedback records per customer, seen and handled by their department."""
    service_department = Department.objects.get(branch__code="gz", name="客户服务部")
    feedback = feedback_create(actor=demo_org["liuyang"], customer=customer, content="交货太慢",
                               department=service_department)

    assert feedback in feedback_visible_to(demo_org["xuting"])  # in the service department
    assert feedback not in feedback_visible_to(demo_org["zhuwei"])
    with pytest.raises(Forbidden):
        feedback_handle(actor=demo_org["liuyang"], feedback=feedback, response="我来")
    feedback_handle(actor=demo_org["xuting"], feedback=feedback, response="已加急发货")
    assert Feedback.objects.get(pk=feedback.pk).status == "handled"


def test_recycling_warns_then_returns_customers_to_the_pool(demo_org, django_capture_on_commit_callbacks):
    """CUS-7: not followed up for N days → warned first, then back to the pool."""
    rules = CustomerSettings.current()
    rules.recycle_no_follow_up_days, rules.recycle_no_deal_days, rules.recycle_warning_days = 30, 0, 3
    rules.save()
    seller = demo_org["liuyang"]
    stale = customer_create(actor=seller, name="快要回收")
    gone = customer_create(actor=seller, name="应当回收")
    kept = customer_create(actor=seller, name="经理锁定")
    fresh = customer_create(actor=seller, name="刚跟进")
    now = timezone.now()
    Customer.objects.filter(pk=stale.pk).update(owned_since=now - datetime.timedelta(days=28))
    Customer.objects.filter(pk__in=[gone.pk, kept.pk]).update(owned_since=now - datetime.timedelta(days=40))
    Customer.objects.filter(pk=fresh.pk).update(owned_since=now - datetime.timedelta(days=40),
                                               last_contacted_at=now - datetime.timedelta(days=1))
    customer_set_recycle_lock(actor=demo_org["wangjianguo"], customer=kept, locked=True)
    with django_capture_on_commit_callbacks(execute=True):
        result = customers_recycle(now)
    assert result == {"warned": 1, "recycled": 1}
    owners = dict(Customer.objects.values_list("name", "owner_id"))
    assert owners["应当回收"] is None and owners["经理锁定"] == seller.pk and owners["刚跟进"] == seller.pk
    assert gone.ownership_changes.filter(event=OwnershipEvent.RECYCLED).exists()
    assert any("快要回收" in m.subject for m in mail.outbox)
    assert customers_recycle(now) == {"warned": 0, "recycled": 0}


def test_appointment_reminders_are_delivered_once(demo_org, django_capture_on_commit_callbacks):
    """ACT-2: a reminder reaches the owner in the app (and by e-mail when asked), once."""
    seller = demo_org["liuyang"]
    start = timezone.now() + datetime.timedelta(minutes=10)
    schedule_create(actor=seller, title="拜访华达", starts_at=start, remind_minutes_before=15, remind_by_email=True)
    schedule_create(actor=seller, title="下周的会", starts_at=start + datetime.timedelta(days=7),
                    remind_minutes_before=15)
    with django_capture_on_commit_callbacks(execute=True):
        assert schedules_send_reminders() == 1
        assert schedules_send_reminders() == 0
    notice = Notification.objects.get(recipient=seller, kind="workplace.reminder")
    assert "拜访华达" in notice.title and len(mail.outbox) == 1


def test_appointment_validation(demo_org):
    start = timezone.now()
    with pytest.raises(ValidationFailed):
        schedule_create(actor=demo_org["liuyang"], title="倒着的", starts_at=start,
                        ends_at=start - datetime.timedelta(hours=1))
    assert not Schedule.objects.exists()


INTERACTIONS = owned_case("interactions", Interaction, module="customers", list_url="/customers/interactions/",
                          api="interactions", owner="customer.owner", title_of=lambda i: i.occurred_at.isoformat(),
                          search_term="矩阵", export=False, extra_visible=lambda user, i: i.author_id == user.pk,
                          global_search=False)


def test_scope_matrix_for_interactions(demo_org):
    """ORG-3: interactions follow their customer's scope (and their author sees their own)."""

    sellers = [u for u in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk")
               if u.has_module_perm("customers.create")]
    for i, user in enumerate(sellers):
        customer = customer_create(actor=user, name=f"矩阵互动客户{i}")
        interaction_create(actor=user, customer=customer, summary="矩阵",
                           occurred_at=timezone.now() - datetime.timedelta(minutes=i + 1))
    assert assert_scope_matrix(INTERACTIONS, matrix_users()) >= 25
