"""E-mail campaign sends (MKT-4): recipients, suppression, batches, at-most-once resume,
SMTP refusals, unsubscribe, opens and clicks — against a real SMTP server."""

import re
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from guanxi.core.errors import Conflict, Forbidden
from guanxi.marketing import mailing
from guanxi.marketing.models import (
    CampaignTouch,
    EmailSend,
    Recipient,
    RecipientState,
    SendStatus,
    Suppression,
    SuppressionReason,
    TouchSource,
)
from guanxi.marketing.selectors import email as selectors
from guanxi.marketing.services import email as services
from guanxi.marketing.services.campaigns import campaign_create
from guanxi.service.tests.mailservers import running_smtp

from . import email_support
from .email_support import (
    FakeTransport,
    RefusingSink,
    customers_with_mail,
    deliver_all,
    make_send,
    start_now,
    static_segment,
)

pytestmark = pytest.mark.django_db

marketer = email_support.marketer
other_marketer = email_support.other_marketer
smtp_server = email_support.smtp_server


class Killed(BaseException):
    """A worker killed mid-batch (not an Exception: nothing may catch it as a send error)."""


class KillAfter:
    """Wrap a transport: deliver ``n`` messages for real, then die right after the n-th
    left (before it could be marked sent: the worst moment)."""

    def __init__(self, inner, n):
        self.inner, self.n, self.count = inner, n, 0

    def __enter__(self):
        self.inner.__enter__()
        return self

    def __exit__(self, *exc):
        return self.inner.__exit__(*exc)

    def send(self, **kwargs):
        self.inner.send(**kwargs)
        self.count += 1
        if self.count == self.n:
            raise Killed


def test_recipients_are_deduplicated_and_suppressed_addresses_skipped(marketer, seller, smtp_server):
    """MKT-4: one message per normalized address; unsubscribed and hard-bounced addresses get none."""
    customers = customers_with_mail(seller, ["a@example.cn", "B@Example.cn", "gone@example.cn", "bad@example.cn"])
    # Given a second contact with the first address (other case) and two suppressed addresses
    from guanxi.customers.services import contact_create
    contact_create(actor=seller, customer=customers[1], name="同事", email="A@EXAMPLE.cn")
    services.suppress("gone@example.cn", SuppressionReason.UNSUBSCRIBED)
    services.suppress("bad@example.cn", SuppressionReason.HARD_BOUNCE)
    send = start_now(marketer, make_send(marketer, static_segment(marketer, customers)))

    deliver_all(send)

    rows = dict(Recipient.objects.filter(send=send).values_list("address", "state"))
    assert rows == {"a@example.cn": "sent", "b@example.cn": "sent", "gone@example.cn": "suppressed",
                    "bad@example.cn": "suppressed"}
    assert len(smtp_server.to("a@example.cn")) == 1 and len(smtp_server.to("b@example.cn")) == 1
    assert not smtp_server.to("gone@example.cn") and not smtp_server.to("bad@example.cn")
    send.refresh_from_db()
    assert send.status == SendStatus.FINISHED


