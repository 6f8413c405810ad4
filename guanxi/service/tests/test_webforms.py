"""SRV-7 (web-to-ticket) and CUS-4 (web-to-lead): public forms served by Guanxi, embeddable,
validated, protected from bots and floods, their content inert everywhere."""

import time

import pytest
from django.test import Client

from guanxi.core.errors import ValidationFailed
from guanxi.customers.services import customer_create
from guanxi.sales.models import Lead
from guanxi.service import services, webforms
from guanxi.service.models import Ticket, TicketChannel, WebForm

XSS = '"><script>alert("xss")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;"


@pytest.fixture
def complaint_form(demo_org):
    return webforms.webform_save(
        actor=demo_org["sunli"], name="投诉与建议", slug="complaints", kind=WebForm.Kind.TICKET,
        ticket_type=services.pick("service.ticket_type", "complaint"), severity=services.pick("service.severity", "high"),
        branch=demo_org["xuting"].branch, owner=demo_org["xuting"], thank_you="感谢您的反馈，我们会尽快联系您。")


@pytest.fixture
def lead_form(demo_org):
    return webforms.webform_save(actor=demo_org["sunli"], name="索取报价", slug="quote", kind=WebForm.Kind.LEAD,
                                 branch=demo_org["liuyang"].branch, owner=demo_org["liuyang"])


def served_earlier(form, seconds=10):
    return webforms.fill_token(form, now=time.time() - seconds)


def ticket_entry(form, **fields):
    return {"name": "张先生", "email": "zhang@buyer.example", "phone": "138 0013 8000", "subject": "送货延误",
            "message": "订单三天还没到。", "t": served_earlier(form), **fields}


def lead_entry(form, **fields):
    return {"company": "东莞新材料有限公司", "name": "李经理", "title": "采购经理", "phone": "13900139000",
            "email": "li@dg-materials.example", "message": "请报 500 台的价格", "t": served_earlier(form), **fields}


