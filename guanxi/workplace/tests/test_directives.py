"""Directives and documents (WRK-2): issue, audiences, receipts, acknowledgement,
reminders, attachments, sanitized text, pages."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guanxi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from guanxi.core.models import Notification
from guanxi.org.models import Branch, Department, Role, User
from guanxi.workplace import directives
from guanxi.workplace.models import Directive, DirectiveAttachment, DirectiveReceipt

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _issue(org, **kwargs):
    kwargs.setdefault("title", "关于季度回访的通知")
    kwargs.setdefault("body", "<p>请各位<strong>本周</strong>完成回访。</p>")
    return directives.directive_issue(actor=org["chenzhiqiang"], **kwargs)


def _sales_department():
    return Department.objects.get(name="销售部", branch__code="gz")


def test_a_directive_to_a_department_reaches_it_and_its_sub_departments(org):
    """WRK-2: a department's audience includes its sub-departments; everyone is notified."""
    directive = _issue(org, departments=[_sales_department()])
    names = set(directive.receipts.values_list("user__username", flat=True))
    assert names == {"wangjianguo", "zhangmin", "liyang", "liuyang", "huangli"}
    notices = Notification.objects.filter(kind="workplace.directive")
    assert set(notices.values_list("recipient__username", flat=True)) == names
    assert all(n.url == directive.get_absolute_url() and "关于季度回访的通知" in n.title for n in notices)


def test_audiences_by_branch_role_and_everyone(org):
    """WRK-2: branches, job roles and the whole company; the issuer is not a recipient."""
    by_branch = _issue(org, branches=[Branch.objects.get(code="bj")])
    assert set(by_branch.receipts.values_list("user__branch__code", flat=True)) == {"bj"}
    by_role = _issue(org, roles=[Role.objects.get(code="salesperson")])
    expected = set(User.objects.filter(roles__code="salesperson", is_active=True).values_list("username", flat=True))
    assert set(by_role.receipts.values_list("user__username", flat=True)) == expected
    everyone = _issue(org, to_everyone=True)
    assert everyone.receipts.count() == User.objects.filter(is_active=True, branch__isnull=False).count() - 1
    assert not everyone.receipts.filter(user=org["chenzhiqiang"]).exists()


def test_leavers_receive_nothing(org):
    from guanxi.org.services import employee_deactivate

    employee_deactivate(actor=None, user=org["liuyang"])
    directive = _issue(org, departments=[_sales_department()])
    assert not directive.receipts.filter(user__username="liuyang").exists()


def test_only_the_decision_tier_issues(org):
    """WRK-2: a manager or salesperson may not issue; nothing is written."""
    for username in ("wangjianguo", "liuyang", "majun"):
        with pytest.raises(Forbidden):
            directives.directive_issue(actor=org[username], title="x", body="y", to_everyone=True)
    assert not Directive.objects.exists() and not Notification.objects.exists()


@pytest.mark.parametrize("kwargs, field", [
    ({"body": "   "}, "body"),
    ({"body": "<script>alert(1)</script>"}, "body"),
    ({"to_everyone": False}, "audience"),
    ({"ack_due_on": datetime.date(2020, 1, 1), "to_everyone": True}, "ack_due_on"),
    ({"title": "", "to_everyone": True}, "title"),
])
def test_bad_directives_are_refused_and_change_nothing(org, kwargs, field):
    """WRK-2: a clear error naming the field; no directive, receipt or notice."""
    data = {"title": "通知", "body": "<p>内容</p>", **kwargs}
    with pytest.raises(ValidationFailed) as error:
        directives.directive_issue(actor=org["chenzhiqiang"], **data)
    assert field in {e["field"] for e in error.value.errors} or error.value.field == field
    assert not Directive.objects.exists() and not DirectiveReceipt.objects.exists()
    assert not Notification.objects.exists()


def test_an_audience_with_nobody_is_refused(org):
    empty = Department.objects.create(branch=Branch.objects.get(code="gz"), name="空部门", path="/999999/")
    with pytest.raises(ValidationFailed):
        _issue(org, departments=[empty])
    assert not Directive.objects.exists()


def test_the_text_is_sanitized(org):
    """SECURITY (stored XSS): scripts, handlers and javascript: links are removed on input."""
    directive = _issue(org, to_everyone=True, body=(
        '<p onclick="x()">好<script>alert(1)</script></p><a href="javascript:alert(1)">链接</a>'
        '<img src=x onerror=alert(1)><a href="https://example.cn/a">资料</a>'))
    assert "script" not in directive.body and "onclick" not in directive.body and "onerror" not in directive.body
    assert "javascript:" not in directive.body and "<img" not in directive.body
    assert 'href="https://example.cn/a"' in directive.body and "<p>好</p>" in directive.body


def test_plain_text_becomes_paragraphs(org):
    directive = _issue(org, to_everyone=True, body="第一段\n\n1 < 2 <b>粗</b>")
    assert directive.body.startswith("<p>第一段</p>") and "<b>粗</b>" in directive.body and "&lt;" in directive.body
    plain = _issue(org, to_everyone=True, body="a<b")
    assert plain.body == "<p>a&lt;b</p>"


