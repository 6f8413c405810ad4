"""The approval building block (issue 4, point 7) and document numbering."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.utils import translation
from django.utils.translation import gettext

from guanxi.approvals import services
from guanxi.approvals.models import (
    ApprovalPolicy,
    ApprovalRequest,
    ApprovalStatus,
    ApprovalStep,
    ApproverKind,
)
from guanxi.core import transitions
from guanxi.core.errors import Conflict, Forbidden, ValidationFailed
from guanxi.core.models import Notification
from guanxi.core.numbering import next_number
from guanxi.org.models import Role, User

DECIDED = []


@pytest.fixture
def doc_type():
    DECIDED.clear()
    services.register("test.discount", "Discount", lambda request: DECIDED.append((request.object_id,
                                                                                    request.status)))
    yield "test.discount"
    services._doc_types.pop("test.discount", None)


@pytest.fixture
def policy(doc_type, demo_org):
    policy = ApprovalPolicy.objects.create(doc_type=doc_type, name="折扣审批")
    ApprovalStep.objects.create(policy=policy, position=1, name="经理审批", approver_kind=ApproverKind.MANAGER)
    ApprovalStep.objects.create(policy=policy, position=2, name="财务审批", min_amount=Decimal("50000"),
                                approver_kind=ApproverKind.ROLE, role=Role.objects.get(code="finance_supervisor"))
    return policy


def test_no_policy_means_approved_at_once(doc_type, demo_org):
    request = services.approval_start(actor=demo_org["liuyang"], doc_type=doc_type, object_id=1,
                                      amount=Decimal("10"), label="小折扣")
    assert request.status == ApprovalStatus.APPROVED and DECIDED == [(1, "approved")]


def test_small_amount_needs_only_the_manager(policy, doc_type, demo_org):
    request = services.approval_start(actor=demo_org["liuyang"], doc_type=doc_type, object_id=2,
                                      amount=Decimal("8000"), label="报价折扣")
    assert len(request.steps) == 1
    assert Notification.objects.filter(recipient=demo_org["wangjianguo"], kind="approvals.waiting").exists()
    with pytest.raises(Forbidden):
        services.approval_decide(actor=demo_org["zhuwei"], request=request, approve=True)
    services.approval_decide(actor=demo_org["wangjianguo"], request=request, approve=True)
    request.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED and DECIDED == [(2, "approved")]


def test_large_amount_goes_through_both_steps_in_order(policy, doc_type, demo_org):
    request = services.approval_start(actor=demo_org["liuyang"], doc_type=doc_type, object_id=3,
                                      amount=Decimal("80000"), label="大额折扣")
    assert [a.username for a in services.approvers_for(request, request.current_step)] == ["wangjianguo"]
    services.approval_decide(actor=demo_org["wangjianguo"], request=request, approve=True)
    request.refresh_from_db()
    finance = {a.username for a in services.approvers_for(request, request.current_step)}
    assert finance == {"zhouhong"}  # the Guangzhou finance supervisor, not Beijing's
    assert DECIDED == []
    with pytest.raises(ValidationFailed):
        services.approval_decide(actor=demo_org["zhouhong"], request=request, approve=False, comment="")
    services.approval_decide(actor=demo_org["zhouhong"], request=request, approve=False, comment="折扣过高")
    request.refresh_from_db()
    assert request.status == ApprovalStatus.REJECTED and DECIDED == [(3, "rejected")]
    assert Notification.objects.filter(recipient=demo_org["liuyang"], kind="approvals.decided").exists()
    with pytest.raises(Conflict):
        services.approval_decide(actor=demo_org["zhouhong"], request=request, approve=True)


def test_one_pending_request_per_document(policy, doc_type, demo_org):
    services.approval_start(actor=demo_org["liuyang"], doc_type=doc_type, object_id=4, amount=Decimal("1"),
                            label="x")
    with pytest.raises(Conflict):
        services.approval_start(actor=demo_org["liuyang"], doc_type=doc_type, object_id=4, amount=Decimal("1"),
                                label="x")


def test_withdraw(policy, doc_type, demo_org):
    request = services.approval_start(actor=demo_org["liuyang"], doc_type=doc_type, object_id=5,
                                      amount=Decimal("1"), label="x")
    with pytest.raises(Forbidden):
        services.approval_withdraw(actor=demo_org["wangjianguo"], request=request)
    services.approval_withdraw(actor=demo_org["liuyang"], request=request)
    assert DECIDED == [(5, "cancelled")]


def test_approval_screens(policy, doc_type, demo_org, client_for):
    request = services.approval_start(actor=demo_org["liuyang"], doc_type=doc_type, object_id=6,
                                      amount=Decimal("100"), label="页面审批")
    manager = client_for(demo_org["wangjianguo"])
    assert "页面审批" in manager.get("/approvals/").content.decode()
    assert client_for(demo_org["zhuwei"]).get(f"/approvals/{request.pk}/").status_code == 404
    manager.post(f"/approvals/{request.pk}/decide/", {"action": "approve"})
    request.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED
    admin = client_for(demo_org["zhaolei"])
    assert "折扣审批" in admin.get("/approvals/flows/").content.decode()


def test_numbers_are_sequential_and_a_rollback_leaves_no_gap(db):
    with transaction.atomic():
        first = next_number("test")
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number("test")
        raise RuntimeError("the document was not saved")
    with transaction.atomic():
        second = next_number("test")
    assert first.endswith("-000001") and second.endswith("-000002")


@pytest.mark.django_db(transaction=True)
def test_numbers_are_unique_and_gap_free_under_concurrency():
    """Gap-free under concurrency: threads with their own connections take numbers at once."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite writes one at a time")
    taken, errors = [], []

    def worker():
        try:
            for _ in range(20):
                with transaction.atomic():
                    taken.append(next_number("concurrent"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(int(n.rsplit("-", 1)[1]) for n in taken) == list(range(1, 121))


def test_the_flows_page_only_reads_and_a_flow_is_made_when_saved(doc_type, demo_org, client_for):
    """SYS-2 (issue 16: GET never writes): the approval-flows page lists every kind of
    document that asks for approval, set up or not, without writing; saving a flow that was
    never set up creates it with its steps."""
    admin = client_for(demo_org["zhaolei"])
    before = ApprovalPolicy.objects.count()
    page = admin.get("/approvals/flows/").content.decode()
    assert ApprovalPolicy.objects.count() == before
    with translation.override("zh-hans"):
        label = gettext("Discount")  # a built-in flow is named by its document type's label
    assert label in page and "/approvals/flows/test.discount/" in page
    assert admin.get("/approvals/flows/test.discount/").status_code == 200
    assert ApprovalPolicy.objects.count() == before
    assert admin.get("/approvals/flows/no.such.type/").status_code == 404
    form = {"name": "折扣审批", "is_active": "on", "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000", "steps-0-position": "1",
            "steps-0-name": "经理审批", "steps-0-approver_kind": ApproverKind.MANAGER, "steps-0-min_amount": "0"}
    response = admin.post("/approvals/flows/test.discount/", form)
    assert response.status_code == 302, response.context["steps"].errors if response.context else ""
    policy = ApprovalPolicy.objects.get(doc_type="test.discount")
    assert policy.is_active and list(policy.steps.values_list("name", flat=True)) == ["经理审批"]


def test_approval_statuses_follow_the_table_with_history(policy, doc_type, demo_org):
    """Issue 11: an approval moves pending → approved / rejected / withdrawn once, with a history
    row (the decider, the comment); a decided request moves no more."""

    request = services.approval_start(actor=demo_org["liuyang"], doc_type=doc_type, object_id=9,
                                      amount=Decimal("8000"), label="报价折扣")
    services.approval_decide(actor=demo_org["wangjianguo"], request=request, approve=False, comment="折扣太大")
    request.refresh_from_db()
    last = transitions.status_history(request)[-1]
    assert (last.to_label, last.actor, last.reason) == (ApprovalStatus.REJECTED.label, demo_org["wangjianguo"],
                                                        "折扣太大")
    for target in ApprovalStatus.values:
        with pytest.raises(transitions.InvalidTransition):
            transitions.transition(request, target, demo_org["wangjianguo"])
    assert request.__class__.objects.get(pk=request.pk).status == ApprovalStatus.REJECTED


def test_the_inbox_costs_the_same_for_many_requests(policy, doc_type, demo_org, client_for,
                                                    django_assert_max_num_queries):
    """Issue 15.2: the approvals inbox makes a fixed number of queries however many requests
    wait (it made two per pending request), and still lists only what the user may decide."""
    manager = client_for(demo_org["wangjianguo"])
    for i in range(12):
        services.approval_start(actor=demo_org["liuyang"], doc_type=doc_type, object_id=100 + i,
                                amount=Decimal("100"), label=f"收件箱{i}")
    services.approval_start(actor=demo_org["zhuwei"], doc_type=doc_type, object_id=999, amount=Decimal("100"),
                            label="别人的审批")
    manager.get("/approvals/")
    with django_assert_max_num_queries(10):
        page = manager.get("/approvals/").content.decode()
    assert page.count("收件箱") == 12 and "别人的审批" not in page


def test_the_inbox_check_agrees_with_the_list_of_approvers(doc_type, demo_org):
    """Issue 15.2: the query-free check the inbox uses names exactly the people
    ``approvers_for`` lists, for every kind of step and every demo user."""

    policy = ApprovalPolicy.objects.create(doc_type=doc_type, name="全部审批人")
    kinds = [(ApproverKind.MANAGER, None), (ApproverKind.DEPARTMENT_HEAD, None), (ApproverKind.BRANCH_HEAD, None),
             (ApproverKind.ROLE, "finance_supervisor"), (ApproverKind.ROLE, "general_manager")]
    for position, (kind, role) in enumerate(kinds, start=1):
        ApprovalStep.objects.create(policy=policy, position=position, name=f"步骤{position}", approver_kind=kind,
                                    role=Role.objects.get(code=role) if role else None)
    people = list(User.objects.filter(is_active=True))
    for requester in ("liuyang", "zhuwei", "zhouhong"):
        request = services.approval_start(actor=demo_org[requester], doc_type=doc_type, object_id=7,
                                          amount=Decimal("10"), label="核对")
        request = ApprovalRequest.objects.select_related("requester__department", "branch").get(pk=request.pk)
        for step in ApprovalStep.objects.filter(policy=policy).select_related("role"):
            listed = {user.pk for user in services.approvers_for(request, step)}
            checked = {user.pk for user in people if services.is_approver(user, request, step)}
            assert checked == listed, (requester, step.approver_kind)
        services.approval_withdraw(actor=demo_org[requester], request=request)
