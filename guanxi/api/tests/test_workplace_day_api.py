"""The daily-work API (SYS-6 conventions): work-plans, directives, news, competitors,
notifications; scopes (404), permissions (403), validation (422), If-Match (412), mass
assignment, attachments, languages."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guanxi.core import notifications
from guanxi.core.models import Notification
from guanxi.org.models import Department
from guanxi.workplace import directives, plans
from guanxi.workplace.models import Directive, NewsItem, WorkPlanItem

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def api(demo_org, api_for):
    def call(username):
        client, headers = api_for(demo_org[username])
        return client, headers

    return call


def _json(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()


# --- work-plans ---------------------------------------------------------------------------
def test_work_plan_crud_with_if_match(demo_org, api):
    """WRK-1: create, read with ETag, PATCH progress with If-Match (stale → 412, unchanged), delete."""
    client, headers = api("liuyang")
    created = client.post("/api/v1/work-plans", {"title": "拜访华达"}, content_type="application/json",
                          headers=headers)
    assert created.status_code == 201
    body = created.json()
    assert body["owner_id"] == demo_org["liuyang"].pk and body["day"] == timezone.localdate().isoformat()
    url = f"/api/v1/work-plans/{body['id']}"
    etag = client.get(url, headers=headers)["ETag"]
    patched = client.patch(url, {"progress": 100, "result": "签了"}, content_type="application/json",
                           headers={**headers, "If-Match": etag})
    assert patched.status_code == 200 and patched.json()["status"] == "done"
    stale = client.patch(url, {"title": "改"}, content_type="application/json", headers={**headers, "If-Match": etag})
    assert stale.status_code == 412 and stale["Content-Type"].startswith("application/problem+json")
    assert WorkPlanItem.objects.get().title == "拜访华达"
    assert client.delete(url, headers=headers).status_code == 204
    assert not WorkPlanItem.objects.exists()


def test_work_plan_mass_assignment_and_bad_input(demo_org, api):
    """Owner-side fields are not writable; a past day is a 422 naming the field; nothing saved."""
    client, headers = api("liuyang")
    for body, field in (({"title": "x", "assigned_by_id": 1}, None), ({"title": "x", "status": "done"}, None),
                        ({"title": "x", "day": "2020-01-01"}, "day"), ({"title": ""}, None),
                        ({"title": "x", "customer_id": 999999}, "customer_id")):
        response = client.post("/api/v1/work-plans", body, content_type="application/json", headers=headers)
        assert response.status_code == 422, (body, response.content)
        if field:
            assert field in {e["field"] for e in response.json()["errors"]}
    assert not WorkPlanItem.objects.exists()


def test_assigning_through_the_api(demo_org, api):
    """WRK-1: a manager assigns to his people (201); a salesperson may not (403); out of scope is refused."""
    client, headers = api("wangjianguo")
    ok = client.post("/api/v1/work-plans", {"title": "回款", "owner_id": demo_org["liuyang"].pk},
                     content_type="application/json", headers=headers)
    assert ok.status_code == 201 and ok.json()["assigned_by_id"] == demo_org["wangjianguo"].pk
    far = client.post("/api/v1/work-plans", {"title": "越权", "owner_id": demo_org["zhuwei"].pk},
                      content_type="application/json", headers=headers)
    assert far.status_code == 403
    client, headers = api("liuyang")
    denied = client.post("/api/v1/work-plans", {"title": "x", "owner_id": demo_org["huangli"].pk},
                         content_type="application/json", headers=headers)
    assert denied.status_code == 403 and WorkPlanItem.objects.count() == 1


def test_work_plan_out_of_scope_is_404(demo_org, api):
    item = plans.plan_item_create(actor=demo_org["liuyang"], title="私人")
    client, headers = api("zhuwei")
    assert client.get(f"/api/v1/work-plans/{item.pk}", headers=headers).status_code == 404
    assert client.patch(f"/api/v1/work-plans/{item.pk}", {"progress": 50}, content_type="application/json",
                        headers=headers).status_code == 404
    assert client.delete(f"/api/v1/work-plans/{item.pk}", headers=headers).status_code == 404
    item.refresh_from_db()
    assert item.progress == 0


def test_work_plan_filters(demo_org, api):
    plans.plan_item_create(actor=demo_org["wangjianguo"], owner=demo_org["liuyang"], title="派")
    plans.plan_item_create(actor=demo_org["liuyang"], title="自己")
    client, headers = api("wangjianguo")
    assigned = client.get("/api/v1/work-plans", {"assigned": "true"}, headers=headers).json()["items"]
    assert [i["title"] for i in assigned] == ["派"]
    mine = client.get("/api/v1/work-plans", {"owner_id": demo_org["liuyang"].pk, "q": "自己"}, headers=headers)
    assert [i["title"] for i in mine.json()["items"]] == ["自己"]
    bad = client.get("/api/v1/work-plans", {"ordering": "owner__password"}, headers=headers)
    assert bad.status_code == 422


# --- directives ---------------------------------------------------------------------------
def test_directive_flow_through_the_api(demo_org, api):
    """WRK-2: issue to a department, recipients list and acknowledge, the issuer tracks
    and reminds; a recipient may not see the tracking."""
    sales = Department.objects.get(name="销售部", branch__code="gz")
    client, chairman = api("chenzhiqiang")
    created = client.post("/api/v1/directives", {"title": "年底冲刺", "body": "<p>冲刺<script>x</script></p>",
                                                 "department_ids": [sales.pk], "priority": "urgent"},
                          content_type="application/json", headers=chairman)
    assert created.status_code == 201, created.content
    directive = created.json()
    assert directive["recipient_count"] == 5 and "script" not in directive["body"]
    seller, liuyang = api("liuyang")
    pending = client.get("/api/v1/directives", {"pending": "true"}, headers=liuyang).json()["items"]
    assert [d["id"] for d in pending] == [directive["id"]] and pending[0]["my_receipt"]["acknowledged_at"] is None
    ack = seller.post(f"/api/v1/directives/{directive['id']}/acknowledge", headers=liuyang)
    assert ack.status_code == 200 and ack.json()["acknowledged_at"]
    assert seller.get(f"/api/v1/directives/{directive['id']}/receipts", headers=liuyang).status_code == 403
    receipts = client.get(f"/api/v1/directives/{directive['id']}/receipts", {"pending": "true"}, headers=chairman)
    assert demo_org["liuyang"].pk not in {r["user_id"] for r in receipts.json()} and len(receipts.json()) == 4
    assert client.post(f"/api/v1/directives/{directive['id']}/remind", headers=chairman).json() == {"reminded": 4}
    assert client.get(f"/api/v1/directives/{directive['id']}", headers=chairman).json()["acknowledged_count"] == 1


def test_directive_refusals(demo_org, api):
    client, seller = api("liuyang")
    assert client.post("/api/v1/directives", {"title": "x", "body": "y", "to_everyone": True},
                       content_type="application/json", headers=seller).status_code == 403
    client, chairman = api("chenzhiqiang")
    no_audience = client.post("/api/v1/directives", {"title": "x", "body": "y"}, content_type="application/json",
                              headers={**chairman, "Accept-Language": "en"})
    assert no_audience.status_code == 422 and "receives" in no_audience.json()["detail"]
    unknown = client.post("/api/v1/directives", {"title": "x", "body": "y", "role_codes": ["nobody"]},
                          content_type="application/json", headers=chairman)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "role_codes"
    extra = client.post("/api/v1/directives", {"title": "x", "body": "y", "to_everyone": True, "issuer_id": 5},
                        content_type="application/json", headers=chairman)
    assert extra.status_code == 422
    assert not Directive.objects.exists() and not Notification.objects.exists()


def test_directive_attachments_through_the_api(demo_org, api):
    directive = directives.directive_issue(actor=demo_org["chenzhiqiang"], title="文件", body="见附件",
                                           branches=[demo_org["zhuwei"].branch])
    client, chairman = api("chenzhiqiang")
    url = f"/api/v1/directives/{directive.pk}/attachments"
    added = client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}, headers=chairman)
    assert added.status_code == 201 and added.json()["content_type"] == "application/pdf"
    refused = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"<svg onload=alert(1)>")}, headers=chairman)
    assert refused.status_code == 422
    reader, zhuwei = api("zhuwei")
    download = reader.get(f"{url}/{added.json()['id']}", headers=zhuwei)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    outsider, liuyang = api("liuyang")
    assert outsider.get(f"{url}/{added.json()['id']}", headers=liuyang).status_code == 404
    assert reader.post(url, {"file": SimpleUploadedFile("b.pdf", PDF)}, headers=zhuwei).status_code == 403


# --- news and competitors -----------------------------------------------------------------
def test_news_through_the_api(demo_org, api):
    client, headers = api("liuyang")
    created = client.post("/api/v1/news", {"title": "政策", "body": "<p>x</p>", "tags": ["政策", "制造业"],
                                           "source_url": "https://example.cn"}, content_type="application/json",
                          headers=headers)
    assert created.status_code == 201 and created.json()["tags"] == ["制造业", "政策"]
    bad = client.post("/api/v1/news", {"title": "x", "source_url": "javascript:alert(1)"},
                      content_type="application/json", headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "source_url"
    other, zhuwei = api("zhuwei")
    url = f"/api/v1/news/{created.json()['id']}"
    assert other.get("/api/v1/news", {"tag": "政策"}, headers=zhuwei).json()["items"][0]["title"] == "政策"
    assert other.patch(url, {"title": "改"}, content_type="application/json", headers=zhuwei).status_code == 403
    etag = client.get(url, headers=headers)["ETag"]
    assert client.patch(url, {"title": "新"}, content_type="application/json",
                        headers={**headers, "If-Match": etag}).status_code == 200
    assert client.patch(url, {"title": "再"}, content_type="application/json",
                        headers={**headers, "If-Match": etag}).status_code == 412
    assert client.delete(url, headers=headers).status_code == 204
    assert NewsItem.all_objects.get().deleted_at is not None


def test_competitors_through_the_api(demo_org, api):
    """WRK-4 + ANA-12: competitors with figures, intelligence posted under one, the analysis."""
    from guanxi.customers.services import customer_create

    rival = customer_create(actor=demo_org["wangjianguo"], name="宏图显示", category="competitor")
    plain = customer_create(actor=demo_org["liuyang"], name="普通客户")
    client, headers = api("liuyang")
    listed = client.get("/api/v1/competitors", headers=headers).json()["items"]
    assert [c["name"] for c in listed] == ["宏图显示"]
    intel = client.post(f"/api/v1/competitors/{rival.pk}/intel", {"title": "降价", "intel_type": "price",
                                                                  "product": "DS100", "price": "2399.00"},
                        content_type="application/json", headers=headers)
    assert intel.status_code == 201 and intel.json()["price"] == "2399.00" and intel.json()["kind"] == "competitor"
    detail = client.get(f"/api/v1/competitors/{rival.pk}", headers=headers).json()
    assert detail["intel_count"] == 1 and detail["products"][0]["product"] == "DS100"
    assert client.get(f"/api/v1/competitors/{plain.pk}", headers=headers).status_code == 404
    analysis = client.get("/api/v1/competitors/analysis", {"date_from": "2026-01-01", "date_to": "2025-01-01"},
                          headers=headers)
    assert analysis.status_code == 422
    assert client.get("/api/v1/competitors/analysis", headers=headers).json()["rows"] == []


# --- notifications ---------------------------------------------------------------------------
def test_notifications_through_the_api(demo_org, api):
    user = demo_org["liuyang"]
    first = notifications.notify(user, kind="finance.due", title="到期")
    notifications.notify(user, kind="sales.large_deal", title="大单")
    foreign = notifications.notify(demo_org["huangli"], kind="finance.due", title="别人")
    client, headers = api("liuyang")
    assert client.get("/api/v1/notifications/unread-count", headers=headers).json() == {"unread": 2}
    listed = client.get("/api/v1/notifications", {"unread": "true"}, headers=headers).json()["items"]
    assert {n["title"] for n in listed} == {"到期", "大单"}
    assert client.get(f"/api/v1/notifications/{foreign.pk}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/notifications/{first.pk}/read", headers=headers).json()["read_at"]
    assert client.post("/api/v1/notifications/mark-read", {}, content_type="application/json",
                       headers=headers).json() == {"marked": 1}
    prefs = client.get("/api/v1/notifications/preferences", headers=headers).json()
    assert {"kind": "finance.due", "in_app": True, "email": False, "digest": False}.items() <= next(
        p for p in prefs if p["kind"] == "finance.due").items()
    saved = client.put("/api/v1/notifications/preferences", [{"kind": "finance.due", "in_app": False,
                                                              "email": True, "digest": True}],
                       content_type="application/json", headers=headers)
    assert next(p for p in saved.json() if p["kind"] == "finance.due")["email"] is True
    bad = client.put("/api/v1/notifications/preferences", [{"kind": "nope", "in_app": True, "email": True,
                                                            "digest": True}], content_type="application/json",
                     headers=headers)
    assert bad.status_code == 422


def test_openapi_documents_the_daily_work_resources(demo_org, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/work-plans", "/api/v1/directives", "/api/v1/directives/{directive_id}/acknowledge",
                 "/api/v1/news", "/api/v1/competitors", "/api/v1/competitors/analysis", "/api/v1/notifications",
                 "/api/v1/notifications/preferences"):
        assert path in paths, path