def test_acknowledge_once_and_the_notice_is_read(org):
    """WRK-2: a recipient acknowledges (again is a no-op) and their notice is marked read."""
    directive = _issue(org, departments=[_sales_department()])
    receipt = directives.directive_acknowledge(actor=org["liuyang"], directive=directive)
    first = receipt.acknowledged_at
    assert first is not None and receipt.read_at is not None
    again = directives.directive_acknowledge(actor=org["liuyang"], directive=directive)
    assert again.acknowledged_at == first
    notice = Notification.objects.get(recipient=org["liuyang"], kind="workplace.directive")
    assert notice.read_at is not None
    assert Notification.objects.get(recipient=org["huangli"]).read_at is None


def test_only_recipients_acknowledge(org):
    """WRK-2: someone who sees a directive but did not receive it cannot acknowledge it;
    someone who does not see it gets not found."""
    directive = _issue(org, branches=[Branch.objects.get(code="bj")])
    with pytest.raises(Forbidden):
        directives.directive_acknowledge(actor=org["linhui"], directive=directive)
    with pytest.raises(NotFound):
        directives.directive_acknowledge(actor=org["liuyang"], directive=directive)
    assert not DirectiveReceipt.objects.filter(acknowledged_at__isnull=False).exists()


def test_a_notice_needs_no_acknowledgement(org):
    directive = _issue(org, to_everyone=True, requires_ack=False)
    with pytest.raises(Conflict):
        directives.directive_acknowledge(actor=org["liuyang"], directive=directive)


def test_reading_is_recorded_for_recipients_only(org):
    directive = _issue(org, departments=[_sales_department()])
    assert directives.directive_mark_read(actor=org["liuyang"], directive=directive).read_at is not None
    assert directives.directive_mark_read(actor=org["linhui"], directive=directive) is None


def test_the_issuer_reminds_those_who_have_not_acknowledged_once_a_day(org):
    """WRK-2: reminders go to those who have not acknowledged, at most once a day each."""
    directive = _issue(org, departments=[_sales_department()])
    directives.directive_acknowledge(actor=org["liuyang"], directive=directive)
    assert directives.directive_remind(actor=org["chenzhiqiang"], directive=directive) == 4
    assert directives.directive_remind(actor=org["chenzhiqiang"], directive=directive) == 0
    reminded = Notification.objects.filter(dedupe_key__contains=":remind:")
    assert set(reminded.values_list("recipient__username", flat=True)) == {"wangjianguo", "zhangmin", "liyang",
                                                                           "huangli"}
    assert all("提醒" in n.title or "Reminder" in n.title for n in reminded)


def test_reminding_is_for_the_issuing_side(org):
    directive = _issue(org, departments=[_sales_department()])
    with pytest.raises(Forbidden):
        directives.directive_remind(actor=org["wangjianguo"], directive=directive)
    assert not Notification.objects.filter(dedupe_key__contains=":remind:").exists()


def test_daily_reminders_start_the_next_day_and_stop_after_three(org):
    """WRK-2: the scheduler reminds from the day after issue, once a day, three times."""
    directive = _issue(org, departments=[_sales_department()])
    now = timezone.now()
    assert directives.directives_send_reminders(now=now) == 0  # issued today
    Directive.objects.filter(pk=directive.pk).update(issued_at=now - datetime.timedelta(days=5))
    sent = [directives.directives_send_reminders(now=now + datetime.timedelta(days=d)) for d in range(5)]
    assert sent == [5, 5, 5, 0, 0]
    directives.directive_acknowledge(actor=org["liuyang"], directive=directive)
    assert DirectiveReceipt.objects.get(directive=directive, user=org["liuyang"]).reminders_sent == 3


def test_who_may_track(org):
    """WRK-2: the issuer and decision-tier colleagues with the issuer in scope see the
    receipts; a recipient does not."""
    directive = _issue(org, departments=[_sales_department()])
    assert directives.can_track(org["chenzhiqiang"], directive)
    assert directives.can_track(org["linhui"], directive)
    assert not directives.can_track(org["wangjianguo"], directive)
    assert not directives.can_track(org["liuyang"], directive)


# --- attachments --------------------------------------------------------------------
def test_attachments_are_checked_by_their_bytes(org):
    """WRK-2 + SECURITY (uploads): PDF and Office files pass, whatever their names; stored
    under a random name."""
    directive = _issue(org, to_everyone=True, uploads=[
        SimpleUploadedFile("制度.pdf", PDF, content_type="text/html"),
        SimpleUploadedFile("名单", _docx(), content_type="application/octet-stream")])
    kinds = sorted(directive.attachments.values_list("content_type", "extension"))
    assert [k[1] for k in kinds] == [".pdf", ".docx"] or sorted(k[1] for k in kinds) == [".docx", ".pdf"]
    for attachment in directive.attachments.all():
        assert "制度" not in attachment.file.name and attachment.size > 0 and len(attachment.checksum) == 64


