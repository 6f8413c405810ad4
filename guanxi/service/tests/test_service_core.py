"""SRV-1…6, SRV-8, ANA-8: tickets, business-hour targets, escalation, flows, knowledge base,
surveys and after-sales care."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.core import picklists
from guanxi.core.errors import Conflict, Forbidden, ValidationFailed
from guanxi.core.models import CalendarDay, Notification
from guanxi.core.outbound import OutboundRefused, check_address, post_json
from guanxi.customers.services import customer_create
from guanxi.sales import services as sales
from guanxi.sales.models import Product
from guanxi.service import flows, knowledge, services
from guanxi.service.clock import Hours
from guanxi.service.flow_services import flow_publish
from guanxi.service.models import (
    Article,
    Flow,
    FlowRun,
    RunStatus,
    ServiceSettings,
    StepLog,
    Survey,
    TicketStatus,
)
from guanxi.service.selectors import tickets_visible_to
from guanxi.testing.sales import confirmed_order
from guanxi.workplace.models import Schedule

SH = timezone.get_default_timezone()


def at(day, hour, minute=0):
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=SH)


def kind(code):
    return picklists.items("service.ticket_type").get(code=code)


def severity(code):
    return picklists.items("service.severity").get(code=code)


@pytest.fixture
def agent(demo_org):
    return demo_org["xuting"]  # service agent, Guangzhou, reports to sunli


@pytest.fixture
def customer(demo_org):
    return customer_create(actor=demo_org["liuyang"], name="广州投诉客户有限公司", email="kefu@tousu.example")


def test_business_hours_skip_nights_weekends_and_holidays(db):
    """SRV-2: targets run on business hours (Mon–Fri 9–18 by default, holidays excluded)."""
    CalendarDay.objects.create(day=datetime.date(2026, 12, 7), name="公司假日")
    hours = Hours.from_settings(ServiceSettings())
    # 2026-12-04 is a Friday; the 7th (Monday) is a holiday.
    assert hours.add(at(4, 17), 4) == at(8, 12)
    assert hours.add(at(4, 20), 1) == at(8, 10)
    assert hours.add(at(3, 10), "2.5") == at(3, 12, 30)
    assert hours.between(at(4, 17), at(8, 12)) == Decimal("4.00")
    assert hours.between(at(5, 10), at(6, 10)) == Decimal("0")


def test_a_ticket_gets_its_targets_and_moves_through_allowed_states(agent, customer):
    """SRV-1/SRV-2: type, severity, targets from the service levels; the status flow is guarded."""
    ticket = services.ticket_create(actor=agent, subject="设备异响", ticket_type=kind("repair"),
                                    severity=severity("high"), customer=customer, description="运行时有异响")
    assert ticket.respond_by is not None and ticket.resolve_by > ticket.respond_by
    assert ticket.contact_email == "kefu@tousu.example" and ticket.department.kind == "service"
    services.ticket_set_status(actor=agent, ticket=ticket, status=TicketStatus.OPEN)
    ticket.refresh_from_db()
    assert ticket.responded_at is not None
    services.ticket_set_status(actor=agent, ticket=ticket, status=TicketStatus.CLOSED)
    with pytest.raises(Conflict):
        services.ticket_set_status(actor=agent, ticket=ticket, status=TicketStatus.WAITING)
    with pytest.raises(ValidationFailed):
        services.ticket_create(actor=agent, subject="  ", ticket_type=kind("repair"), severity=severity("low"))
    assert Survey.objects.filter(ticket=ticket).exists()


def test_critical_complaints_alert_department_heads_and_the_decision_tier(agent, customer, demo_org):
    """ANA-8: a complaint of the highest severity reaches heads and the decision tier at once."""
    ticket = services.ticket_create(actor=agent, subject="严重质量投诉", ticket_type=kind("complaint"),
                                    severity=severity("critical"), customer=customer)
    told = set(Notification.objects.filter(kind="service.critical_complaint").values_list("recipient__username",
                                                                                             flat=True))
    assert {"chenzhiqiang", "linhui", "sunli", "wangjianguo"} <= told
    assert ticket.pk and "liuyang" not in told


def test_overdue_tickets_escalate_to_the_manager_then_the_branch_head(agent, customer, demo_org):
    """SRV-4: past the target → the assignee's manager; later → the branch head; each once."""
    ticket = services.ticket_create(actor=agent, subject="一直没人处理", ticket_type=kind("consultation"),
                                    severity=severity("normal"), customer=customer)
    assert services.escalate_overdue(now=ticket.resolve_by - datetime.timedelta(minutes=1)) == 0
    assert services.escalate_overdue(now=ticket.resolve_by + datetime.timedelta(minutes=1)) == 1
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1
    assert Notification.objects.filter(kind="service.escalation", recipient=demo_org["sunli"]).exists()
    assert services.escalate_overdue(now=ticket.resolve_by + datetime.timedelta(minutes=2)) == 0
    later = ticket.resolve_by + (ticket.resolve_by - ticket.created_at)
    assert services.escalate_overdue(now=later) == 1
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2
    head = ticket.branch.head
    assert Notification.objects.filter(kind="service.escalation", recipient=head).exists()


