"""MKT-7: the marketing department's forms — a monthly plan, an event summary, a
competitor report, a channel report: write, submit, approve or return; scope, recycle bin,
pages and API."""

import datetime

import pytest
from django.urls import reverse

from guanxi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from guanxi.core.models import StatusChange
from guanxi.marketing.models import DepartmentReport, ReportStatus
from guanxi.marketing.selectors import capture as selectors
from guanxi.marketing.services import capture as services


@pytest.fixture
def author(demo_org):
    """The Beijing branch manager writes (marketing: all; scope: the branch)."""
    return demo_org["majun"]


@pytest.fixture
def plan(author):
    return services.report_create(actor=author, kind="monthly_plan", title="十二月营销计划",
                                  period=datetime.date(2026, 12, 15),
                                  content={"goals": "新增线索 200 条", "receivables": "华北区回款 50 万，12 月 25 日前"})


def test_plan_is_written_submitted_and_approved(demo_org, plan, author):
    """MKT-7: the author submits; the general manager approves; the moves are recorded."""
    assert plan.period == datetime.date(2026, 12, 1) and plan.department_id == author.department_id
    services.report_update(actor=author, report=plan, content={"goals": "新增线索 300 条"})
    services.report_submit(actor=author, report=plan)
    with pytest.raises(Conflict):
        services.report_update(actor=author, report=plan, content={"goals": "改"})
    approved = services.report_review(actor=demo_org["linhui"], report=plan, approve=True)
    assert approved.status == ReportStatus.APPROVED and approved.reviewed_by == demo_org["linhui"]
    assert list(StatusChange.objects.filter(object_id=plan.pk).values_list("to_status", flat=True)) == [
        "submitted", "approved"]


def test_returned_with_a_reason_then_resubmitted(demo_org, plan, author):
    services.report_submit(actor=author, report=plan)
    with pytest.raises(ValidationFailed):
        services.report_review(actor=demo_org["linhui"], report=plan, approve=False, note=" ")
    services.report_review(actor=demo_org["linhui"], report=plan, approve=False, note="预算不清")
    plan.refresh_from_db()
    assert plan.status == ReportStatus.RETURNED
    services.report_update(actor=author, report=plan, content={"budget": "50000"})
    assert services.report_submit(actor=author, report=plan).status == ReportStatus.SUBMITTED


def test_author_does_not_approve_own_and_others_do_not_edit(demo_org, plan, author):
    services.report_submit(actor=author, report=plan)
    with pytest.raises(Forbidden):
        services.report_review(actor=author, report=plan, approve=True)
    plan.refresh_from_db()
    assert plan.status == ReportStatus.SUBMITTED


def test_unknown_content_field_is_refused(author):
    """Mass assignment: only the kind's fields are taken."""
    with pytest.raises(ValidationFailed):
        services.report_create(actor=author, kind="channel", title="渠道", period=datetime.date(2026, 12, 1),
                               content={"status": "approved"})
    assert not DepartmentReport.objects.exists()


def test_scope_and_recycle_bin(demo_org, plan, author, client_for):
    """ORG-3: another branch neither sees nor changes it (404); deleted, it waits in the
    recycle bin of who sees it and comes back."""
    shanghai = demo_org["songtao"]
    assert not selectors.reports_visible_to(shanghai).exists()
    assert client_for(shanghai).get(plan.get_absolute_url()).status_code == 404
    with pytest.raises(NotFound):
        services.report_review(actor=shanghai, report=plan, approve=True)
    services.report_delete(actor=author, report=plan)
    assert not selectors.reports_visible_to(author).exists()
    assert list(selectors.reports_deleted_visible_to(demo_org["linhui"])) == [plan]
    assert not selectors.reports_deleted_visible_to(shanghai).exists()
    services.report_restore(actor=demo_org["linhui"], report=plan)
    assert selectors.reports_visible_to(author).get() == plan


def test_pages(demo_org, plan, author, client_for, django_assert_max_num_queries):
    """MKT-7: the list and the detail, in a bounded number of queries; the manager reviews
    through the page."""
    client = client_for(author)
    client.get(reverse("marketing:report_list"))
    with django_assert_max_num_queries(9):
        html = client.get(reverse("marketing:report_list")).content.decode()
    assert "十二月营销计划" in html
    with django_assert_max_num_queries(14):
        html = client.get(plan.get_absolute_url()).content.decode()
    assert "华北区回款" in html
    assert client.post(reverse("marketing:report_submit", args=[plan.pk])).status_code == 302
    client_for(demo_org["linhui"]).post(reverse("marketing:report_review", args=[plan.pk]), {"decision": "approve"})
    plan.refresh_from_db()
    assert plan.status == ReportStatus.APPROVED


def test_api(demo_org, author, api_for):
    """MKT-7: create, submit and approve through the API."""
    client, headers = api_for(author)
    created = client.post("/api/v1/marketing-reports", {"kind": "competitor", "title": "竞品动态", "period": "2026-11-03",
                                                         "data": {"competitor": "某公司", "activity": "降价 10%"}},
                          content_type="application/json", headers=headers)
    assert created.status_code == 201 and created.json()["period"] == "2026-11-01"
    pk = created.json()["id"]
    assert client.post(f"/api/v1/marketing-reports/{pk}/submit", headers=headers).json()["status"] == "submitted"
    boss, boss_headers = api_for(demo_org["linhui"])
    body = boss.post(f"/api/v1/marketing-reports/{pk}/review", {"decision": "approve"},
                     content_type="application/json", headers=boss_headers).json()
    assert body["status"] == "approved"
    other, other_headers = api_for(demo_org["songtao"])
    assert other.get(f"/api/v1/marketing-reports/{pk}", headers=other_headers).status_code == 404
