"""Service in a real browser (issue "Service" acceptance: SRV-3, SRV-4, SRV-6, SRV-7, CUS-4, ANA-8).

The story: the head of customer service designs a complaint flow by dragging steps onto
the canvas and publishes it; a customer files a complaint through the web form embedded
on the company's website; the assignee sees the notice; the apology letter reaches the
customer through a real SMTP server; after the wait, with time moved forward in the
test, the complaint is escalated; closed, the survey link works once and only once.
"""

import datetime
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.core.errors import Conflict
from guanxi.customers.services import customer_create
from guanxi.org import demo as org_demo
from guanxi.service import flows, services
from guanxi.service.models import Flow, Survey, Ticket, TicketStatus, WebForm
from guanxi.service.tests.mailservers import running_smtp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER_EMAIL = "chen.jie@hengtai-shop.example"
XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def demo(transactional_db):
    return org_demo.build()


@pytest.fixture
def smtp(settings):
    with running_smtp(settings) as sink:
        yield sink


@pytest.fixture
def website():
    """The shop's website: a real HTTP server on 127.0.0.1, another origin and another site
    than Guanxi's live server (localhost), so the frame is a real cross-site embedding.
    Set ``website.page`` to the HTML it serves."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's hook name
            body = server.page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    server.page = ""
    server.url = f"http://127.0.0.1:{server.server_address[1]}/contact-us"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def customer(demo):
    return customer_create(actor=demo["liuyang"], name="恒泰商贸有限公司", email=CUSTOMER_EMAIL)


def _drop(page, step_type):
    """Drag a palette step into the flow, below the steps already there (the left gutter
    of the canvas is never over a step, so the drop appends)."""
    canvas = page.locator("#flow-canvas")
    box = canvas.bounding_box()
    page.locator(f".palette-step[data-type='{step_type}']").drag_to(
        canvas, target_position={"x": 12, "y": box["height"] / 2})


def test_a_complaint_from_the_web_form_runs_the_designed_flow(demo, customer, smtp, website, page_for, live_server,
                                                               settings, artifacts):
    """SRV-3/SRV-4/SRV-6/SRV-7/CUS-4: design a flow by drag and drop, publish it live; a
    complaint through the embedded web form follows it (notice, apology e-mail, wait,
    escalation); the survey answers once."""
    settings.GUANXI_SITE_URL = live_server.url
    settings.GUANXI_WEBFORM_MIN_SECONDS = 1
    complaint = services.pick("service.ticket_type", "complaint")
    high = services.pick("service.severity", "high")

    # Given the head of customer service designs the complaint flow in the editor,
    head = page_for("sunli", width=1400)
    head.goto(f"{live_server.url}/service/flows/new/")
    head.fill("#flow-name", "投诉处理流程")
    head.select_option("#flow-type", str(complaint.pk))
    for step in ("notify", "email", "wait", "escalate"):
        _drop(head, step)
    steps = head.locator("#flow-canvas > .flow-step")
    expect(steps).to_have_count(4)
    assert [steps.nth(i).get_attribute("data-type") for i in range(4)] == ["notify", "email", "wait", "escalate"]
    steps.nth(0).locator("[data-key=target]").select_option("assignee")
    steps.nth(0).locator("[data-key=message]").fill("新的投诉，请尽快联系客户")
    steps.nth(1).locator("[data-key=template]").select_option("apology")
    steps.nth(2).locator("[data-key=hours]").fill("2")
    head.click("#flow-publish")
    expect(head.locator(".toast-success")).to_be_visible()
    flow = Flow.objects.get(name="投诉处理流程")
    assert flow.ticket_type == complaint and flow.live_version.number == 1
    assert flow.live_version.steps == [
        {"type": "notify", "target": "assignee", "message": "新的投诉，请尽快联系客户"},
        {"type": "email", "template": "apology"}, {"type": "wait", "until": None, "hours": "2"},
        {"type": "escalate"}]

    # and sets up the complaint form for the website, copying its embed snippet.
    head.goto(f"{live_server.url}/service/forms/new/")
    head.fill("#id_name", "投诉与建议")
    head.fill("#id_slug", "complaints")
    head.select_option("#id_kind", "ticket")
    head.select_option("#id_ticket_type", str(complaint.pk))
    head.select_option("#id_severity", str(high.pk))
    head.select_option("#id_branch", str(demo["xuting"].branch_id))
    head.select_option("#id_owner", str(demo["xuting"].pk))
    head.click("form.record-form button[type=submit]")
    expect(head.locator("#webforms")).to_contain_text("投诉与建议")
    web_form = WebForm.objects.get(slug="complaints")
    snippet = head.locator(f"#snippet-{web_form.pk}").inner_text()
    assert snippet.startswith(f'<iframe src="{live_server.url}/service/f/complaints/"')

    # When a customer files a complaint through the form embedded on the shop's website
    visitor = page_for(None)
    alerts = []
    visitor.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    website.page = f"<!doctype html><html><body><h1>恒泰商城 · 联系我们</h1>{snippet}</body></html>"
    visitor.goto(website.url)
    form = visitor.frame_locator("iframe")
    form.locator("#id_name").fill("陈杰")
    form.locator("#id_email").fill("not-an-address")
    form.locator("#id_subject").fill(f"收到的货物破损 {XSS}")
    form.locator("#id_message").fill(f"包装破损，三台显示器碎屏。{XSS}")
    visitor.wait_for_timeout(1200)
    form.locator("button[type=submit]").click()
    expect(form.locator(".field-error")).to_contain_text("Email")  # refused, shown in the frame
    assert not Ticket.objects.exists()
    form.locator("#id_email").fill(CUSTOMER_EMAIL)
    visitor.wait_for_timeout(1200)
    form.locator("button[type=submit]").click()
    expect(form.locator("#form-thanks")).to_be_visible()

    # then the ticket follows the flow: the assignee is told and the customer gets the apology.
    ticket = Ticket.objects.get()
    assert ticket.customer == customer and ticket.assignee == demo["xuting"] and ticket.channel == "web"
    assert ticket.subject == f"收到的货物破损 {XSS}"
    apology = smtp.wait_for(CUSTOMER_EMAIL)[0]
    assert "关于您的反馈" in apology["Subject"] and f"[{ticket.number}]" in apology["Subject"]
    assert apology.get_content_type() == "text/plain" and "陈杰" in apology.get_content()
    agent = page_for("xuting")
    expect(agent.locator("#bell .count")).to_be_visible()
    assert int(agent.locator("#bell .count").inner_text()) >= 2  # assigned + the flow's notice
    agent.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    agent.goto(f"{live_server.url}/service/tickets/")
    expect(agent.locator("body")).to_contain_text("<script>alert(\"xss\")</script>")
    agent.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    expect(agent.locator("h1")).to_contain_text("<script>alert(\"xss\")</script>")
    expect(agent.locator(".flow-log")).to_contain_text("waiting")
    expect(agent.locator("#escalation-level")).to_have_text("0")

    # When the two business hours pass without an answer (time moved on in the test),
    later = timezone.now() + datetime.timedelta(days=7)
    flows.resume_due(now=later)
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1
    assert demo["sunli"].notifications.filter(kind="service.escalation").exists()
    services.escalate_overdue(now=later)  # and past the resolution target by half again:
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2 and demo["linhui"].notifications.filter(kind="service.escalation").exists()

    # then the head of service sees the escalation on the ticket and in the bell.
    head.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    expect(head.locator("#escalation-level")).to_have_text("2")
    expect(head.locator("#bell .count")).to_be_visible()
    expect(head.locator(".flow-log")).to_contain_text("escalate")
    head.screenshot(path=str(artifacts / "service-ticket.png"), full_page=True)

    # When the agent closes the ticket, the customer gets the survey link,
    agent.reload()
    agent.select_option("select[name=status]", TicketStatus.CLOSED)
    agent.click("form[action$='/status/'] button[type=submit]")
    expect(agent.locator("h1 .badge").first).to_have_text(str(TicketStatus.CLOSED.label))
    survey_mail = next(m for m in smtp.wait_for(CUSTOMER_EMAIL, count=2) if "/service/s/" in m.get_content())
    link = re.search(r"https?://\S+/service/s/[^/\s]+/", survey_mail.get_content()).group(0)
    assert link.startswith(live_server.url)

    # which works once:
    customer_page = page_for(None)
    customer_page.goto(link)
    customer_page.locator("input[name=rating][value='4']").check()
    customer_page.fill("#survey-comment", "处理及时，谢谢")
    customer_page.click("#survey-form button[type=submit]")
    expect(customer_page.locator("#survey-thanks")).to_be_visible()
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.rating, survey.comment) == (4, "处理及时，谢谢")

    # and only once: the link shows the thanks and no form, and another answer is refused.
    customer_page.goto(link)
    expect(customer_page.locator("#survey-thanks")).to_be_visible()
    expect(customer_page.locator("#survey-form")).to_have_count(0)
    token = link.rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(Conflict):
        services.survey_answer(token=token, rating=1)
    survey.refresh_from_db()
    assert survey.rating == 4
    assert not alerts, alerts
    # The refused entry answered 422 inside the frame, which Chromium logs; nothing else.
    assert {e for e in visitor.js_errors if "422" not in e} == set(), visitor.js_errors
    for page in (head, agent, customer_page):
        assert not page.js_errors, page.js_errors
