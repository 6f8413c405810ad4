"""Fixtures and builders of the e-mail campaign tests (imported by test_email*.py)."""

import pytest
from aiosmtpd.smtp import SMTP

from guanxi.customers.services import contact_create, customer_create
from guanxi.marketing.models import Segment, SegmentKind, SegmentMember
from guanxi.marketing.services import email as services
from guanxi.org.models import User
from guanxi.service.tests.mailservers import SMTPSink, new_mailbox, running_dovecot, running_smtp
from guanxi.testing.factories import UserFactory

__all__ = ["RefusingSink", "SMTP", "dovecot", "imap_mailbox", "make_send", "marketer", "other_marketer",
           "smtp_server", "static_segment"]


@pytest.fixture
def smtp_server(settings):
    with running_smtp(settings) as sink:
        yield sink


@pytest.fixture(scope="session")
def dovecot():
    with running_dovecot() as server:
        yield server


@pytest.fixture
def imap_mailbox(dovecot):
    return new_mailbox(dovecot)


class RefusingSink(SMTPSink):
    """The SMTP sink, refusing ``hard…`` addresses with 550 and ``soft…`` ones with 450."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("hard"):
            return "550 5.1.1 No such user"
        if address.startswith("soft"):
            return "450 4.2.0 Mailbox busy"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def marketer(demo_org):
    """A marketing specialist of the Guangzhou sales department (branch scope)."""
    return User.objects.get(pk=UserFactory(username="mkt", department=demo_org["liuyang"].department,
                                           roles=["marketing_specialist"]).pk)


@pytest.fixture
def other_marketer(demo_org):
    """A marketing specialist in Beijing: Guangzhou's sends are out of his scope."""
    return User.objects.get(pk=UserFactory(username="mkt-bj", department=demo_org["zhuwei"].department,
                                           roles=["marketing_specialist"]).pk)


def static_segment(owner, customers, name="VIP"):
    segment = Segment.objects.create(name=name, kind=SegmentKind.STATIC, owner=owner, branch=owner.branch)
    SegmentMember.objects.bulk_create([SegmentMember(segment=segment, customer=c) for c in customers])
    return segment


def customers_with_mail(seller, addresses):
    """One customer per address, each with a contact carrying it."""
    made = []
    for n, address in enumerate(addresses):
        customer = customer_create(actor=seller, name=f"测试客户{n}有限公司")
        contact_create(actor=seller, customer=customer, name=f"联系人{n}", email=address)
        made.append(customer)
    return made


def make_send(marketer, segment, *, html='<p>您好 {{ contact.name }}</p><a href="https://shop.example.cn/new">新品</a>'
              '<p><a href="{{ unsubscribe_url }}">退订</a></p>', text="您好 {{ contact.name }}", channel="email"):
    template = services.email_template_create(actor=marketer, name="新品", subject="{{ customer.name }} 新品上市",
                                              html_body=html, text_body=text)
    return services.email_send_create(actor=marketer, name="十二月新品", template=template, segment=segment,
                                      channel=channel)


def start_now(marketer, send):
    """Schedule for now and start it (what the beat task does)."""
    services.email_send_schedule(actor=marketer, send=send)
    assert services.send_start(send.pk)
    send.refresh_from_db()
    return send


def deliver_all(send, **kwargs):
    results = []
    while True:
        result = services.send_deliver_batch(send.pk, **kwargs)
        results.append(result)
        if not result.remaining or not (result.sent or result.failed or result.bounced or result.suppressed
                                        or result.recovered):
            return results


class FakeTransport:
    def __init__(self):
        self.sent = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def send(self, *, address, rendered, headers):
        self.sent.append(address)