@pytest.mark.parametrize("name, data", [
    ("evil.pdf", b"<html><script>alert(1)</script></html>"),
    ("run.exe", b"MZ\x90\x00" + b"\x00" * 100),
    ("fake.docx", b"PK\x03\x04 not a zip at all"),
    ("empty.pdf", b""),
])
def test_bad_attachments_refuse_the_whole_directive(org, name, data):
    """WRK-2: one bad file and nothing is issued (no directive, receipts, notices or files)."""
    with pytest.raises(ValidationFailed) as error:
        _issue(org, to_everyone=True, uploads=[SimpleUploadedFile("ok.pdf", PDF),
                                               SimpleUploadedFile(name, data)])
    assert error.value.errors[0]["field"] == "attachments"
    assert not Directive.objects.exists() and not DirectiveAttachment.objects.exists()
    assert not Notification.objects.exists()


def test_a_zip_bomb_is_refused(org, monkeypatch):
    from guanxi.workplace import attachments

    monkeypatch.setattr(attachments, "MAX_UNZIPPED", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "0" * 100_000)
    with pytest.raises(ValidationFailed):
        _issue(org, to_everyone=True, uploads=[SimpleUploadedFile("big.docx", buffer.getvalue())])


def test_an_oversized_attachment_is_refused(org, monkeypatch):
    from guanxi.workplace import attachments

    monkeypatch.setattr(attachments, "MAX_SIZE", 100)
    with pytest.raises(ValidationFailed):
        _issue(org, to_everyone=True, uploads=[SimpleUploadedFile("big.pdf", PDF + b"0" * 200)])


# --- pages ----------------------------------------------------------------------------------
def test_the_issue_page_creates_a_directive_with_a_file(org, client_for):
    client = client_for(org["chenzhiqiang"])
    assert client.get("/work/directives/new/").status_code == 200
    response = client.post("/work/directives/new/", {
        "title": "年终总结安排", "kind": "directive", "priority": "normal", "body": "<p>请提交总结</p>",
        "departments": [_sales_department().pk], "requires_ack": "on",
        "attachments": [SimpleUploadedFile("安排.pdf", PDF)]})
    directive = Directive.objects.get()
    assert response.status_code == 302 and response["Location"] == directive.get_absolute_url()
    assert directive.attachments.count() == 1 and directive.receipts.count() == 5


def test_the_issue_page_shows_errors_and_saves_nothing(org, client_for):
    response = client_for(org["chenzhiqiang"]).post("/work/directives/new/", {
        "title": "无对象", "kind": "directive", "priority": "normal", "body": "<p>x</p>"})
    assert response.status_code == 200 and "form-error" in response.content.decode()
    assert not Directive.objects.exists()


def test_salespeople_cannot_open_the_issue_page(org, client_for):
    assert client_for(org["liuyang"]).get("/work/directives/new/").status_code == 403


def test_recipient_reads_and_acknowledges_on_the_page(org, client_for):
    """WRK-2: the recipient's page posts the read receipt (no GET changes state) and
    offers the acknowledgement; the issuer sees who has not acknowledged."""
    directive = _issue(org, departments=[_sales_department()])
    client = client_for(org["liuyang"])
    html = client.get(directive.get_absolute_url()).content.decode()
    assert "acknowledge-form" in html and f"/work/directives/{directive.pk}/read/" in html
    assert 'id="tracking"' not in html
    assert DirectiveReceipt.objects.get(directive=directive, user=org["liuyang"]).read_at is None
    assert client.post(f"/work/directives/{directive.pk}/read/").status_code == 204
    client.post(f"/work/directives/{directive.pk}/acknowledge/")
    assert DirectiveReceipt.objects.get(directive=directive, user=org["liuyang"]).acknowledged_at is not None
    issuer = client_for(org["chenzhiqiang"]).get(directive.get_absolute_url()).content.decode()
    assert 'data-user="huangli"' in issuer and 'data-user="liuyang"' not in issuer  # pending only by default
    done = client_for(org["chenzhiqiang"]).get(directive.get_absolute_url() + "?show=done").content.decode()
    assert 'data-user="liuyang"' in done


def test_attachment_download_is_scoped(org, client_for):
    directive = _issue(org, branches=[Branch.objects.get(code="bj")], uploads=[SimpleUploadedFile("a.pdf", PDF)])
    attachment = directive.attachments.get()
    url = f"/work/directives/{directive.pk}/files/{attachment.pk}/"
    response = client_for(org["zhuwei"]).get(url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert client_for(org["liuyang"]).get(url).status_code == 404


def test_directive_list_has_no_n_plus_one(org, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(org["liuyang"])
    _issue(org, departments=[_sales_department()])
    client.get("/work/directives/")
    with CaptureQueriesContext(connection) as few:
        client.get("/work/directives/")
    for n in range(8):
        _issue(org, title=f"通知{n}", departments=[_sales_department()])
    with CaptureQueriesContext(connection) as many:
        html = client.get("/work/directives/").content.decode()
    assert len(many) == len(few) and "0/5" in html


def test_a_recipient_sees_it_in_my_day(org, client_for):
    _issue(org, title="待确认的指令", departments=[_sales_department()])
    html = client_for(org["liuyang"]).get("/work/day/").content.decode()
    assert "待确认的指令" in html
