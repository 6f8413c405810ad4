"""Issue 11.9, SECURITY (upload to code execution): every upload endpoint — found by
crawling the URL patterns and the API schema — answers junk, empty, huge and mislabelled
files with a clear refusal, never a 500, and stores nothing it refused."""

import inspect
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver

from guanxi.accounts.services import token_issue
from guanxi.api.main import api
from guanxi.core.imports import _importers
from guanxi.core.models import ImportJob, PrintTemplate
from guanxi.finance import expenses
from guanxi.finance.models import ExpenseAttachment, ExpenseCategory
from guanxi.marketing.models import SegmentKind, SegmentMember
from guanxi.marketing.services import segments
from guanxi.workplace import directives
from guanxi.workplace.models import Directive, DirectiveAttachment

from .test_url_permissions import _walk

HTML_UPLOADS = {"imports/<str:entity>/new/", "finance/expenses/<int:pk>/<str:action>/", "work/directives/new/",
                "marketing/segments/<int:pk>/members/upload/"}
API_UPLOADS = {"/api/v1/directives/{directive_id}/attachments", "/api/v1/expenses/{expense_id}/attachments"}


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


FILES = {
    "empty": ("empty.pdf", b"", "application/pdf"),
    "junk": ("junk.xlsx", bytes(range(256)) * 40, "application/octet-stream"),
    "huge": ("huge.pdf", b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024), "application/pdf"),
    "exe as pdf": ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 256, "application/pdf"),
    "html as png": ("photo.png", b"<html><script>alert(1)</script></html>", "image/png"),
    "svg with script": ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
    "truncated pdf": ("cut.pdf", b"%PDF-1.4\n1 0 obj", "application/pdf"),
    "zip as xlsx": ("book.xlsx", _zip({"evil.sh": b"rm -rf /"}), "application/vnd.openxmlformats-officedocument"
                                                                     ".spreadsheetml.sheet"),
    "broken xlsx": ("book.xlsx", _zip({"[Content_Types].xml": b"<junk", "xl/workbook.xml": b"\x00\xff"}),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "binary csv": ("people.csv", b"\xff\xfe\x00\x00" * 500, "text/csv"),
    "traversal name": ("../../../etc/cron.d/x.pdf", b"MZ" + b"\x00" * 64, "application/pdf"),
    "long name": ("报" * 300 + ".pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
    "control name": ("a\r\nb\x00c.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
}

# Broken but of the kind it says (a PDF cut short, an Office zip with junk inside): an
# attachment may keep it (it is downloaded, never run or shown inline); imports refuse it.
HARMLESS = {"truncated pdf", "broken xlsx", "long name", "control name"}


def _upload(kind):
    name, data, content_type = FILES[kind]
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_the_crawl_finds_every_upload_endpoint():
    """A new upload view or endpoint must be added to the fuzz below."""
    html = set()
    for route, callback in _walk(get_resolver().url_patterns):
        target = inspect.unwrap(getattr(callback, "view_class", None) or callback)
        target = getattr(target, "func", target)  # functools.partial
        try:
            source = inspect.getsource(target)
        except (TypeError, OSError):
            source = ""
        if "request.FILES" in source or "FILES or None" in source:
            html.add(route)
    multipart = {path for path, operations in api.get_openapi_schema()["paths"].items()
                 for operation in operations.values()
                 if "multipart/form-data" in operation.get("requestBody", {}).get("content", {})}
    assert html == HTML_UPLOADS
    assert multipart == API_UPLOADS


def _client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _bearer(user):
    _token, raw = token_issue(actor=user, name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def targets(demo_org):
    seller, boss = demo_org["liuyang"], demo_org["chenzhiqiang"]
    expense = expenses.expense_create(actor=seller, category=ExpenseCategory.objects.get(code="travel"),
                                      amount="10", description="上传测试")
    directive = directives.directive_issue(actor=boss, title="上传测试", body="正文",
                                           branches=[demo_org["zhuwei"].branch])
    segment = segments.segment_create(actor=demo_org["linhui"], name="上传测试名单", kind=SegmentKind.STATIC)
    return {"seller": seller, "boss": boss, "admin": demo_org["zhaolei"], "expense": expense,
            "directive": directive, "segment": segment, "marketer": demo_org["linhui"]}


@pytest.mark.parametrize("kind", list(FILES))
def test_html_uploads_never_fail_with_a_server_error(targets, kind):
    """SECURITY (upload): imports, expense receipts and directive attachments refuse bad files."""
    seller, boss = _client(targets["seller"]), _client(targets["boss"])
    directives_before = Directive.objects.count()
    statuses = {}
    for entity in _importers:
        statuses[f"import {entity}"] = boss.post(f"/imports/{entity}/new/", {"file": _upload(kind)}).status_code
    statuses["expense"] = seller.post(f"/finance/expenses/{targets['expense'].pk}/attach/",
                                      {"file": _upload(kind)}).status_code
    statuses["directive"] = boss.post("/work/directives/new/", {
        "title": "带附件", "body": "正文", "kind": "directive", "priority": "normal", "to_everyone": "on",
        "attachments": [_upload(kind)]}).status_code
    statuses["segment list"] = _client(targets["marketer"]).post(
        f"/marketing/segments/{targets['segment'].pk}/members/upload/", {"file": _upload(kind)}).status_code
    assert all(status < 500 for status in statuses.values()), statuses
    assert not SegmentMember.objects.exists()  # no file here names a customer
    assert not ImportJob.objects.exists()
    if kind not in HARMLESS:
        assert not ExpenseAttachment.objects.exists()
        assert Directive.objects.count() == directives_before


@pytest.mark.parametrize("kind", list(FILES))
def test_api_uploads_answer_a_problem_never_a_server_error(targets, kind):
    """SECURITY (upload), API.md: a refused file is a 4xx problem+json; nothing stored."""
    client = Client(raise_request_exception=False)
    responses = {
        "directive": client.post(f"/api/v1/directives/{targets['directive'].pk}/attachments",
                                 {"file": _upload(kind)}, headers=_bearer(targets["boss"])),
        "expense": client.post(f"/api/v1/expenses/{targets['expense'].pk}/attachments",
                               {"file": _upload(kind)}, headers=_bearer(targets["seller"])),
    }
    for name, response in responses.items():
        assert response.status_code < 500, (name, response.status_code)
        if kind not in HARMLESS:
            assert 400 <= response.status_code < 500, (name, response.status_code)
            assert response["Content-Type"] == "application/problem+json", name
    if kind not in HARMLESS:
        assert not ExpenseAttachment.objects.exists() and not DirectiveAttachment.objects.exists()


@pytest.mark.parametrize("html", ["\x00" * 10, "<html>\x00{{ x }}</html>", "{%" * 20_000, "x" * 100_001,
                                  "{% if %}" + bytes(range(32, 256)).decode("latin-1") * 50])
def test_print_template_uploads_are_refused_clearly(targets, html):
    """SECURITY (upload): a print template of junk, NUL bytes or too long is a form error."""
    response = _client(targets["admin"]).post("/system/configuration/printing/sales.quote/new/",
                                              {"name": "坏", "html": html, "is_active": "on"})
    assert response.status_code in (200, 400)
    assert not PrintTemplate.objects.exists()