def test_ticket_visibility(agent, customer, demo_org):
    """ORG-3: the assignee, the handling department and the customer's owner see a ticket."""
    ticket = services.ticket_create(actor=agent, subject="可见性", ticket_type=kind("consultation"),
                                    severity=severity("low"), customer=customer)
    assert not tickets_visible_to(demo_org["luobin"]).filter(pk=ticket.pk).exists()  # Beijing service
    assert tickets_visible_to(demo_org["liuyang"]).filter(pk=ticket.pk).exists()  # the customer's owner
    assert tickets_visible_to(demo_org["sunli"]).filter(pk=ticket.pk).exists()  # head of service
    assert not tickets_visible_to(demo_org["zhuwei"]).filter(pk=ticket.pk).exists()
    with pytest.raises(Forbidden):
        services.ticket_note(actor=demo_org["liuyang"], ticket=ticket, body="销售不能处理")


# --- flows (SRV-3) -----------------------------------------------------------------------------
COMPLAINT_FLOW = [
    {"type": "notify", "target": "assignee", "message": "新投诉，请尽快处理"},
    {"type": "email", "template": "apology"},
    {"type": "task", "title": "两小时内回电客户", "assignee": "assignee", "due_hours": "2"},
    {"type": "wait", "hours": "4"},
    {"type": "escalate"},
]


@pytest.fixture
def complaint_flow(demo_org):
    return flow_publish(actor=demo_org["chenzhiqiang"], name="投诉处理", steps=COMPLAINT_FLOW,
                        ticket_type=kind("complaint"))


