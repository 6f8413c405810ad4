"""Bounces (MKT-4): DSNs (multipart/report) read from a real IMAP mailbox (Dovecot)."""

import email
from email import policy

import pytest

from guanxi.marketing.models import Recipient, RecipientState, Suppression
from guanxi.marketing.services import email as services

from . import email_support
from .email_support import (
    FakeTransport,
    customers_with_mail,
    deliver_all,
    make_send,
    start_now,
    static_segment,
)

pytestmark = pytest.mark.django_db

dovecot = email_support.dovecot
imap_mailbox = email_support.imap_mailbox
marketer = email_support.marketer


def dsn(address, status, recipient_id=None, action="failed"):
    """A delivery status notification as mail servers send it (RFC 3464), as raw bytes."""
    guanxi_header = f"X-Guanxi-Recipient: {recipient_id}\r\n" if recipient_id else ""
    return (
        "From: MAILER-DAEMON@mx.example.cn\r\nTo: bounces@guanxi.local\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b0"\r\n\r\n'
        "--b0\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b0\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.cn\r\n\r\n"
        f"Final-Recipient: rfc822; {address}\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {status} no such user\r\n\r\n"
        "--b0\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"To: {address}\r\nSubject: news\r\n{guanxi_header}\r\n--b0--\r\n"
    ).encode()


def test_dsn_is_parsed_hard_and_soft():
    """MKT-4: 5.x.x failed is hard, 4.x.x soft; the recipient id comes back in the headers."""
    [hard] = services.bounces_in(email.message_from_bytes(dsn("a@e.cn", "5.1.1", recipient_id=42),
                                                          policy=policy.default))
    [soft] = services.bounces_in(email.message_from_bytes(dsn("b@e.cn", "4.2.2"), policy=policy.default))
    assert (hard.address, hard.hard, hard.recipient_id) == ("a@e.cn", True, 42)
    assert (soft.address, soft.hard) == ("b@e.cn", False)


def test_bounce_mailbox_is_read_over_imap_and_hard_bounces_suppress(marketer, seller, imap_mailbox):
    """MKT-4: DSNs in the bounce mailbox mark their messages bounced; a hard one
    suppresses the address; each DSN is read once (marked seen)."""
    customers = customers_with_mail(seller, ["gone@example.cn", "full@example.cn"])
    send = start_now(marketer, make_send(marketer, static_segment(marketer, customers)))
    deliver_all(send, transport=FakeTransport())
    gone = Recipient.objects.get(send=send, address="gone@example.cn")
    imap_mailbox.append(dsn("gone@example.cn", "5.1.1", recipient_id=gone.pk))
    imap_mailbox.append(dsn("full@example.cn", "4.2.2"))

    assert services.bounces_poll(imap_mailbox.url) == 2
    assert services.bounces_poll(imap_mailbox.url) == 0

    rows = {r.address: r for r in Recipient.objects.filter(send=send)}
    assert rows["gone@example.cn"].state == RecipientState.BOUNCED and rows["gone@example.cn"].hard_bounce
    assert rows["full@example.cn"].state == RecipientState.BOUNCED and not rows["full@example.cn"].hard_bounce
    assert list(Suppression.objects.values_list("address", flat=True)) == ["gone@example.cn"]
