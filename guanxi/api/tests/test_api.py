import json

import pytest
from django.test import Client

from guanxi.org.demo import DEMO_PASSWORD
from guanxi.org.models import Branch, Department, User
from guanxi.workplace.models import Note

PROBLEM = "application/problem+json"


def _token(client, username, password=DEMO_PASSWORD):
    response = client.post("/api/v1/auth/token", {"username": username, "password": password},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _post(client, url, body, headers, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers, **extra)


def test_acceptance_admin_creates_branch_department_user_and_scope_and_revocation(demo_org):
    """Acceptance (issue 2): admin creates a branch, a department and a user through the API;
    the new user's token gets 404 outside its scope and 401 once revoked."""
    client = Client()
    admin = _token(client, "zhaolei")
    branch = _post(client, "/api/v1/branches", {"name": "成都分公司", "code": "cd", "city": "成都"}, admin)
    assert branch.status_code == 201, branch.content
    assert branch.json()["is_headquarters"] is False
    department = _post(client, "/api/v1/departments",
                       {"name": "销售部", "branch_id": branch.json()["id"], "kind": "sales"}, admin)
    assert department.status_code == 201, department.content
    user = _post(client, "/api/v1/users", {
        "username": "wangwu", "display_name": "王五", "password": "Chengdu-2026!",
        "department_id": department.json()["id"], "roles": ["salesperson"], "email": "wangwu@example.cn",
    }, admin)
    assert user.status_code == 201, user.content
    body = user.json()
    assert body["branch_id"] == branch.json()["id"] and body["roles"] == ["salesperson"]
    assert "password" not in body

    new_user = _token(client, "wangwu", "Chengdu-2026!")
    mine = _post(client, "/api/v1/notes", {"title": "成都第一条"}, new_user)
    assert mine.status_code == 201
    theirs = Note.objects.create(title="广州的", owner=demo_org["liuyang"], branch=demo_org["liuyang"].branch,
                                 created_by=demo_org["liuyang"])
    assert client.get(f"/api/v1/notes/{mine.json()['id']}", headers=new_user).status_code == 200
    outside = client.get(f"/api/v1/notes/{theirs.pk}", headers=new_user)
    assert outside.status_code == 404 and outside["Content-Type"] == PROBLEM
    assert [n["id"] for n in client.get("/api/v1/notes", headers=new_user).json()["items"]] == [mine.json()["id"]]

    assert client.post("/api/v1/auth/token/revoke", headers=new_user).status_code == 204
    revoked = client.get("/api/v1/notes", headers=new_user)
    assert revoked.status_code == 401 and revoked["Content-Type"] == PROBLEM


def test_malformed_json_is_400_and_changes_nothing(demo_org):
    client = Client()
    admin = _token(client, "zhaolei")
    before = Branch.objects.count()
    response = client.post("/api/v1/branches", b'{"name": "x", ', content_type="application/json", headers=admin)
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail"} and body["status"] == 400
    assert Branch.objects.count() == before


def test_wrong_types_and_unknown_fields_are_422_with_fields(demo_org):
    client = Client()
    admin = _token(client, "zhaolei")
    before = Department.objects.count()
    wrong = _post(client, "/api/v1/departments", {"name": "x", "branch_id": "abc", "kind": "sales"}, admin,
                  HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 422 and wrong["Content-Type"] == PROBLEM
    assert {"field": "branch_id", "message": "Enter a whole number."} in wrong.json()["errors"]
    unknown = _post(client, "/api/v1/departments",
                    {"name": "x", "branch_id": 1, "kind": "sales", "is_superuser": True}, admin)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "is_superuser"
    assert Department.objects.count() == before


def test_errors_follow_the_request_language(demo_org):
    client = Client()
    admin = _token(client, "zhaolei")
    response = _post(client, "/api/v1/departments", {"branch_id": 1, "kind": "sales"}, admin,
                     HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "这个字段是必填项。"}]


def test_oversized_body_is_413(demo_org, settings):
    client = Client()
    admin = _token(client, "zhaolei")
    big = json.dumps({"title": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = client.post("/api/v1/notes", big, content_type="application/json", headers=admin)
    assert response.status_code == 413 and response["Content-Type"] == PROBLEM
    assert not Note.objects.filter(owner=demo_org["zhaolei"]).exists()


def test_mass_assignment_of_owner_is_refused(demo_org):
    """SECURITY: owner and branch are set by the server, never by a body."""
    client = Client()
    sales = _token(client, "liuyang")
    response = _post(client, "/api/v1/notes", {"title": "t", "owner_id": demo_org["zhuwei"].pk}, sales)
    assert response.status_code == 422
    note = _post(client, "/api/v1/notes", {"title": "t"}, sales).json()
    patch = client.patch(f"/api/v1/notes/{note['id']}", json.dumps({"branch_id": 1}),
                         content_type="application/json", headers=sales)
    assert patch.status_code == 422
    assert Note.objects.get(pk=note["id"]).owner == demo_org["liuyang"]


def test_permission_denied_is_403_and_writes_nothing(demo_org):
    client = Client()
    sales = _token(client, "liuyang")
    before = Branch.objects.count()
    response = _post(client, "/api/v1/branches", {"name": "乱建", "code": "zz"}, sales)
    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert Branch.objects.count() == before


def test_etag_and_if_match(demo_org):
    """API: a stale If-Match answers 412 and changes nothing."""
    client = Client()
    sales = _token(client, "liuyang")
    note = _post(client, "/api/v1/notes", {"title": "第一版"}, sales).json()
    first = client.get(f"/api/v1/notes/{note['id']}", headers=sales)
    etag = first["ETag"]
    ok = client.patch(f"/api/v1/notes/{note['id']}", json.dumps({"title": "第二版"}),
                      content_type="application/json", headers={**sales, "If-Match": etag})
    assert ok.status_code == 200 and ok["ETag"] != etag
    stale = client.patch(f"/api/v1/notes/{note['id']}", json.dumps({"title": "覆盖"}),
                         content_type="application/json", headers={**sales, "If-Match": etag})
    assert stale.status_code == 412 and stale["Content-Type"] == PROBLEM
    assert Note.objects.get(pk=note["id"]).title == "第二版"


def test_idempotency_key_replays_and_never_applies_twice(demo_org):
    client = Client()
    sales = _token(client, "liuyang")
    headers = {**sales, "Idempotency-Key": "abc-123"}
    first = _post(client, "/api/v1/notes", {"title": "只要一条"}, headers)
    second = _post(client, "/api/v1/notes", {"title": "只要一条"}, headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert Note.objects.filter(title="只要一条").count() == 1
    other = _post(client, "/api/v1/notes", {"title": "另一条"}, headers)
    assert other.status_code == 422 and other["Content-Type"] == PROBLEM
    assert Note.objects.filter(title="另一条").count() == 0


def test_cursor_pagination_shape(demo_org):
    client = Client()
    boss = _token(client, "chenzhiqiang")
    first = client.get("/api/v1/users", {"limit": 10}, headers=boss).json()
    assert len(first["items"]) == 10 and first["next_cursor"]
    seen = [u["id"] for u in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get("/api/v1/users", {"limit": 10, "cursor": cursor}, headers=boss).json()
        seen += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == User.objects.count()
    assert client.get("/api/v1/users", {"limit": 500}, headers=boss).status_code == 422
    assert client.get("/api/v1/users", {"ordering": "password"}, headers=boss).status_code == 422
    assert client.get("/api/v1/users", {"cursor": "bad"}, headers=boss).status_code == 400  # malformed


def test_bad_login_and_lockout_on_the_token_endpoint(demo_org, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/api/v1/auth/token", {"username": "zhuwei", "password": "nope"},
                               content_type="application/json")
        assert response.status_code in (401, 429) and response["Content-Type"] == PROBLEM
    locked = client.post("/api/v1/auth/token", {"username": "zhuwei", "password": DEMO_PASSWORD},
                         content_type="application/json")
    assert locked.status_code == 429 and locked["Content-Type"] == PROBLEM and "Retry-After" in locked


def test_rate_limit_answers_429_with_retry_after(demo_org):
    client = Client()
    statuses = [client.post("/api/v1/auth/token", {"username": "x", "password": "y"},
                            content_type="application/json", REMOTE_ADDR="10.9.9.9").status_code
                for _ in range(25)]
    assert 429 in statuses
    limited = client.post("/api/v1/auth/token", {"username": "x", "password": "y"},
                          content_type="application/json", REMOTE_ADDR="10.9.9.9")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


def test_unknown_api_path_is_problem_json(db):
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM


def test_openapi_and_docs_are_served_without_internet(db):
    client = Client()
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    for path in ("/api/v1/auth/token", "/api/v1/branches", "/api/v1/departments", "/api/v1/users",
                 "/api/v1/roles", "/api/v1/notes"):
        assert path in paths
    # No object may hold the same key twice (e.g. 200 and "200" in responses): Swagger UI
    # refuses the whole document ("duplicated mapping key").
    duplicates = []

    def no_twice(pairs):
        keys = [key for key, _value in pairs]
        duplicates.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(spec.content, object_pairs_hook=no_twice)
    assert duplicates == []
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_every_endpoint_needs_a_token(db, method):
    response = getattr(Client(), method)("/api/v1/notes/1")
    assert response.status_code in (401, 405)


def test_a_forged_forwarded_for_does_not_reset_the_rate_limit(demo_org):
    """SECURITY: without trusted proxies, X-Forwarded-For is ignored by the limits."""
    client = Client()
    statuses = [client.post("/api/v1/auth/token", {"username": "x", "password": "y"},
                            content_type="application/json", REMOTE_ADDR="10.9.9.8",
                            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(40)]
    assert 429 in statuses


def test_the_token_endpoint_rate_follows_its_setting(demo_org, settings):
    """SYS-6: the sign-in endpoint's limit is GUANXI_API_TOKEN_RATE, read at each request (not a fixed 20/min)."""
    client = Client()

    def attempts(address, count, password):
        return [client.post("/api/v1/auth/token", {"username": "zhuwei", "password": password},
                            content_type="application/json", REMOTE_ADDR=address).status_code for _ in range(count)]

    settings.GUANXI_API_TOKEN_RATE = "3/min"
    assert attempts("10.9.8.1", 4, "nope") == [401, 401, 401, 429]
    settings.GUANXI_API_TOKEN_RATE = "40/min"  # more than the old fixed 20 a minute
    assert attempts("10.9.8.2", 25, DEMO_PASSWORD) == [200] * 25


def test_user_patch_honours_if_match_moves_and_deactivates(demo_org):
    """ORG-1, SYS-6: PATCH /users/{id} refuses a stale If-Match (412, nothing changed); a new
    department_id moves the employee, is_active=false deactivates them, the answer has a fresh ETag."""
    client = Client()
    admin = _token(client, "zhaolei")
    seller = demo_org["liuyang"]
    other = Department.objects.exclude(pk=seller.department_id).filter(branch=seller.branch).first() \
        or Department.objects.exclude(pk=seller.department_id).first()
    got = client.get(f"/api/v1/users/{seller.pk}", headers=admin)
    etag = got["ETag"]

    def patch(body, **headers):
        return client.patch(f"/api/v1/users/{seller.pk}", json.dumps(body), content_type="application/json",
                            headers={**admin, **headers})

    stale = patch({"display_name": "改名"}, **{"If-Match": '"stale"'})
    assert stale.status_code == 412 and stale["Content-Type"] == PROBLEM
    assert User.objects.get(pk=seller.pk).display_name == seller.display_name
    moved = patch({"department_id": other.pk, "is_active": False}, **{"If-Match": etag})
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert body["department_id"] == other.pk and body["is_active"] is False
    assert moved["ETag"] and moved["ETag"] != etag
    assert client.get(f"/api/v1/users/{seller.pk}", headers=admin)["ETag"] == moved["ETag"]
    assert patch({"department_id": 10 ** 9}).json()["errors"][0]["field"] == "department_id"


def test_department_list_filters_searches_and_sorts(demo_org):
    """ORG-1, SYS-6: GET /departments by branch and kind, searched by name, in an allowed order."""
    client = Client()
    admin = _token(client, "zhaolei")
    branch = demo_org["liuyang"].branch

    def ids(**params):
        return [d["id"] for d in client.get("/api/v1/departments", params, headers=admin).json()["items"]]

    in_branch = list(Department.objects.filter(branch=branch).order_by("id").values_list("id", flat=True))
    assert ids(branch_id=branch.pk, limit=200) == in_branch
    sales = list(Department.objects.filter(branch=branch, kind="sales").order_by("-name", "-id")
                 .values_list("id", flat=True))
    assert ids(branch_id=branch.pk, kind="sales", ordering="-name", limit=200) == sales
    named = Department.objects.filter(branch=branch).first()
    assert named.pk in ids(q=named.name[:2], limit=200)
    assert client.get("/api/v1/departments", {"ordering": "kind"}, headers=admin).status_code == 422