def test_a_complaint_runs_its_flow_waits_and_escalates(agent, customer, complaint_flow, demo_org, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    """SRV-3: notify, e-mail the apology, create a task, wait business hours, escalate; all logged."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(actor=agent, subject="送货延误投诉",
                                        ticket_type=kind("complaint"), severity=severity("high"), customer=customer)
    run = FlowRun.objects.get(ticket=ticket)
    assert run.status == RunStatus.WAITING and run.position == 3
    assert Notification.objects.filter(recipient=agent, kind="service.flow").exists()
    apology = next(m for m in mailoutbox if m.to == ["kefu@tousu.example"])
    assert ticket.number in apology.subject and "非常抱歉" in apology.body and "送货延误投诉" in apology.body
    assert ticket.tasks.get().assignee == agent
    flows.resume_due(now=run.resume_at - datetime.timedelta(minutes=1))
    run.refresh_from_db()
    assert run.status == RunStatus.WAITING
    flows.resume_due(now=run.resume_at + datetime.timedelta(minutes=1))
    run.refresh_from_db()
    ticket.refresh_from_db()
    assert run.status == RunStatus.DONE and ticket.escalation_level == 1
    assert list(StepLog.objects.filter(run=run).values_list("step_type", "outcome")) == [
        ("notify", "done"), ("email", "done"), ("task", "done"), ("wait", "waiting"), ("wait", "done"),
        ("escalate", "done")]


def test_publishing_a_version_changes_new_tickets_only(agent, customer, complaint_flow, demo_org,
                                                       django_capture_on_commit_callbacks):
    """SRV-3: switching a flow takes effect for new events at once; running events keep their version."""

    with django_capture_on_commit_callbacks(execute=True):
        first = services.ticket_create(actor=agent, subject="第一张", ticket_type=kind("complaint"),
                                       severity=severity("low"), customer=customer)
    flow_publish(actor=demo_org["chenzhiqiang"], flow=complaint_flow, name="投诉处理",
                 steps=[{"type": "notify", "target": "manager"}], ticket_type=kind("complaint"))
    with django_capture_on_commit_callbacks(execute=True):
        second = services.ticket_create(actor=agent, subject="第二张", ticket_type=kind("complaint"),
                                        severity=severity("low"), customer=customer)
    assert FlowRun.objects.get(ticket=first).version.number == 1
    assert FlowRun.objects.get(ticket=second).version.number == 2
    assert FlowRun.objects.get(ticket=second).status == RunStatus.DONE


def test_a_failing_webhook_is_retried_then_marked_failed(agent, customer, demo_org,
                                                        django_capture_on_commit_callbacks):
    """SRV-3 + SSRF: a webhook to a private address is refused, retried three times, shown on the ticket."""

    flow_publish(actor=demo_org["chenzhiqiang"], name="回调", steps=[{"type": "webhook", "url": "http://10.0.0.5/x"},
                                                                    {"type": "notify", "target": "assignee"}],
                 ticket_type=kind("repair"))
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(actor=agent, subject="回调失败", ticket_type=kind("repair"),
                                        severity=severity("low"), customer=customer)
    run = FlowRun.objects.get(ticket=ticket)
    for hours in (1, 2, 3):  # the retries come 1, 5 and 15 minutes after each failure
        flows.resume_due(now=timezone.now() + datetime.timedelta(hours=hours))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert StepLog.objects.filter(run=run, outcome="failed").count() == 3
    assert "public" in StepLog.objects.filter(run=run).first().detail or "公" in StepLog.objects.filter(
        run=run).first().detail
    assert ticket.entries.filter(kind="system").exists()


def test_bad_flows_are_refused(demo_org):
    """SRV-3: unknown steps, missing settings, nonsense hours: clear errors, nothing saved."""

    for steps in ([], [{"type": "rm -rf"}], [{"type": "wait", "hours": "-3"}], [{"type": "email", "template": "x"}],
                  [{"type": "webhook", "url": "file:///etc/passwd"}], [{"type": "notify", "target": "person"}]):
        with pytest.raises(ValidationFailed):
            flow_publish(actor=demo_org["chenzhiqiang"], name="坏流程", steps=steps)
    assert not Flow.objects.exists()


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:127.0.0.1",
                                     "0.0.0.0", "192.168.1.1", "fe80::1", "100.64.0.1"])  # noqa: S104
def test_the_outbound_client_refuses_private_addresses(address):
    """SECURITY (SSRF): loopback, private, link-local, metadata and mapped addresses are refused."""

    with pytest.raises(OutboundRefused):
        check_address(address)


@pytest.mark.parametrize("url", ["http://2130706433/", "http://0177.0.0.1/", "http://0x7f000001/",
                                 "http://localhost/", "ftp://example.com/", "http://user:pw@example.com/"])
def test_the_outbound_client_refuses_tricky_urls(url):
    """SECURITY (SSRF): decimal, octal and hex notations of loopback, other schemes, credentials."""

    with pytest.raises(OutboundRefused):
        post_json(url, {})


# --- knowledge base (SRV-5) ----------------------------------------------------------------------
def test_knowledge_base_search_and_suggestions(agent, customer, demo_org):
    """SRV-5: Chinese-aware search (no spaces between words) and suggestions for a new ticket."""
    manager = demo_org["sunli"]
    paper = services.article_save(actor=manager, title="打印机卡纸怎么处理",
                                  body="先关机，打开前盖，沿出纸方向轻轻取出卡住的纸张。")
    services.article_save(actor=manager, title="伺服电机过热报警", body="检查负载和散热风扇，必要时降低速度。")
    articles = Article.objects.all()
    assert [a for a, _s in knowledge.search(articles, "卡纸")] == [paper]
    assert knowledge.search(articles, "打印机总是卡纸")[0][0] == paper
    assert knowledge.search(articles, "HTML <script>") == []
    ticket = services.ticket_create(actor=agent, subject="打印机又卡纸了", ticket_type=kind("repair"),
                                    severity=severity("low"), customer=customer)
    assert [a for a, _s in knowledge.suggest(ticket)] == [paper]


def test_the_ticket_page_loads_its_knowledge_panel_apart(agent, customer, demo_org, client_for):
    """SRV-5: the ticket page asks for its knowledge-base panel once it shows (HTMX), or links
    to it without JavaScript; the panel suggests and links articles; out of scope is 404."""
    paper = services.article_save(actor=demo_org["sunli"], title="打印机卡纸怎么处理", body="打开前盖取出纸张。")
    ticket = services.ticket_create(actor=agent, subject="打印机又卡纸了", ticket_type=kind("repair"),
                                    severity=severity("low"), customer=customer)
    client = client_for(agent)
    url = f"/service/tickets/{ticket.pk}/knowledge/"
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert f'hx-get="{url}"' in page and paper.title not in page
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.status_code
    panel = response.content.decode()
    assert paper.title in panel and 'id="suggestions"' in panel and "<html" not in panel
    assert paper.title in client.get(url).content.decode()  # a page of its own without JavaScript
    assert client_for(demo_org["majun"]).get(url).status_code == 404  # Beijing: outside the scope


# --- surveys (SRV-6) ----------------------------------------------------------------------------
def test_a_survey_answers_once_through_its_token(agent, customer, client, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    """SRV-6: closing sends a tokenized link; one answer per token; results per agent."""
    ticket = services.ticket_create(actor=agent, subject="已解决", ticket_type=kind("consultation"),
                                    severity=severity("low"), customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_set_status(actor=agent, ticket=ticket, status=TicketStatus.CLOSED)
    link = next(word for word in mailoutbox[-1].body.split() if "/service/s/" in word)
    path = link[link.index("/service/s/"):].rstrip("。.")
    assert client.get(path).status_code == 200
    assert client.post(path, {"rating": "9"}).status_code == 200 and not Survey.objects.get().answered_at
    assert client.post(path, {"rating": "5", "comment": "<script>alert(1)</script>很好"}).status_code == 200
    again = client.post(path, {"rating": "1"})
    survey = Survey.objects.get()
    assert survey.rating == 5 and "<script>" not in again.content.decode()
    assert client.get("/service/s/not-a-token/").status_code == 404


# --- after-sales care (SRV-8) ---------------------------------------------------------------------
def test_deliveries_schedule_a_follow_up_and_quality_issues_count_per_product(agent, customer, demo_org):
    """SRV-8: a shipment makes a follow-up appointment; quality issues per product."""

    seller = demo_org["liuyang"]
    order = confirmed_order(seller, customer, ((2, "100.00"),))
    line = order.lines.get()
    sales.shipment_create(actor=demo_org["huangli"], order=order, quantities={line.pk: Decimal("2")})
    follow_up = Schedule.objects.get(owner=seller)
    assert follow_up.customer == customer and follow_up.starts_at.date() > timezone.localdate()
    product = Product.objects.create(sku="Q-1", name="控制模块", list_price=Decimal("1"))
    ticket = services.ticket_create(actor=agent, subject="模块故障", ticket_type=kind("repair"),
                                    severity=severity("normal"), customer=customer, product=product)
    services.ticket_mark_quality(actor=agent, ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.is_quality_issue


def test_service_pages(agent, customer, demo_org, client_for):
    """SRV-1…6 screens render for those who may open them."""
    ticket = services.ticket_create(actor=agent, subject="页面测试<b>粗</b>", ticket_type=kind("consultation"),
                                    severity=severity("low"), customer=customer)
    client = client_for(demo_org["sunli"])
    for url in ("/service/tickets/", f"/service/tickets/{ticket.pk}/", "/service/tickets/new/", "/service/flows/",
                "/service/flows/new/", "/service/levels/", "/service/knowledge/", "/service/knowledge/new/",
                "/service/surveys/", "/service/quality/", "/service/tickets/?overdue=1"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<b>粗</b>" not in response.content.decode()
    assert client_for(demo_org["liuyang"]).get("/service/flows/").status_code == 403
    response = client.post(f"/service/tickets/{ticket.pk}/note/", {"body": "内部备注"})
    assert response.status_code == 302 and ticket.entries.filter(kind="note").exists()


def test_business_hours_are_configured_on_the_levels_page(demo_org, client_for):
    """SRV-2: working days, hours and holidays are edited by service managers and used at once."""
    client = client_for(demo_org["chenzhiqiang"])
    response = client.post("/service/levels/hours/", {"work_days": ["1", "2", "3", "4", "5", "6"],
                                                      "day_starts": "08:30", "day_ends": "17:30",
                                                      "survey_after_close": "on", "care_follow_up_days": "3"})
    assert response.status_code == 302
    hours = Hours.from_settings()
    assert 6 in hours.work_days
    assert hours.add(at(5, 17), 1) == at(7, 9)  # Saturday works until 17:30, Monday from 8:30
    bad = client.post("/service/levels/hours/", {"work_days": ["1"], "day_starts": "18:00", "day_ends": "09:00",
                                                 "care_follow_up_days": "3"})
    assert bad.status_code == 302 and ServiceSettings.current().day_starts == datetime.time(8, 30)
    assert client_for(demo_org["xuting"]).post("/service/levels/hours/", {}).status_code == 403


def test_business_hours_follow_chinas_holidays_and_make_up_working_days(demo_org, client_for):
    """SRV-2 (issue 16: 调休): an administrator loads China's public holidays of a year and
    edits the calendar; service targets skip the holidays and run on the make-up working
    days (Saturday 2026-02-14 and 2026-02-28 work, the Spring Festival week does not)."""
    admin = client_for(demo_org["zhaolei"])
    assert admin.post("/system/configuration/calendar/load/", {"year": "2026"}).status_code == 302
    page = admin.get("/system/configuration/calendar/?year=2026").content.decode()
    assert "2026-02-14" in page and "2026-02-17" in page
    hours = Hours.from_settings()
    saturday = datetime.date(2026, 2, 14)
    assert hours.is_working_day(saturday) and not hours.is_working_day(datetime.date(2026, 2, 17))
    zone = timezone.get_current_timezone()
    friday_evening = datetime.datetime(2026, 2, 13, 17, tzinfo=zone)
    assert hours.add(friday_evening, 2) == datetime.datetime(2026, 2, 14, 10, tzinfo=zone)  # the make-up Saturday
    sunday = datetime.datetime(2026, 2, 15, 9, tzinfo=zone)
    assert hours.add(sunday, 1) == datetime.datetime(2026, 2, 24, 10, tzinfo=zone)  # after the holiday week
    # an administrator's own day off, and taking one back
    assert admin.post("/system/configuration/calendar/", {"day": "2026-12-07", "is_working": "", "name": "司庆"}
                      ).status_code == 302
    assert not Hours.from_settings().is_working_day(datetime.date(2026, 12, 7))
    assert admin.post("/system/configuration/calendar/2026-12-07/delete/").status_code == 302
    assert Hours.from_settings().is_working_day(datetime.date(2026, 12, 7))
    bad = admin.post("/system/configuration/calendar/", {"day": "2026-13-40", "name": "x"})
    assert bad.status_code == 200 and CalendarDay.objects.filter(name="x").count() == 0
    assert client_for(demo_org["sunli"]).get("/system/configuration/calendar/").status_code == 403
