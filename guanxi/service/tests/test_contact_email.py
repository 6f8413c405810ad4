"""Issue 11.9, SRV-1/SRV-7, SECURITY (e-mail header injection): a ticket's contact e-mail is
a single valid address from every door (form, API, web form, inbound mail), and a reply
that cannot be sent changes nothing."""

import json

import pytest
from django.test import Client

from guanxi.core.errors import ValidationFailed
from guanxi.customers.services import customer_create
from guanxi.service import intake, mailparse, services
from guanxi.service.models import EntryKind, Ticket, TicketStatus

from .test_service_core import kind, severity

INJECTIONS = ["kefu@jiagu.example\nBcc: everyone@victim.example", "kefu@jiagu.example\r\nSubject: spam",
              "not an address", "a@b@c.example"]


@pytest.fixture
def agent(demo_org):
    return demo_org["xuting"]


@pytest.fixture
def customer(demo_org):
    return customer_create(actor=demo_org["liuyang"], name="邮件头注入测试有限公司")


@pytest.mark.parametrize("address", INJECTIONS)
def test_the_service_refuses_a_contact_email_that_is_not_one_address(agent, customer, address):
    """SECURITY (header injection): the service refuses it, nothing saved."""
    with pytest.raises(ValidationFailed) as caught:
        services.ticket_create(actor=agent, subject="注入", ticket_type=kind("repair"), severity=severity("low"),
                               customer=customer, contact_email=address)
    assert caught.value.errors[0]["field"] == "contact_email"
    assert not Ticket.objects.exists()


def test_the_form_refuses_a_line_break_in_the_contact_email(agent, customer, client_for):
    """SECURITY (header injection): the ticket form shows a field error, nothing saved."""
    response = client_for(agent).post("/service/tickets/new/", {
        "subject": "注入", "ticket_type": kind("repair").pk, "severity": severity("low").pk,
        "contact_email": INJECTIONS[0]})
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_api_refuses_a_line_break_in_the_contact_email(agent, api_for):
    """SECURITY (header injection), API.md: 422 naming the field, nothing saved."""
    client, headers = api_for(agent)
    response = client.post("/api/v1/tickets", json.dumps({
        "subject": "注入", "type": "repair", "severity": "low", "contact_email": INJECTIONS[0]}),
        content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["contact_email"]
    assert not Ticket.objects.exists()


def test_inbound_mail_keeps_only_a_valid_sender_address(demo_org):
    """SRV-7: an inbound sender that is not one valid address opens the ticket without a
    reply address instead of storing what would become a mail header."""
    parsed = mailparse.ParsedMail(message_id="<inject@x.example>", subject="注入", from_address="a@b\nbcc: c@d.example",
                                  from_name="x", references=[], problems=[], auto_submitted=False)
    parsed.text = "正文"
    outcome = intake.mail_receive(parsed)
    assert outcome.created and outcome.ticket.contact_email == ""


def test_a_reply_that_cannot_be_sent_changes_nothing(agent, customer, mailoutbox):
    """SRV-7: a reply to an address that cannot be sent to (saved before the checks) is a
    clear error; no reply entry, the status unchanged (atomic)."""
    ticket = services.ticket_create(actor=agent, subject="旧数据", ticket_type=kind("repair"),
                                    severity=severity("low"), customer=customer, contact_email="ok@jiagu.example")
    Ticket.objects.filter(pk=ticket.pk).update(contact_email=INJECTIONS[0])
    with pytest.raises(ValidationFailed):
        services.ticket_reply(actor=agent, ticket=ticket, body="您好")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW and ticket.responded_at is None
    assert not ticket.entries.filter(kind=EntryKind.REPLY).exists() and not mailoutbox
    page = Client(raise_request_exception=False)
    page.force_login(agent)
    response = page.post(f"/service/tickets/{ticket.pk}/reply/", {"body": "您好"})
    assert response.status_code in (200, 302)
    assert not ticket.entries.filter(kind=EntryKind.REPLY).exists()
