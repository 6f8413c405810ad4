"""SRV-7, CUS-4: e-mail in by IMAP (a real Dovecot) and out by SMTP (a real aiosmtpd):
tickets per thread, threading by number and Message-ID, customers matched by address,
idempotence, HTML made inert, attachments checked, nothing lost when a message fails."""

import base64
import io
import zipfile
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.db import DatabaseError

from guanxi.customers.services import contact_create, customer_create
from guanxi.service import inbound, intake, services
from guanxi.service.models import (
    EntryAttachment,
    EntryKind,
    MailboxState,
    Ticket,
    TicketChannel,
    TicketEntry,
    TicketStatus,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


def mail(sender, subject, text="", *, html=None, msgid=None, in_reply_to=None, attachments=(), headers=None):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "support@huazhi.example.cn", subject
    message["Message-ID"] = msgid or make_msgid(domain="customer.example")
    if in_reply_to:
        message["In-Reply-To"] = message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    if text or html is None:
        message.set_content(text or "（无正文）")
    if html is not None:
        if text:
            message.add_alternative(html, subtype="html")
        else:
            message.set_content(html, subtype="html")
    for name, data, maintype, subtype in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


@pytest.fixture
def mailbox(imap_mailbox, settings):
    settings.GUANXI_IMAP_URL = imap_mailbox.url
    return imap_mailbox


@pytest.fixture
def beijing_customer(demo_org):
    return customer_create(actor=demo_org["zhuwei"], name="北京恒远科技有限公司", email="Wang.Li@HengYuan.example")


def poll():
    result = inbound.mailbox_poll()
    assert result is not None
    return result


def test_unconfigured_mailbox_is_a_no_op(db, settings, monkeypatch):
    """SRV-7: without GUANXI_IMAP_URL the scheduled job does nothing."""
    settings.GUANXI_IMAP_URL = ""
    monkeypatch.delenv("GUANXI_IMAP_URL", raising=False)
    assert inbound.mailbox_poll() is None
    assert inbound.poll_mailbox.delay().get() is None
    assert not MailboxState.objects.exists() and not Ticket.objects.exists()


def test_a_new_thread_opens_a_ticket_for_the_matched_customer_in_its_branch(mailbox, beijing_customer, demo_org):
    """SRV-7/CUS-4: a new e-mail opens a ticket; the sender's address (any case) finds the
    customer across the company and the customer's branch is the ticket's."""
    uid = mailbox.append(mail("王丽 <wang.li@hengyuan.example>", "打印机卡纸", "第三台打印机总是卡纸，请尽快处理。"))

    result = poll()

    assert (result.fetched, result.created, result.failed) == (1, 1, 0)
    ticket = Ticket.objects.get()
    assert ticket.customer == beijing_customer and ticket.branch_id == demo_org["zhuwei"].branch_id
    assert ticket.channel == TicketChannel.EMAIL and ticket.subject == "打印机卡纸"
    assert ticket.contact_email == "wang.li@hengyuan.example" and ticket.contact_name == "王丽"
    assert ticket.department.kind == "service" and ticket.department.branch_id == ticket.branch_id
    entry = ticket.entries.get(kind=EntryKind.INBOUND)
    assert entry.body == "第三台打印机总是卡纸，请尽快处理。" and entry.from_address == "wang.li@hengyuan.example"
    assert entry.message_id.endswith("@customer.example>")
    state = MailboxState.objects.get()
    assert state.last_uid == uid and state.uidvalidity > 0 and state.last_error == "" and state.checked_at
    assert "\\Seen" in mailbox.flags(uid)


def test_imaps_verifies_the_servers_certificate(imap_mailbox, settings, monkeypatch, demo_org):
    """SRV-7: imaps:// speaks TLS from the first byte and checks the certificate: an
    untrusted one stores nothing and says why in last_error; trusted, the mail comes in."""
    if imap_mailbox.secure_url is None:
        pytest.skip("openssl is needed to make the test server's certificate")
    settings.GUANXI_IMAP_URL = imap_mailbox.secure_url
    imap_mailbox.append(mail("tls@customer.example", "加密连接", "经 TLS 收取"))
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent")
    result = poll()
    assert result.fetched == 0 and "CERTIFICATE_VERIFY_FAILED" in MailboxState.objects.get().last_error
    monkeypatch.setenv("SSL_CERT_FILE", str(imap_mailbox.server.certificate))
    result = poll()
    assert (result.created, result.errors) == (1, [])
    assert Ticket.objects.get().subject == "加密连接" and MailboxState.objects.get().last_error == ""


def test_unknown_senders_go_to_the_headquarters_or_the_configured_branch(mailbox, demo_org, settings):
    """SRV-7: no customer (or two with one address: ambiguous) leaves the ticket unlinked,
    in the headquarters, or the branch GUANXI_IMAP_BRANCH names."""
    customer_create(actor=demo_org["liuyang"], name="甲公司", email="shared@twice.example")
    customer_create(actor=demo_org["tangying"], name="乙公司", email="shared@twice.example", override_duplicate=True)
    mailbox.append(mail("shared@twice.example", "地址相同"))
    mailbox.append(mail("nobody@unknown.example", "陌生人"))
    poll()
    for ticket in Ticket.objects.all():
        assert ticket.customer is None and ticket.branch.is_headquarters
    settings.GUANXI_IMAP_BRANCH = "sz"
    mailbox.append(mail("other@unknown.example", "深圳的邮箱"))
    poll()
    assert Ticket.objects.get(subject="深圳的邮箱").branch.code == "sz"


def test_replies_thread_by_number_or_message_id_and_reopen(mailbox, beijing_customer, demo_org):
    """SRV-7: "[TK-…]" in the subject from the ticket's contact, or our Message-ID in
    In-Reply-To, continue the ticket; a closed or resolved ticket goes back to "open" and
    its assignee hears of it. A stranger naming the number opens a new ticket."""
    agent = demo_org["luobin"]
    ticket = services.ticket_create(actor=agent, subject="显示器闪屏", customer=beijing_customer,
                                    ticket_type=services.pick("service.ticket_type", "repair"),
                                    severity=services.pick("service.severity", "normal"))
    services.ticket_set_status(actor=agent, ticket=ticket, status=TicketStatus.CLOSED)
    contact_create(actor=demo_org["zhuwei"], customer=beijing_customer, name="赵工", email="zhao@hengyuan.example")

    mailbox.append(mail("zhao@hengyuan.example", f"Re: [{ticket.number}] 显示器闪屏", "还是闪，请再看看。"))
    poll()
    ticket.refresh_from_db()
    assert Ticket.objects.count() == 1 and ticket.status == TicketStatus.OPEN and ticket.closed_at is None
    assert ticket.entries.filter(kind=EntryKind.INBOUND, body="还是闪，请再看看。").exists()
    assert agent.notifications.filter(kind="service.inbound").count() == 1

    services.ticket_set_status(actor=agent, ticket=ticket, status=TicketStatus.RESOLVED)
    ours = f"<ticket-{ticket.mail_thread}-0a1b2c3d4e5f@guanxi.local>"
    mailbox.append(mail("colleague@elsewhere.example", "Re: 您的问题", "我是同事，补充一下。", in_reply_to=ours))
    mailbox.append(mail("attacker@evil.example", f"[{ticket.number}] 改一下", "我想写进别人的工单"))
    result = poll()

    assert (result.threaded, result.created) == (1, 1)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.entries.filter(body="我是同事，补充一下。").exists()
    assert not ticket.entries.filter(body__contains="别人的工单").exists()
    stranger = Ticket.objects.exclude(pk=ticket.pk).get()
    assert stranger.customer is None
    assert stranger.entries.filter(kind=EntryKind.SYSTEM, body__contains=ticket.number).exists()


def test_the_job_is_idempotent(mailbox, demo_org):
    """SRV-7: running twice, the same Message-ID appended twice, and a rebuilt mailbox (new
    UIDVALIDITY, numbering from 1 again) store every message exactly once."""
    msgid = make_msgid(domain="dup.example")
    mailbox.append(mail("a@dup.example", "第一封", "一", msgid=msgid))
    mailbox.append(mail("a@dup.example", "第一封（重发）", "一", msgid=msgid))
    mailbox.append(mail("b@dup.example", "第二封", "二"))
    first = poll()
    second = poll()
    assert (first.created, first.duplicates, second.fetched) == (2, 1, 0)
    validity = MailboxState.objects.get().uidvalidity

    mailbox.rebuild()
    third = poll()

    assert MailboxState.objects.get().uidvalidity != validity
    assert (third.fetched, third.duplicates, third.created) == (3, 3, 0)
    assert Ticket.objects.count() == 2 and TicketEntry.objects.filter(kind=EntryKind.INBOUND).count() == 2


def test_the_database_stores_an_e_mail_once_even_past_the_lookup(demo_org, monkeypatch):
    """SRV-7: two workers that both passed the duplicate lookup cannot store the same
    Message-ID twice: the second insert is refused by a unique constraint, its
    transaction rolls back (no second ticket)."""
    from django.db import IntegrityError, transaction

    from guanxi.service import mailparse

    def parse(message):
        return mailparse.parse(message.as_bytes(), max_attachment=10 * 2**20, max_attachments=20)

    parsed = parse(mail("race@dup.example", "并发", "同一封"))
    with transaction.atomic():
        intake.mail_receive(parsed)
    tickets = Ticket.objects.count()
    real_filter = TicketEntry.objects.filter

    class Blind:  # the second worker's lookup ran before the first one committed
        def exists(self):
            return False

    monkeypatch.setattr(TicketEntry.objects, "filter",
                        lambda *a, **kw: Blind() if kw.get("kind") == EntryKind.INBOUND else real_filter(*a, **kw))
    with pytest.raises(IntegrityError), transaction.atomic():
        intake.mail_receive(parse(mail("race@dup.example", "并发", "同一封", msgid=parsed.message_id)))
    monkeypatch.undo()
    assert Ticket.objects.count() == tickets
    assert TicketEntry.objects.filter(kind=EntryKind.INBOUND, message_id=parsed.message_id).count() == 1
    # The constraint covers inbound mail only: entries without a Message-ID are many.
    ticket = Ticket.objects.get(entries__message_id=parsed.message_id)
    TicketEntry.objects.create(ticket=ticket, kind=EntryKind.NOTE, body="一")
    TicketEntry.objects.create(ticket=ticket, kind=EntryKind.NOTE, body="二")
    assert ticket.entries.filter(kind=EntryKind.NOTE, message_id="").count() == 2


def test_html_mail_becomes_inert_text_on_the_ticket_page_and_list(mailbox, demo_org, client_for):
    """SRV-7 / SECURITY (stored XSS): an HTML-only mail with scripts, and markup in the
    subject and sender's name, are stored as text and shown escaped; no script survives."""
    html = (f"<html><head><style>p{{color:red}}</style><script>steal()</script></head><body>"
            f"<p>您好，<b>设备</b>坏了&amp;无法开机</p>{XSS}<ul><li>型号 A</li></ul></body></html>")
    mailbox.append(mail(f'"{XSS}" <evil@xss.example>', f"求助 {XSS}", html=html))
    poll()

    ticket = Ticket.objects.get()
    entry = ticket.entries.get(kind=EntryKind.INBOUND)
    assert "您好，设备坏了&无法开机" in entry.body and "• 型号 A" in entry.body
    assert "steal()" not in entry.body and "<p>" not in entry.body and "color:red" not in entry.body
    assert "<script>" in ticket.subject  # kept as the customer typed it: text, shown escaped
    viewer = client_for(demo_org["chenzhiqiang"])
    for url in (ticket.get_absolute_url(), "/service/tickets/"):
        page = viewer.get(url).content.decode()
        assert "<script>alert" not in page and "onerror=alert" not in page.replace("&lt;img src=x onerror=alert", "")
        assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in page


def test_attachments_checked_by_content_and_size(mailbox, demo_org, client_for, settings):
    """SRV-7 / SECURITY (uploads): a PDF and an image are kept under their real types; a
    program named .pdf, a file over the size limit and broken base64 are refused with a
    note on the ticket; the mail itself is stored; downloads come as attachments."""
    settings.GUANXI_MAIL_MAX_ATTACHMENT = 200_000
    big = b"%PDF-1.4\n" + b"0" * 300_000
    message = mail("files@customer.example", "附件", "见附件", attachments=[
        ("报价单.pdf", PDF, "application", "pdf"), ("photo.jpg", PNG, "image", "jpeg"),
        ("invoice.pdf", EXE, "application", "pdf"), ("huge.pdf", big, "application", "pdf")])
    broken = b"Content-Type: application/pdf; name=broken.pdf\r\nContent-Transfer-Encoding: base64\r\n" \
             b"Content-Disposition: attachment; filename=broken.pdf\r\n\r\n%%%not*base64***\r\n"
    raw = message.as_bytes()
    boundary = message.get_boundary().encode()
    raw = raw.replace(b"--" + boundary + b"--", b"--" + boundary + b"\r\n" + broken + b"--" + boundary + b"--")
    mailbox.append(raw)

    result = poll()

    assert (result.created, result.failed) == (1, 0)
    ticket = Ticket.objects.get()
    kept = {a.original_name: a for a in EntryAttachment.objects.filter(entry__ticket=ticket)}
    assert set(kept) == {"报价单.pdf", "photo.jpg"}
    assert kept["报价单.pdf"].content_type == "application/pdf" and kept["photo.jpg"].content_type == "image/png"
    assert kept["photo.jpg"].file.name.endswith(".png") and "photo" not in kept["photo.jpg"].file.name
    note = ticket.entries.get(kind=EntryKind.SYSTEM).body
    assert "invoice.pdf" in note and "huge.pdf" in note and "broken.pdf" in note and "0.190735 MB" in note

    viewer = client_for(demo_org["chenzhiqiang"])
    download = f"/service/tickets/{ticket.pk}/attachments/{kept['报价单.pdf'].pk}/"
    assert f'href="{download}"' in viewer.get(ticket.get_absolute_url()).content.decode()
    response = viewer.get(download)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment") and b"".join(response.streaming_content) == PDF
    outsider = client_for(demo_org["hanlei"])  # Shanghai salesperson: not their ticket
    assert outsider.get(f"/service/tickets/{ticket.pk}/attachments/{kept['报价单.pdf'].pk}/").status_code == 404


def test_malformed_mime_never_crashes_the_job(mailbox, demo_org):
    """SRV-7: a multipart without its boundary, undecodable 8-bit headers, an unknown
    charset, NUL bytes, a message without From or Message-ID: each still makes a ticket."""
    mailbox.append(b"From: broken@mime.example\r\nSubject: no boundary\r\nContent-Type: multipart/mixed\r\n\r\n"
                   b"--x\r\nhello \x00 world\r\n")
    mailbox.append("Subject: 乱码标题\r\nFrom: gbk@mime.example\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n"
                   "正文".encode("gbk") + b"\r\n")
    mailbox.append(b"Subject: =?gb2312?B?xOO6ww==?=\r\nContent-Type: text/plain; charset=gb2312\r\n\r\n"
                   + "你好".encode("gb2312") + b"\r\n")
    mailbox.append(b"\xff\xfe\x00\x01 not an e-mail at all")

    result = poll()

    assert (result.fetched, result.failed) == (4, 0)
    subjects = set(Ticket.objects.values_list("subject", flat=True))
    assert {"no boundary", "乱码标题", "你好"} <= subjects
    broken = TicketEntry.objects.get(kind=EntryKind.INBOUND, ticket__subject="no boundary")
    assert "hello" in broken.body and "world" in broken.body
    assert broken.ticket.entries.get(kind=EntryKind.SYSTEM).body.count("•") == 1  # the problem, said once
    assert TicketEntry.objects.filter(kind=EntryKind.INBOUND, body="正文").exists()
    assert not any("\x00" in body for body in TicketEntry.objects.values_list("body", flat=True))


def test_a_too_large_message_is_noted_and_left_in_the_mailbox(mailbox, demo_org, settings):
    """SRV-7: a message above GUANXI_MAIL_MAX_MESSAGE is not downloaded: its headers make
    the ticket, which says so; the message stays unread and flagged in the mailbox."""
    settings.GUANXI_MAIL_MAX_MESSAGE = 100_000
    uid = mailbox.append(mail("big@customer.example", "大附件", "看附件",
                              attachments=[("scan.pdf", b"%PDF-1.4\n" + b"1" * 300_000, "application", "pdf")]))
    result = poll()
    assert (result.created, result.failed) == (1, 0)
    entry = TicketEntry.objects.get(kind=EntryKind.INBOUND)
    assert entry.ticket.subject == "大附件" and "MB" in entry.body and entry.from_address == "big@customer.example"
    flags = mailbox.flags(uid)
    assert "\\Flagged" in flags and "\\Seen" not in flags


def test_a_real_ten_megabyte_attachment_is_refused_but_the_mail_kept(mailbox, demo_org):
    """SRV-7: at the default limits (10 MB an attachment) an 11 MB file is refused with a
    note; the e-mail and its small attachment are stored."""
    huge = b"%PDF-1.4\n" + bytes(range(256)) * (11 * 4096)
    mailbox.append(mail("scanner@customer.example", "扫描件", "两份扫描件",
                        attachments=[("small.pdf", PDF, "application", "pdf"),
                                     ("all-pages.pdf", huge, "application", "pdf")]))
    result = poll()
    assert (result.created, result.failed) == (1, 0)
    ticket = Ticket.objects.get()
    assert list(EntryAttachment.objects.values_list("original_name", flat=True)) == ["small.pdf"]
    assert "all-pages.pdf" in ticket.entries.get(kind=EntryKind.SYSTEM).body


def test_a_message_that_fails_is_flagged_reported_and_the_rest_go_on(mailbox, demo_org, monkeypatch, client_for):
    """SRV-7 (nothing lost): a message that cannot be stored stays unread and flagged in
    the mailbox and is named in MailboxState.last_error; the next one is stored. A database
    error stops the run before the UID moves, so the next run tries again."""
    bad = mailbox.append(mail("a@fail.example", "坏的", "x", msgid="<poison@fail.example>"))
    good = mailbox.append(mail("b@fail.example", "好的", "y"))
    real = intake.mail_receive

    def failing(parsed):
        if parsed.message_id == "<poison@fail.example>":
            raise RuntimeError("boom")
        return real(parsed)

    monkeypatch.setattr(intake, "mail_receive", failing)
    result = poll()
    assert (result.failed, result.created) == (1, 1)
    state = MailboxState.objects.get()
    assert f"UID {bad}" in state.last_error and "<poison@fail.example>" in state.last_error
    page = client_for(demo_org["sunli"]).get("/service/forms/").content.decode()
    assert "&lt;poison@fail.example&gt;" in page  # the service head sees what went wrong
    assert state.last_uid == good
    assert "\\Flagged" in mailbox.flags(bad) and "\\Seen" not in mailbox.flags(bad)
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["好的"]

    later = mailbox.append(mail("c@fail.example", "数据库坏了", "z"))

    def database_down(parsed):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(intake, "mail_receive", database_down)
    result = poll()
    assert result.failed == 1 and MailboxState.objects.get().last_uid == good
    assert "database is locked" in MailboxState.objects.get().last_error
    monkeypatch.setattr(intake, "mail_receive", real)
    result = poll()
    assert result.created == 1 and MailboxState.objects.get().last_uid == later
    assert MailboxState.objects.get().last_error == ""


def test_own_mail_and_automatic_replies_open_no_tickets(mailbox, demo_org, settings):
    """SRV-7 (mail loops): mail from our own address is ignored; an automatic reply opens
    no ticket, and one that continues a ticket is added without reopening it."""
    settings.GUANXI_SUPPORT_EMAIL = "Support <support@huazhi.example.cn>"
    ticket = services.ticket_create(actor=demo_org["xuting"], subject="已解决的问题",
                                    ticket_type=services.pick("service.ticket_type", "consultation"),
                                    severity=services.pick("service.severity", "low"),
                                    contact_email="auto@customer.example")
    services.ticket_set_status(actor=demo_org["xuting"], ticket=ticket, status=TicketStatus.RESOLVED)
    auto = {"Auto-Submitted": "auto-replied"}
    mailbox.append(mail("support@huazhi.example.cn", "我们自己发的", "loop"))
    mailbox.append(mail("auto@customer.example", "Out of office", "I am away", headers=auto))
    mailbox.append(mail("auto@customer.example", f"Auto: [{ticket.number}]", "I am away", headers=auto))
    result = poll()
    assert (result.ignored, result.threaded, result.created) == (2, 1, 0)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED and Ticket.objects.count() == 1


def test_a_reply_goes_out_by_smtp_and_the_answer_comes_back_by_imap(mailbox, smtp_server, beijing_customer,
                                                                   demo_org, django_capture_on_commit_callbacks):
    """SRV-7: a staff reply leaves through a real SMTP server, threaded (the number in the
    subject, our Message-ID); the customer's answer to it, fetched from a real IMAP server,
    lands on the same ticket."""
    agent = demo_org["luobin"]
    ticket = services.ticket_create(actor=agent, subject="发票抬头错误", customer=beijing_customer,
                                    ticket_type=services.pick("service.ticket_type", "consultation"),
                                    severity=services.pick("service.severity", "normal"))
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(actor=agent, ticket=ticket, body="您好，我们已重开发票。")
    sent = smtp_server.wait_for(beijing_customer.email)[0]
    assert f"[{ticket.number}]" in sent["Subject"] and sent["Message-ID"].startswith(f"<ticket-{ticket.mail_thread}-")
    assert "已重开发票" in sent.get_content()
    reply_entry = ticket.entries.get(kind=EntryKind.REPLY)
    assert reply_entry.message_id == sent["Message-ID"]
    from auditlog.models import LogEntry

    logged = [entry.changes_dict for entry in LogEntry.objects.get_for_object(ticket)]
    assert logged and not any("mail_thread" in changes for changes in logged)  # the thread key stays secret

    answer = mail("Wang Li <wang.li@hengyuan.example>", f"Re: {sent['Subject']}", "收到，谢谢！",
                  in_reply_to=sent["Message-ID"])
    mailbox.append(answer)
    poll()
    assert Ticket.objects.count() == 1
    assert ticket.entries.filter(kind=EntryKind.INBOUND, body="收到，谢谢！").exists()


def test_office_documents_and_zip_members(db):
    """SRV-7: Office documents are recognised by container and extension; text only with a
    text extension and without NUL bytes; everything else is refused."""
    from guanxi.service import filetypes

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w/>")
    docx = buffer.getvalue()
    assert filetypes.sniff(docx, "合同.docx")[1] == ".docx"
    assert filetypes.sniff(docx, "合同.zip") == ("application/zip", ".zip")
    assert filetypes.sniff("订单号,数量\n1,2\n".encode("gb18030"), "orders.csv") == ("text/csv", ".csv")
    assert filetypes.sniff(b"a\x00b", "x.txt") is None
    assert filetypes.sniff(b"<svg onload=alert(1)>", "x.svg") is None
    assert filetypes.sniff(b"<html><script>", "x.txt") == ("text/plain", ".txt")  # served as a download only
    assert filetypes.sniff(base64.b64decode("UEsDBBQ="), "x.xlsx") is None  # a truncated zip
