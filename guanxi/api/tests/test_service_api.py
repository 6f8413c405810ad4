"""API: tickets (SRV-1/2), flows (SRV-3), kb-articles (SRV-5), surveys (SRV-6) and calls (SRV-7)
within the callers' scopes (ORG-3), with 403s, 404s, 409s, 412s and 422s and no mass assignment."""

import json

import pytest

from guanxi.api.routers import service as service_router
from guanxi.customers.models import Interaction
from guanxi.customers.services import customer_create
from guanxi.org.models import DataScope, Role
from guanxi.service import services
from guanxi.service.models import (
    Article,
    CallEvent,
    Flow,
    Survey,
    Ticket,
    TicketEntry,
    TicketStatus,
)
from guanxi.testing.factories import UserFactory

from .test_finance_api import _operations, _post, _problem, declares_permission


def _patch(client, url, body, headers):
    return client.patch(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def agent(demo_org):
    return demo_org["xuting"]  # service agent, Guangzhou (branch scope), reports to sunli


@pytest.fixture
def desk(agent, api_for):
    return api_for(agent)


@pytest.fixture
def customer(demo_org):
    return customer_create(actor=demo_org["liuyang"], name="广州精工机械有限公司", mobile="138 1234 5678",
                           email="service@jinggong.example")


@pytest.fixture
def ticket(agent, customer):
    return services.ticket_create(actor=agent, subject="主轴异响", customer=customer, description="开机后异响",
                                  ticket_type=services.pick("service.ticket_type", "repair"),
                                  severity=services.pick("service.severity", "high"))


@pytest.fixture
def telephony(demo_org, api_for):
    """An integration user: creates and reads service records, nothing else."""
    role = Role.objects.create(code="telephony", name_zh="电话系统", name_en="Telephony", data_scope=DataScope.OWN,
                               permissions=["service.create", "service.view"])
    user = UserFactory(username="telephony", department=demo_org["xuting"].department)
    user.roles.set([role])
    return api_for(user)


def test_every_endpoint_declares_its_permission(db):
    """SECURITY (missing function-level checks): each service endpoint checks a known
    service permission before anything else."""
    operations = list(_operations(service_router.router))
    assert len(operations) >= 17
    assert [(m, p) for m, p, op in operations if not declares_permission(op, {"service"})] == []


# --- tickets ------------------------------------------------------------------------------------------
def test_tickets_created_read_filtered_and_changed_with_if_match(agent, desk, customer, demo_org):
    """SRV-1/SRV-2: a ticket of the caller (branch, number, targets by the server), listed
    with filters and search, moved by allowed status changes with If-Match; a stale ETag
    answers 412 and a forbidden move 409, changing nothing."""
    client, headers = desk
    body = {"subject": "液压站漏油", "type": "repair", "severity": "critical", "customer_id": customer.pk,
            "description": "油管接头漏油", "contact_phone": "020-3888 6666"}
    made = _post(client, "/api/v1/tickets", body, headers)
    assert made.status_code == 201, made.content
    ticket = made.json()
    assert ticket["number"].startswith("TK-") and ticket["status"] == "new" and ticket["channel"] == "manual"
    assert ticket["assignee_id"] == agent.pk and ticket["branch_id"] == agent.branch_id
    assert ticket["customer_id"] == customer.pk and ticket["contact_email"] == "service@jinggong.example"
    assert ticket["resolve_by"] and ticket["respond_by"] and ticket["type"] == "repair"

    url = f"/api/v1/tickets/{ticket['id']}"
    listed = client.get("/api/v1/tickets", {"status": "new", "severity": "critical", "q": "漏油"}, headers=headers)
    assert [t["id"] for t in listed.json()["items"]] == [ticket["id"]]
    assert client.get("/api/v1/tickets", {"type": "complaint"}, headers=headers).json()["items"] == []
    assert client.get("/api/v1/tickets", {"overdue": "true"}, headers=headers).json()["items"] == []
    _problem(client.get("/api/v1/tickets", {"ordering": "subject"}, headers=headers), 422)

    etag = client.get(url, headers=headers)["ETag"]
    moved = _patch(client, url, {"status": "open", "note": "已联系客户"}, {**headers, "If-Match": etag})
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "open" and moved.json()["responded_at"] and moved["ETag"] != etag
    _problem(_patch(client, url, {"status": "resolved"}, {**headers, "If-Match": etag}), 412)
    assert Ticket.objects.get(pk=ticket["id"]).status == TicketStatus.OPEN
    _patch(client, url, {"status": "closed"}, headers)
    _problem(_patch(client, url, {"status": "waiting"}, headers), 409)
    _problem(_patch(client, url, {"status": "lost"}, headers), 422)
    assert Ticket.objects.get(pk=ticket["id"]).status == TicketStatus.CLOSED

    reassigned = _patch(client, url, {"assignee_id": demo_org["sunli"].pk}, headers)
    assert reassigned.status_code == 200 and reassigned.json()["assignee_id"] == demo_org["sunli"].pk
    _problem(_patch(client, url, {"assignee_id": 999999}, headers), 422)


def test_mass_assignment_and_bad_input_are_refused(agent, desk, customer, demo_org):
    """API.md (mass assignment): status, branch, number, channel, targets and escalation are
    the server's; unknown codes and ids, out-of-scope customers and malformed bodies answer
    422 or 400 and store nothing."""
    client, headers = desk
    body = {"subject": "正常工单", "type": "repair", "severity": "normal"}
    shanghai_customer = customer_create(actor=demo_org["hanlei"], name="上海客户有限公司")
    for extra in ({"status": "closed"}, {"branch_id": 1}, {"number": "TK-1"}, {"channel": "web"},
                  {"escalation_level": 2}, {"resolve_by": "2030-01-01T00:00:00+08:00"}, {"department_id": 1},
                  {"type": "weapons"}, {"severity": ""}, {"customer_id": shanghai_customer.pk},
                  {"customer_id": 999999}, {"assignee_id": 999999}, {"subject": ""}, {"subject": "x" * 201},
                  {"order_id": 999999}):
        _problem(_post(client, "/api/v1/tickets", {**body, **extra}, headers), 422)
    _problem(client.post("/api/v1/tickets", "{not json", content_type="application/json", headers=headers), 400)
    assert not Ticket.objects.exists()
    made = _post(client, "/api/v1/tickets", body, headers).json()
    for extra in ({"subject": "改标题"}, {"branch_id": 1}, {"escalation_level": 0}, {"resolved_at": None}):
        _problem(_patch(client, f"/api/v1/tickets/{made['id']}", extra, headers), 422)
    assert Ticket.objects.get().subject == "正常工单"


def test_replies_notes_and_entries(ticket, desk, mailoutbox, django_capture_on_commit_callbacks):
    """SRV-1/SRV-7: a reply is e-mailed to the customer (threaded) and counts as the first
    response; a note stays internal; the history lists both, oldest first."""
    client, headers = desk
    with django_capture_on_commit_callbacks(execute=True):
        reply = _post(client, f"/api/v1/tickets/{ticket.pk}/replies", {"body": "明天上门检修。"}, headers)
    assert reply.status_code == 201 and reply.json()["kind"] == "reply"
    assert mailoutbox[-1].to == ["service@jinggong.example"] and f"[{ticket.number}]" in mailoutbox[-1].subject
    note = _post(client, f"/api/v1/tickets/{ticket.pk}/notes", {"body": "备件已申请"}, headers)
    assert note.status_code == 201 and note.json()["kind"] == "note"
    _problem(_post(client, f"/api/v1/tickets/{ticket.pk}/notes", {"body": ""}, headers), 422)
    _problem(_post(client, f"/api/v1/tickets/{ticket.pk}/notes", {"body": "x", "kind": "reply"}, headers), 422)
    entries = client.get(f"/api/v1/tickets/{ticket.pk}/entries", headers=headers).json()["items"]
    assert [e["kind"] for e in entries] == ["reply", "status", "note"]  # new → open by the reply
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.responded_at is not None


def test_out_of_scope_is_404_and_missing_permissions_403_changing_nothing(ticket, demo_org, api_for):
    """ORG-3: Beijing's service desk neither sees nor changes a Guangzhou ticket (404); a
    salesperson may read tickets of their own customers but not write (403); a purchaser
    has no service access at all (403). Nothing is written by any of them."""
    beijing, bj = api_for(demo_org["luobin"])
    url = f"/api/v1/tickets/{ticket.pk}"
    _problem(beijing.get(url, headers=bj), 404)
    _problem(_patch(beijing, url, {"status": "closed"}, bj), 404)
    _problem(_post(beijing, f"{url}/notes", {"body": "越权"}, bj), 404)
    _problem(_post(beijing, f"{url}/replies", {"body": "越权"}, bj), 404)
    _problem(beijing.get(f"{url}/entries", headers=bj), 404)
    assert beijing.get("/api/v1/tickets", headers=bj).json()["items"] == []

    seller, sh = api_for(demo_org["liuyang"])  # owns the customer: sees its tickets
    assert seller.get(url, headers=sh).status_code == 200
    _problem(_patch(seller, url, {"status": "closed"}, sh), 403)
    _problem(_post(seller, f"{url}/notes", {"body": "x"}, sh), 403)
    _problem(_post(seller, "/api/v1/tickets", {"subject": "x", "type": "repair", "severity": "low"}, sh), 403)
    buyer, bh = api_for(demo_org["wuqiang"])
    _problem(buyer.get("/api/v1/tickets", headers=bh), 403)
    _problem(buyer.get("/api/v1/kb-articles", headers=bh), 403)
    _problem(buyer.get("/api/v1/surveys", headers=bh), 403)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW and Ticket.objects.count() == 1
    assert not TicketEntry.objects.filter(body__in=["越权", "x"]).exists()
    assert _problem(beijing.get(url, headers={}), 401)["status"] == 401


# --- flows --------------------------------------------------------------------------------------------
def test_flows_listed_created_and_published_by_managers_only(demo_org, api_for, agent):
    """SRV-3: service managers create a flow (its first version live) and publish further
    versions; bad steps answer 422 naming the step; agents may not touch flows (403)."""
    manager, headers = api_for(demo_org["sunli"])
    steps = [{"type": "notify", "target": "assignee"}, {"type": "email", "template": "apology"},
             {"type": "wait", "hours": "4"}, {"type": "escalate"}]
    made = _post(manager, "/api/v1/flows", {"name": "投诉处理", "type": "complaint", "steps": steps}, headers)
    assert made.status_code == 201, made.content
    flow = made.json()
    assert flow["type"] == "complaint" and flow["severity"] is None and flow["live_version"]["number"] == 1
    assert [s["type"] for s in flow["live_version"]["steps"]] == ["notify", "email", "wait", "escalate"]

    bad = _problem(_post(manager, f"/api/v1/flows/{flow['id']}/publish",
                         {"steps": [{"type": "email", "template": "nope"}, {"type": "teleport"}]}, headers), 422)
    assert {e["field"] for e in bad["errors"]} == {"steps.1.template", "steps.2"}
    _problem(_post(manager, f"/api/v1/flows/{flow['id']}/publish", {"steps": []}, headers), 422)
    _problem(_post(manager, f"/api/v1/flows/{flow['id']}/publish", {"steps": steps, "live_version_id": 1},
                   headers), 422)
    published = _post(manager, f"/api/v1/flows/{flow['id']}/publish", {"steps": steps[:2]}, headers)
    assert published.status_code == 201 and published.json()["live_version"]["number"] == 2
    assert published.json()["versions"] == [2, 1]
    assert manager.get(f"/api/v1/flows/{flow['id']}", headers=headers).json()["live_version"]["number"] == 2
    assert [f["id"] for f in manager.get("/api/v1/flows", headers=headers).json()["items"]] == [flow["id"]]
    _problem(manager.get("/api/v1/flows/999999", headers=headers), 404)

    client, agent_headers = api_for(agent)
    _problem(client.get("/api/v1/flows", headers=agent_headers), 403)
    _problem(_post(client, f"/api/v1/flows/{flow['id']}/publish", {"steps": steps}, agent_headers), 403)
    assert Flow.objects.get().live_version.number == 2


# --- knowledge base --------------------------------------------------------------------------------------
def test_articles_searched_created_and_patched(desk, ticket, demo_org, api_for):
    """SRV-5: agents write articles (linked to tickets in their scope); ``q`` finds them in
    Chinese; readers without service.edit see published ones only; PATCH honours If-Match."""
    client, headers = desk
    made = _post(client, "/api/v1/kb-articles", {"title": "主轴异响的排查", "body": "先检查轴承润滑，再检查皮带张紧。",
                                                 "category": "fault", "ticket_ids": [ticket.pk]}, headers)
    assert made.status_code == 201, made.content
    article = made.json()
    draft = _post(client, "/api/v1/kb-articles", {"title": "内部草稿：轴承更换", "body": "未发布",
                                                  "is_published": False}, headers).json()
    found = client.get("/api/v1/kb-articles", {"q": "润滑皮带"}, headers=headers).json()["items"]
    assert found[0]["id"] == article["id"]
    assert Article.objects.get(pk=article["id"]).tickets.get() == ticket

    seller, seller_headers = api_for(demo_org["liuyang"])  # service.view only
    assert [a["id"] for a in seller.get("/api/v1/kb-articles", headers=seller_headers).json()["items"]] == [
        article["id"]]
    _problem(seller.get(f"/api/v1/kb-articles/{draft['id']}", headers=seller_headers), 404)
    _problem(_post(seller, "/api/v1/kb-articles", {"title": "x", "body": "y"}, seller_headers), 403)

    url = f"/api/v1/kb-articles/{article['id']}"
    etag = client.get(url, headers=headers)["ETag"]
    changed = _patch(client, url, {"body": "先检查轴承润滑。"}, {**headers, "If-Match": etag})
    assert changed.status_code == 200 and changed.json()["title"] == "主轴异响的排查"
    _problem(_patch(client, url, {"title": "旧版本"}, {**headers, "If-Match": etag}), 412)
    _problem(_patch(client, url, {"author_id": demo_org["sunli"].pk}, headers), 422)
    _problem(_patch(client, url, {"category": "nonsense"}, headers), 422)
    beijing_ticket = services.ticket_create(actor=demo_org["luobin"], subject="北京的工单",
                                            ticket_type=services.pick("service.ticket_type", "repair"),
                                            severity=services.pick("service.severity", "low"))
    _problem(_post(client, "/api/v1/kb-articles", {"title": "t", "body": "b", "ticket_ids": [beijing_ticket.pk]},
                   headers), 422)
    assert Article.objects.get(pk=article["id"]).body == "先检查轴承润滑。" and Article.objects.count() == 2


# --- surveys ----------------------------------------------------------------------------------------------
def test_survey_results_are_scoped_and_carry_no_token(ticket, agent, desk, demo_org, api_for):
    """SRV-6: the agent sees the surveys of their tickets with the rating; another branch's
    desk does not (404); the secret token is never part of the answer."""
    services.ticket_set_status(actor=agent, ticket=ticket, status=TicketStatus.CLOSED)
    survey = Survey.objects.get(ticket=ticket)
    client, headers = desk
    items = client.get("/api/v1/surveys", {"answered": "false"}, headers=headers).json()["items"]
    assert [s["id"] for s in items] == [survey.pk] and items[0]["ticket_number"] == ticket.number
    assert "token" not in json.dumps(items) and survey.token_hash not in json.dumps(items)
    assert client.get("/api/v1/surveys", {"answered": "true"}, headers=headers).json()["items"] == []
    beijing, bj = api_for(demo_org["luobin"])
    _problem(beijing.get(f"/api/v1/surveys/{survey.pk}", headers=bj), 404)
    assert beijing.get("/api/v1/surveys", headers=bj).json()["items"] == []
    _problem(client.get("/api/v1/surveys", {"rating": 9}, headers=headers), 422)


# --- calls ------------------------------------------------------------------------------------------------
def test_a_call_is_logged_once_on_the_customers_timeline_and_the_agent_told(telephony, customer, agent, ticket):
    """SRV-7: the telephony system posts a call; the customer found by the number (any
    notation) gets a phone interaction by the agent, who is notified with a link to the
    caller page; the same call_id again answers 200 with the first record."""
    client, headers = telephony
    body = {"call_id": "cdr-20261201-0001", "number": "+86 138-1234-5678", "direction": "in", "duration": 185,
            "recording_url": "https://pbx.example/rec/0001.mp3", "agent": agent.username}
    first = _post(client, "/api/v1/calls", body, headers)
    assert first.status_code == 201, first.content
    call = first.json()
    assert call["agent_id"] == agent.pk and call["caller_page"] == f"/service/calls/{call['id']}/"
    interaction = Interaction.objects.get(customer=customer)
    assert interaction.channel == "phone" and interaction.author == agent and "3:05" in interaction.summary
    assert "https://pbx.example/rec/0001.mp3" in interaction.summary
    notice = agent.notifications.get(kind="service.call")
    assert notice.url == call["caller_page"] and customer.name in notice.title
    customer.refresh_from_db()
    assert customer.last_contacted_at is not None

    again = _post(client, "/api/v1/calls", {**body, "duration": 999}, headers)
    assert again.status_code == 200 and again.json()["id"] == call["id"] and again.json()["duration"] == 185
    assert CallEvent.objects.count() == 1 and Interaction.objects.filter(customer=customer).count() == 1
    assert client.get(f"/api/v1/calls/{call['id']}", headers=headers).status_code == 404  # not the integration's own

    unknown = _post(client, "/api/v1/calls", {"call_id": "cdr-2", "number": "021-5555 0000", "direction": "out"},
                    headers)
    assert unknown.status_code == 201 and unknown.json()["customer_id"] is None
    assert unknown.json()["interaction_id"] is None


def test_bad_call_events_are_refused(telephony, agent, demo_org, api_for):
    """SRV-7: malformed events (direction, duration, a javascript: recording link, an unknown
    agent, unknown fields) answer 422; callers without service.create 403; nothing stored."""
    client, headers = telephony
    good = {"call_id": "cdr-9", "number": "13800138000", "direction": "in"}
    for bad in ({"direction": "sideways"}, {"duration": -1}, {"recording_url": "javascript:alert(1)"},
                {"agent": "nobody-here"}, {"customer_id": 1}, {"call_id": ""}, {"number": "1"},
                {"started_at": "yesterday"}):
        _problem(_post(client, "/api/v1/calls", {**good, **bad}, headers), 422)
    seller, seller_headers = api_for(demo_org["hanlei"])
    salesperson_role = Role.objects.get(code="salesperson")
    assert "service.create" not in salesperson_role.permissions
    _problem(_post(seller, "/api/v1/calls", good, seller_headers), 403)
    _problem(_post(client, "/api/v1/calls", good, {}), 401)
    assert not CallEvent.objects.exists() and not Interaction.objects.exists()


def test_calls_are_listed_in_scope(telephony, customer, agent, demo_org, api_for):
    """ORG-3: the agent sees their calls; Beijing's desk sees neither the call nor, in the
    answer, the Guangzhou customer it matched."""
    client, headers = telephony
    call = _post(client, "/api/v1/calls", {"call_id": "c-1", "number": "13812345678", "direction": "in",
                                            "agent": agent.username}, headers).json()
    assert call["customer_id"] is None  # the integration user does not see the customer
    own, own_headers = api_for(agent)
    listed = own.get("/api/v1/calls", headers=own_headers).json()["items"]
    assert [c["id"] for c in listed] == [call["id"]] and listed[0]["customer_id"] == customer.pk
    beijing, bj = api_for(demo_org["luobin"])
    _problem(beijing.get(f"/api/v1/calls/{call['id']}", headers=bj), 404)
    assert beijing.get("/api/v1/calls", headers=bj).json()["items"] == []
