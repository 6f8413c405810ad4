"""Bounces (MKT-4): DSNs (multipart/report) read from a real IMAP mailbox (Dovecot)."""

from email.message import EmailMessage

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
    """A delivery status notification as mail servers send it (RFC 3464)."""
    report = EmailMessage()
    report["From"] = "MAILER-DAEMON@mx.example.cn"
    report["To"] = "bounces@guanxi.local"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.set_content("This is the mail system: your message could not be delivered.")
    report.make_mixed()
    report.replace_header("Content-Type", 'multipart/report; report-type=delivery-status; boundary="b0"')
    status_part = EmailMessage()
    status_part.set_content(f"Reporting-MTA: dns; mx.example.cn\n\nFinal-Recipient: rfc822; {address}\n"
                            f"Action: {action}\nStatus: {status}\nDiagnostic-Code: smtp; {status} no such user\n")
    status_part.replace_header("Content-Type", "message/delivery-status")
    report.attach(status_part)
    headers = EmailMessage()
    headers.set_content(f"To: {address}\nSubject: 新品\n" + (f"X-Guanxi-Recipient: {recipient_id}\n" if recipient_id else ""))
    headers.replace_header("Content-Type", "text/rfc822-headers")
    report.attach(headers)
    return report


def test_dsn_is_parsed_hard_and_soft():
    """MKT-4: 5.x.x failed is hard, 4.x.x soft; the recipient id comes back in the headers."""
    [hard] = services.bounces_in(dsn("a@e.cn", "5.1.1", recipient_id=42))
    [soft] = services.bounces_in(dsn("b@e.cn", "4.2.2"))
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
