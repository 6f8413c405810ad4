"""MKT-3, SYS-6: /api/v1/segments — list, create, detail, update with If-Match, delete,
customers (cursor pages), preview; permission first, problem+json on bad rules."""

import pytest
from django.utils import translation

from guanxi.marketing.models import Segment

from .segment_fixtures import customers_of

RULES = {"match": "all", "conditions": [{"field": "value_tier", "op": "eq", "value": "A"}]}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def api(demo_org, api_for):
    customers_of(demo_org)
    client, headers = api_for(demo_org["linhui"])
    return client, {**headers, "Accept-Language": "en"}  # the API's messages in English


def test_create_read_update_delete(api):
    """The resource's life through the API, with ETag / If-Match."""
    client, headers = api
    response = client.post("/api/v1/segments", {"name": "A级", "rules": RULES}, content_type="application/json",
                           headers=headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["member_count"] == 5 and body["kind"] == "dynamic"
    url = f"/api/v1/segments/{body['id']}"
    got = client.get(url, headers=headers)
    etag = got["ETag"]
    changed = client.patch(url, {"name": "A级客户"}, content_type="application/json",
                           headers={**headers, "If-Match": etag})
    assert changed.status_code == 200 and changed.json()["name"] == "A级客户"
    stale = client.patch(url, {"name": "旧"}, content_type="application/json", headers={**headers, "If-Match": etag})
    assert stale.status_code == 412 and Segment.objects.get(pk=body["id"]).name == "A级客户"
    assert [s["id"] for s in client.get("/api/v1/segments?q=A级", headers=headers).json()["items"]] == [body["id"]]
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


def test_customers_are_cursor_paged(api):
    client, headers = api
    segment = client.post("/api/v1/segments", {"name": "全部", "rules": {}}, content_type="application/json",
                          headers=headers).json()
    seen, cursor = [], None
    while True:
        body = client.get(f"/api/v1/segments/{segment['id']}/customers", {"limit": 3, **(
            {"cursor": cursor} if cursor else {})}, headers=headers).json()
        seen += [c["name"] for c in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 10 and seen == sorted(seen)


def test_preview_and_bad_rules(api):
    """Preview counts; bad rules are a 422 problem naming the condition, nothing saved."""
    client, headers = api
    response = client.post("/api/v1/segments/preview", {"rules": RULES}, content_type="application/json",
                           headers=headers)
    assert response.json() == {"count": 5, "capped": False}
    bad = {"conditions": [{"field": "age", "op": "gt", "value": "old"}]}
    response = client.post("/api/v1/segments", {"name": "坏", "rules": bad}, content_type="application/json",
                           headers=headers)
    assert response.status_code == 422 and response["Content-Type"].startswith("application/problem+json")
    assert "Condition 1" in response.json()["detail"]
    assert not Segment.objects.filter(name="坏").exists()
    response = client.post("/api/v1/segments", {"name": "x", "owner_id": 1}, content_type="application/json",
                           headers=headers)
    assert response.status_code in (400, 422)


def test_permission_is_checked_first(demo_org, api_for):
    """A salesperson without marketing gets 403 and changes nothing."""
    client, headers = api_for(demo_org["liuyang"])
    assert client.get("/api/v1/segments", headers=headers).status_code == 403
    response = client.post("/api/v1/segments", {"name": "x", "rules": {}}, content_type="application/json",
                           headers=headers)
    assert response.status_code == 403 and not Segment.objects.exists()