def test_the_form_page_is_embeddable_and_sets_no_cookies(complaint_form, client):
    """SRV-7: only the public form drops X-Frame-Options and allows framing by other sites
    (CSP frame-ancestors); it sets no cookie; other pages stay unframeable."""
    response = client.get("/service/f/complaints/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "script-src 'self'" in csp
    assert not response.cookies
    body = response.content.decode()
    assert 'name="website"' in body and 'name="t"' in body and "csrfmiddlewaretoken" not in body
    login = client.get("/accounts/login/")
    assert login["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in login["Content-Security-Policy"]
    assert client.get("/service/f/no-such-form/").status_code == 404
    WebForm.objects.filter(pk=complaint_form.pk).update(is_active=False)
    assert client.get("/service/f/complaints/").status_code == 404


def test_web_to_ticket_makes_a_ticket_of_the_forms_type_for_its_owner(complaint_form, demo_org, client):
    """SRV-7: an entry becomes a ticket of the form's type and severity, for its branch and
    owner (who is told); the sender's address finds the customer; the page says thank you."""
    buyer = customer_create(actor=demo_org["liuyang"], name="广州买家有限公司", email="zhang@buyer.example")
    response = client.post("/service/f/complaints/", ticket_entry(complaint_form))
    assert response.status_code == 200, response.content.decode()
    assert "感谢您的反馈" in response.content.decode()
    ticket = Ticket.objects.get()
    assert (ticket.ticket_type.code, ticket.severity.code, ticket.channel) == ("complaint", "high", TicketChannel.WEB)
    assert ticket.assignee == demo_org["xuting"] and ticket.branch_id == complaint_form.branch_id
    assert ticket.customer == buyer and ticket.contact_phone == "138 0013 8000"
    assert (ticket.subject, ticket.description) == ("送货延误", "订单三天还没到。")
    assert demo_org["xuting"].notifications.filter(kind="service.assigned").exists()


def test_invalid_entries_are_refused_with_translated_messages(complaint_form, lead_form, client):
    """SRV-7/CUS-4: missing or malformed fields answer 422 with the field's message in the
    visitor's language; nothing is stored."""
    response = client.post("/service/f/complaints/", ticket_entry(complaint_form, email="not-an-address", subject=""))
    assert response.status_code == 422
    page = response.content.decode()
    assert "这个字段是必填项" in page and "输入一个有效的 Email 地址" in page
    english = client.post("/service/f/complaints/?lang=en", ticket_entry(complaint_form, name=""),
                          HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 422 and "This field is required." in english.content.decode()
    no_contact = client.post("/service/f/quote/", lead_entry(lead_form, phone="", email=""),
                             HTTP_ACCEPT_LANGUAGE="en")
    assert no_contact.status_code == 422 and "Give a mobile number or an e-mail address" in no_contact.content.decode()
    assert client.post("/service/f/complaints/", ticket_entry(complaint_form, phone="call me maybe")).status_code == 422
    assert not Ticket.objects.exists() and not Lead.objects.exists()


def test_bots_are_thanked_and_ignored(complaint_form, client, settings):
    """SRV-7 (spam): a filled honeypot is thanked and dropped; an entry sent too soon, with
    a forged, missing, stale or another form's time stamp is asked to send again."""
    filled = client.post("/service/f/complaints/", ticket_entry(complaint_form, website="http://spam.example"))
    assert filled.status_code == 200 and "感谢您的反馈" in filled.content.decode()
    other = WebForm(slug="other")
    for token in (webforms.fill_token(complaint_form), "forged:token", "", webforms.fill_token(other, now=0),
                  webforms.fill_token(complaint_form, now=time.time() - 2 * 86400)):
        response = client.post("/service/f/complaints/", ticket_entry(complaint_form, t=token),
                               HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, token
        assert "Please check your entries and send the form again." in response.content.decode()
    assert not Ticket.objects.exists()
    settings.GUANXI_WEBFORM_MIN_SECONDS = 0
    assert client.post("/service/f/complaints/", ticket_entry(complaint_form, t=webforms.fill_token(
        complaint_form))).status_code == 200
    assert Ticket.objects.count() == 1


def test_a_flood_is_rate_limited_per_client_address(complaint_form, settings):
    """SRV-7 (floods): beyond GUANXI_WEBFORM_RATE posts per address the answer is 429 with
    Retry-After and nothing more is stored; another address still gets through; a forged
    X-Forwarded-For does not reset the count (unless proxies are configured to be trusted)."""
    settings.GUANXI_WEBFORM_RATE = "5/hour"
    flood = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [flood.post("/service/f/complaints/", ticket_entry(complaint_form, subject=f"刷单 {i}"),
                           HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(12)]
    assert statuses == [200] * 5 + [429] * 7
    limited = flood.post("/service/f/complaints/", ticket_entry(complaint_form))
    assert 1 <= int(limited["Retry-After"]) <= 3600 and "X-Frame-Options" not in limited
    assert Ticket.objects.count() == 5
    assert Client(REMOTE_ADDR="203.0.113.10").post("/service/f/complaints/",
                                                   ticket_entry(complaint_form)).status_code == 200
    settings.GUANXI_NUM_PROXIES = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    behind = [proxy.post("/service/f/complaints/", ticket_entry(complaint_form), HTTP_X_FORWARDED_FOR=ip).status_code
              for ip in ("192.0.2.1", "192.0.2.2")]
    assert behind == [200, 200] and Ticket.objects.count() == 8


def test_web_to_lead_makes_a_lead_of_the_forms_owner(lead_form, demo_org, client):
    """CUS-4: an entry becomes a sales lead owned by the form's owner in their branch,
    source "website", the message kept in its remarks."""
    response = client.post("/service/f/quote/", lead_entry(lead_form))
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert lead.owner == demo_org["liuyang"] and lead.branch_id == demo_org["liuyang"].branch_id
    assert (lead.company, lead.name, lead.mobile, lead.source.code) == ("东莞新材料有限公司", "李经理", "13900139000",
                                                                       "website")
    assert "请报 500 台的价格" in lead.notes and "索取报价" in lead.notes


def test_a_lead_form_whose_owner_lost_the_right_says_so_and_stores_nothing(lead_form, demo_org, client):
    """CUS-4: if the owner may no longer create leads, the visitor is told to reach us
    another way (503) and nothing is stored."""
    from guanxi.org.models import Role

    owner = demo_org["liuyang"]
    owner.roles.set([Role.objects.get(code="purchaser")])
    response = client.post("/service/f/quote/", lead_entry(lead_form))
    assert response.status_code == 503 and not Lead.objects.exists()


def test_markup_in_every_field_is_stored_as_text_and_shown_inert(complaint_form, lead_form, demo_org, client,
                                                                  client_for, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    """SRV-7/CUS-4, SECURITY (stored XSS, EspoCRM GHSA-xfqv-j65r-qqgh): HTML and script in
    every field of both forms are kept as typed and shown escaped on ticket and lead pages,
    lists, the notifications page and in e-mails (plain text)."""
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/service/f/complaints/", ticket_entry(
            complaint_form, name=XSS[:100], email="xss@attacker.example", subject=XSS, message=XSS)).status_code == 200
        assert client.post("/service/f/quote/", lead_entry(
            lead_form, company=XSS, name=XSS[:60], title=XSS[:60], message=XSS)).status_code == 200
    ticket, lead = Ticket.objects.get(), Lead.objects.get()
    assert ticket.subject == XSS and ticket.description == XSS and lead.company == XSS
    pages = [(demo_org["xuting"], ticket.get_absolute_url()), (demo_org["xuting"], "/service/tickets/"),
             (demo_org["xuting"], "/notifications/"), (demo_org["liuyang"], lead.get_absolute_url()),
             (demo_org["liuyang"], "/sales/leads/")]
    for user, url in pages:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert ESCAPED in html, url
    for message in mailoutbox:
        assert not message.alternatives and message.content_subtype == "plain"
    refused = client.post("/service/f/complaints/", ticket_entry(complaint_form, email=XSS)).content.decode()
    assert "<script>alert" not in refused and ESCAPED in refused  # a refused entry is shown back escaped


def test_administrators_manage_forms_and_copy_the_embed_snippet(demo_org, client_for, settings):
    """SRV-7: managing forms needs service.manage; the list shows each form's <iframe>
    snippet as text to copy; lead forms need an owner who may create leads."""
    settings.GUANXI_SITE_URL = "https://crm.huazhi.example.cn"
    assert client_for(demo_org["xuting"]).get("/service/forms/").status_code == 403
    manager = client_for(demo_org["sunli"])
    complaint = services.pick("service.ticket_type", "complaint")
    severity = services.pick("service.severity", "normal")
    response = manager.post("/service/forms/new/", {
        "name": "售后报修", "slug": "repair", "kind": "ticket", "ticket_type": complaint.pk, "severity": severity.pk,
        "branch": demo_org["xuting"].branch_id, "owner": demo_org["xuting"].pk, "thank_you": "", "is_active": "on"})
    assert response.status_code == 302, response.content.decode()
    form = WebForm.objects.get(slug="repair")
    assert form.owner == demo_org["xuting"] and form.ticket_type == complaint
    listing = manager.get("/service/forms/").content.decode()
    assert ("&lt;iframe src=&quot;https://crm.huazhi.example.cn/service/f/repair/&quot; title=&quot;售后报修&quot;"
            in listing)
    refused = manager.post("/service/forms/new/", {
        "name": "索价", "slug": "price", "kind": "lead", "branch": demo_org["xuting"].branch_id,
        "owner": demo_org["xuting"].pk, "is_active": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and "must be allowed to create leads" in refused.content.decode()
    assert not WebForm.objects.filter(slug="price").exists()
    with pytest.raises(ValidationFailed):
        webforms.webform_save(actor=demo_org["sunli"], name="没类型", slug="notype", kind="ticket",
                              branch=demo_org["xuting"].branch, owner=demo_org["xuting"])
    edited = manager.post(f"/service/forms/{form.pk}/", {
        "name": "售后报修", "slug": "repair", "kind": "ticket", "ticket_type": complaint.pk, "severity": severity.pk,
        "branch": demo_org["xuting"].branch_id, "owner": demo_org["xuting"].pk, "thank_you": "谢谢"})
    assert edited.status_code == 302
    form.refresh_from_db()
    assert form.thank_you == "谢谢" and not form.is_active


def test_the_mailbox_job_is_scheduled(db):
    """SRV-7: the beat schedule polls the mailbox every minute."""
    from guanxi.celery import app

    entry = next(e for e in app.conf.beat_schedule.values() if e["task"].endswith("poll_mailbox"))
    assert entry["schedule"] == 60.0 and entry["task"] == "guanxi.service.inbound.poll_mailbox"
