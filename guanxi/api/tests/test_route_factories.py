"""Issue 16 / SECURITY (missing function-level checks): endpoints made by the factories of
``guanxi.api.routes`` check their permission first, like hand-written ones: a caller without
it gets 403 on every one, a caller with it gets the scoped page; names and documents stay."""

import re

from django.test import Client

from guanxi.accounts.services import token_issue
from guanxi.api.common import path_operations
from guanxi.api.main import api
from guanxi.core.permissions import all_codes
from guanxi.testing.factories import UserFactory

from .test_finance_api import declared_code


def _factory_made():
    for prefix, router in api._routers:
        for path, path_view in path_operations(router):
            for operation in path_view.operations:
                if operation.view_func.__module__ == "guanxi.api.routes":
                    url = "/api/v1" + ("/" + prefix.strip("/") if prefix.strip("/") else "") + path
                    for method in operation.methods:
                        yield method, url.replace("//", "/").rstrip("/"), operation.view_func


def _headers(user):
    _token, raw = token_issue(actor=user, name="walk")
    return {"Authorization": f"Bearer {raw}"}


def test_factory_made_endpoints_declare_a_known_permission_first(client):
    """ORG-4, SYS-6: each one checks ``require_perm(request, perm)`` first, with a known code;
    its function's name is its operationId in the OpenAPI document."""
    made = list(_factory_made())
    assert len(made) >= 2
    documented = {operation["operationId"] for path in client.get("/api/v1/openapi.json").json()["paths"].values()
                  for operation in path.values()}
    assert {method for method, _url, _view in made} == {"GET", "PATCH", "DELETE"}
    for _method, url, view in made:
        assert declared_code(view) in all_codes(), url
        assert view.__name__.endswith(("_list", "_get", "_update", "_delete")) and view.__name__ in documented, url


def test_a_caller_without_the_permission_is_refused_by_every_factory_made_endpoint(demo_org):
    """SECURITY: a signed-in employee without any role gets 403 (problem+json) on every one (reads,
    changes, deletions), never a record and no change; the chairman gets the list (200) of each."""
    nobody = UserFactory(department=demo_org["liuyang"].department)
    client, refused, chairman = Client(), [], _headers(demo_org["chenzhiqiang"])
    headers = _headers(nobody)
    for method, url, view in _factory_made():
        concrete = re.sub(r"\{\w+\}", "1", url)
        if method == "PATCH":
            response = client.patch(concrete, "{}", content_type="application/json", headers=headers)
        else:
            response = getattr(client, method.lower())(concrete, headers=headers)
        if response.status_code != 403 or response["Content-Type"] != "application/problem+json":
            refused.append((method, concrete, response.status_code))
        if method == "GET" and view.__name__.endswith("_list"):
            assert client.get(url, headers=chairman).status_code == 200, url
    assert not refused, refused