def test_message_is_personalized_with_one_click_unsubscribe_headers(marketer, seller, smtp_server, client):
    """MKT-4: placeholders filled; List-Unsubscribe + List-Unsubscribe-Post (RFC 8058); the
    one-click POST suppresses the address without a login, and a later send skips it."""
    customers = customers_with_mail(seller, ["wang@example.cn"])
    segment = static_segment(marketer, customers)
    send = start_now(marketer, make_send(marketer, segment))
    deliver_all(send)

    [message] = smtp_server.wait_for("wang@example.cn")
    assert message["Subject"] == "测试客户0有限公司 新品上市"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.search(r"<([^>]+)>", re.sub(r"\s+", "", str(message["List-Unsubscribe"]))).group(1)
    html = message.get_body(("html",)).get_content()
    assert "您好 联系人0" in html and url in html
    path = url.split("://", 1)[1].split("/", 1)[1]

    response = client.post("/" + path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert Suppression.objects.get(address="wang@example.cn").reason == SuppressionReason.UNSUBSCRIBED
    second = start_now(marketer, make_send(marketer, segment))
    deliver_all(second)
    assert Recipient.objects.get(send=second).state == RecipientState.SUPPRESSED
    assert len(smtp_server.to("wang@example.cn")) == 1
    assert selectors.send_stats(send)["unsubscribed"] == 1


def test_unsubscribe_link_get_only_asks_and_forged_token_is_refused(marketer, seller, client):
    """MKT-4: GET never writes (a link scanner does not unsubscribe anyone); forged tokens 404."""
    send = start_now(marketer, make_send(marketer, static_segment(marketer, customers_with_mail(seller, ["x@e.cn"]))))
    recipient = Recipient.objects.get(send=send)
    url = reverse("marketing:email_unsubscribe", args=[mailing.recipient_token(recipient.pk, mailing.UNSUBSCRIBE_SALT)])
    assert client.get(url).status_code == 200
    assert not Suppression.objects.exists()
    assert client.get(url[:-3] + "xx/").status_code == 404
    assert client.post(url).status_code == 200
    assert Suppression.objects.filter(address="x@e.cn", lifted_at__isnull=True).exists()


def test_worker_killed_mid_batch_resumes_without_sending_anyone_twice(marketer, seller, smtp_server):
    """MKT-4: a worker dies right after its 7th message left; the next run (lease passed)
    sends the rest, and every address has exactly one message at the SMTP server."""
    addresses = [f"p{n}@example.cn" for n in range(12)]
    send = start_now(marketer, make_send(marketer, static_segment(marketer, customers_with_mail(seller, addresses))))

    with pytest.raises(Killed):
        services.send_deliver_batch(send.pk, transport=KillAfter(mailing.EmailTransport(), 7), batch_size=10)
    deliver_all(send, lease_seconds=0)

    for address in addresses:
        assert len(smtp_server.wait_for(address)) == 1, address
    time.sleep(0.3)
    assert sorted(a for rcpts, _m in smtp_server.messages for a in rcpts) == sorted(addresses)
    states = dict(Recipient.objects.filter(send=send).values_list("address", "state"))
    # The one in flight when the worker died is marked failed (it may have arrived), never resent.
    assert list(states.values()).count(RecipientState.FAILED) == 1
    assert list(states.values()).count(RecipientState.SENT) == 11


@pytest.mark.timeout(1800)  # 100,000 messages, each claimed and marked on its own: minutes, not seconds
def test_hundred_thousand_recipients_are_batched_and_resumed(marketer, seller, settings):
    """MKT-4: 100,000 recipients go out in batches of 200 with a fast fake transport; a
    kill in the middle resumes without a duplicate. Times are printed (docs/marketing.md)."""
    send = make_send(marketer, static_segment(marketer, []))
    EmailSend.objects.filter(pk=send.pk).update(status=SendStatus.SENDING)
    Recipient.objects.bulk_create([Recipient(send=send, address=f"r{n}@example.cn") for n in range(100_000)],
                                  batch_size=5000)
    fake = FakeTransport()
    dying = KillAfter(fake, 50_123)
    started = time.monotonic()
    with pytest.raises(Killed):
        for _ in range(1000):
            services.send_deliver_batch(send.pk, transport=dying, batch_size=200)
    results = deliver_all(send, transport=fake, batch_size=200, lease_seconds=0)
    elapsed = time.monotonic() - started
    print(f"\n100,000 recipients, batches of 200: {elapsed:.1f} s ({100_000 / elapsed:.0f} messages/s)")

    assert len(fake.sent) == len(set(fake.sent)) == 100_000
    assert Recipient.objects.filter(send=send, state=RecipientState.SENT).count() == 99_999
    assert Recipient.objects.filter(send=send, state=RecipientState.FAILED).count() == 1
    assert results[-1].finished
    assert max(r.sent for r in results) <= 200


def test_smtp_refusals_are_bounces_hard_ones_suppress(marketer, seller, settings):
    """MKT-4: SMTPRecipientsRefused at send time: 5xx a hard bounce (address suppressed), 4xx soft."""
    sink = RefusingSink()
    sink.controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        customers = customers_with_mail(seller, ["hard@example.cn", "soft@example.cn", "ok@example.cn"])
        send = start_now(marketer, make_send(marketer, static_segment(marketer, customers)))
        deliver_all(send)
    finally:
        sink.controller.stop()
    rows = {r.address: r for r in Recipient.objects.filter(send=send)}
    assert rows["hard@example.cn"].state == RecipientState.BOUNCED and rows["hard@example.cn"].hard_bounce
    assert rows["soft@example.cn"].state == RecipientState.BOUNCED and not rows["soft@example.cn"].hard_bounce
    assert rows["ok@example.cn"].state == RecipientState.SENT and len(sink.to("ok@example.cn")) == 1
    assert list(Suppression.objects.values_list("address", flat=True)) == ["hard@example.cn"]
    stats = selectors.send_stats(send)
    assert stats["bounced"] == 2 and stats["delivered"] == 1 and stats["rates"]["bounced"] == pytest.approx(66.7)


def test_scheduled_send_starts_when_due_and_only_once(marketer, seller):
    """MKT-4: a send scheduled for later is started by the beat task at its time, once."""
    send = make_send(marketer, static_segment(marketer, customers_with_mail(seller, ["s@e.cn"])))
    later = timezone.now() + timezone.timedelta(hours=2)
    services.email_send_schedule(actor=marketer, send=send, at=later)

    assert services.sends_due_start() == []
    assert services.sends_due_start(now=later + timezone.timedelta(seconds=1)) == [send.pk]
    assert services.sends_due_start(now=later + timezone.timedelta(seconds=2)) == []
    assert Recipient.objects.filter(send=send).count() == 1


def test_pause_and_cancel_stop_delivery(marketer, seller):
    """MKT-4: a paused send delivers nothing until resumed; a cancelled one never again."""
    send = start_now(marketer, make_send(marketer, static_segment(
        marketer, customers_with_mail(seller, ["c1@e.cn", "c2@e.cn"]))))
    fake = FakeTransport()
    services.email_send_pause(actor=marketer, send=send)
    assert services.send_deliver_batch(send.pk, transport=fake).sent == 0
    services.email_send_resume(actor=marketer, send=send)
    services.send_deliver_batch(send.pk, transport=fake, batch_size=1)
    services.email_send_cancel(actor=marketer, send=send)
    assert services.send_deliver_batch(send.pk, transport=fake).sent == 0
    assert fake.sent == ["c1@e.cn"]
    with pytest.raises(Conflict):
        services.email_send_resume(actor=marketer, send=send)


def test_sending_needs_marketing_send_and_changes_nothing_without(marketer, seller, demo_org):
    """MKT-4: scheduling is marketing.send; a salesperson's attempt leaves the send a draft."""
    send = make_send(marketer, static_segment(marketer, customers_with_mail(seller, ["d@e.cn"])))
    with pytest.raises(Forbidden):
        services.email_send_schedule(actor=seller, send=send)
    send.refresh_from_db()
    assert send.status == SendStatus.DRAFT


def test_pages_check_permission_and_scope(marketer, other_marketer, seller, client_for):
    """MKT-4: another branch's marketer gets 404 on the send; a salesperson 403 on the list;
    the send's own marketer sees the progress and can act."""
    send = make_send(marketer, static_segment(marketer, customers_with_mail(seller, ["e@e.cn"])))
    url = reverse("marketing:email_send_detail", args=[send.pk])
    assert client_for(marketer).get(url).status_code == 200
    assert client_for(other_marketer).get(url).status_code == 404
    assert client_for(seller).get(reverse("marketing:email_send_list")).status_code == 403
    response = client_for(other_marketer).post(reverse("marketing:email_send_action", args=[send.pk, "schedule"]))
    assert response.status_code == 404
    send.refresh_from_db()
    assert send.status == SendStatus.DRAFT
    page = client_for(marketer).get(reverse("marketing:email_send_list"))
    assert page.status_code == 200 and "十二月新品" in page.content.decode()
    assert PermissionDenied


def test_open_pixel_and_click_redirect_only_to_links_of_the_message(marketer, seller, client):
    """MKT-4: the pixel records an open; a click goes only to a link the message held
    (a forged or altered token answers 404: no open redirect)."""
    send = start_now(marketer, make_send(marketer, static_segment(marketer, customers_with_mail(seller, ["o@e.cn"]))))
    recipient = Recipient.objects.get(send=send)
    rendered = services.render_for(send, recipient)
    [click_url] = re.findall(r'href="(http[^"]+/m/c/[^"]+)"', rendered.html)
    [pixel_url] = re.findall(r'src="(http[^"]+/m/o/[^"]+)"', rendered.html)

    assert client.get(pixel_url.split("8000", 1)[-1]).status_code == 200
    response = client.get(click_url.split("8000", 1)[-1])

    assert response.status_code == 302 and response["Location"] == "https://shop.example.cn/new"
    forged = mailing.signing.dumps([recipient.pk, 5], salt="other")
    assert client.get(reverse("marketing:email_click", args=[forged])).status_code == 404
    out_of_range = mailing.signing.dumps([recipient.pk, 7], salt=mailing.CLICK_SALT)
    assert client.get(reverse("marketing:email_click", args=[out_of_range])).status_code == 404
    recipient.refresh_from_db()
    assert recipient.opened_at and recipient.clicked_at
    stats = selectors.send_stats(send)
    assert stats["opened"] == stats["clicked"] == 1


def test_click_in_a_campaign_mail_is_the_campaigns_touch_of_the_customer(marketer, seller, client):
    """MKT-2 + MKT-4: a click in a mail sent for a campaign records that campaign's e-mail
    touch of the recipient's customer, once however often it is clicked."""

    today = timezone.localdate()
    campaign = campaign_create(actor=marketer, code="dec-mail", name="十二月邮件", starts_on=today, ends_on=today)
    [customer] = customers_with_mail(seller, ["t@e.cn"])
    send = make_send(marketer, static_segment(marketer, [customer]))
    EmailSend.objects.filter(pk=send.pk).update(campaign=campaign)
    send = start_now(marketer, send)
    recipient = Recipient.objects.get(send=send)
    [click_url] = re.findall(r'href="(http[^"]+/m/c/[^"]+)"', services.render_for(send, recipient).html)

    for _twice in range(2):
        assert client.get(click_url.split("8000", 1)[-1]).status_code == 302

    touch = CampaignTouch.objects.get(customer=customer)
    assert (touch.campaign, touch.source, touch.lead) == (campaign, TouchSource.EMAIL, None)


def test_resubscribe_needs_a_reason_and_is_kept(marketer, client_for):
    """MKT-4: lifting a suppression asks why, records who and why; the address is writable again."""
    row = services.suppress("back@e.cn", SuppressionReason.UNSUBSCRIBED)
    client = client_for(marketer)
    url = reverse("marketing:suppression_lift", args=[row.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    row.refresh_from_db()
    assert row.lifted_at is None
    assert client.post(url, {"reason": "客户来电要求重新订阅"}).status_code == 302
    row.refresh_from_db()
    assert row.lifted_by == marketer and row.lift_reason == "客户来电要求重新订阅"
    assert services.suppressed_addresses(["back@e.cn"]) == set()


def test_real_smtp_fixture_is_ours(settings):
    """The sink the tests use is a real SMTP server on a local port."""
    with running_smtp(settings) as sink:
        assert sink.port and sink.port == settings.EMAIL_PORT
