"""Issue 11.9: malformed input is a clear 400, never a 500 — on every HTML list, the global
search and the API lists (a NUL byte in ``q=``: PostgreSQL refuses NUL in strings; a
tampered ``cursor=``)."""

import json

import pytest
from django.test import Client
from django.urls import get_resolver

from guanxi.accounts.services import token_issue
from guanxi.api.main import api
from guanxi.customers.models import Customer
from guanxi.workplace.models import Note

from .test_url_permissions import _walk

NUL = "abc\x00def"


def _list_routes():
    return sorted("/" + route for route, callback in _walk(get_resolver().url_patterns)
                  if getattr(callback, "view_initkwargs", {}).get("spec") is not None)


def _plain_get_routes():
    """Every HTML route without path parameters (the API is covered below)."""
    return sorted({"/" + route for route, _callback in _walk(get_resolver().url_patterns)
                   if "<" not in route and not route.startswith("api/")})


def _api_lists(parameter):
    """The API's GET endpoints without path parameters that take ``parameter``."""
    schema = api.get_openapi_schema()
    return sorted(path for path, operations in schema["paths"].items()
                  if "get" in operations and "{" not in path
                  and parameter in {p["name"] for p in operations["get"].get("parameters", [])})


@pytest.fixture
def boss_client(demo_org):
    client = Client(raise_request_exception=False)
    client.force_login(demo_org["chenzhiqiang"])
    return client


@pytest.fixture
def boss_api(demo_org):
    _token, raw = token_issue(actor=demo_org["chenzhiqiang"], name="fuzz")
    return Client(raise_request_exception=False), {"Authorization": f"Bearer {raw}"}


def test_the_crawl_finds_the_lists():
    assert len(_list_routes()) >= 25 and "/search/" in _plain_get_routes()
    assert len(_api_lists("q")) >= 15 and len(_api_lists("cursor")) >= 25


def test_a_nul_byte_in_q_is_a_400_on_every_html_page(boss_client):
    """Issue 11.9: ``q=`` with a NUL byte on every list, the global search and every other
    page answers 400 with a message, never 500 (PostgreSQL rejects NUL in strings)."""
    failures = {}
    for route in _plain_get_routes():
        response = boss_client.get(route, {"q": NUL})
        if response.status_code != 400:
            failures[route] = response.status_code
    assert not failures
    page = boss_client.get("/search/", {"q": NUL}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "not valid" in page


def test_a_nul_byte_in_q_is_a_400_problem_on_every_api_list(boss_api):
    """Issue 11.9, API.md: ``q=`` with NUL on the API lists is a problem+json 400."""
    client, headers = boss_api
    failures = {}
    for path in _api_lists("q"):
        response = client.get(path, {"q": NUL}, headers=headers)
        if response.status_code != 400 or response["Content-Type"] != "application/problem+json":
            failures[path] = response.status_code
    assert not failures
    body = json.loads(client.get("/api/v1/customers", {"q": NUL}, headers=headers).content)
    assert body["status"] == 400 and body["detail"]


@pytest.mark.parametrize("cursor", ["garbage", "eyJzIjoidGl0bGUifQ"])
def test_an_invalid_cursor_is_a_400_page_on_every_html_list(boss_client, cursor):
    """Issue 11.9: a tampered ``cursor=`` on an HTML list is a 400: the first page with a
    message saying so."""
    failures = {}
    for route in _list_routes():
        if boss_client.get(route).status_code == 403:  # administrators' lists: not the chairman's
            continue
        response = boss_client.get(route, {"cursor": cursor}, HTTP_ACCEPT_LANGUAGE="en")
        if response.status_code != 400 or "cursor" not in response.content.decode():
            failures[route] = response.status_code
    assert not failures
    notes = boss_client.get("/work/notes/", {"cursor": cursor}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="form-error"' in notes and "first page" in notes


def test_an_invalid_cursor_is_a_400_problem_on_every_api_list(boss_api):
    """Issue 11.9, API.md (400 malformed): a tampered ``cursor=`` is a problem+json 400."""
    client, headers = boss_api
    failures = {}
    for path in _api_lists("cursor"):
        response = client.get(path, {"cursor": "garbage"}, headers=headers)
        if response.status_code != 400 or response["Content-Type"] != "application/problem+json":
            failures[path] = response.status_code
    assert not failures


def test_a_nul_byte_in_a_json_body_is_a_400_problem(boss_api):
    """Issue 11.9: a NUL character in a JSON string (``\\u0000``) is malformed: 400
    problem+json, nothing saved (PostgreSQL cannot store it: it was a 500 there)."""

    client, headers = boss_api
    response = client.post("/api/v1/customers", json.dumps({"name": "华达\u0000电子", "kind": "company"}),
                           content_type="application/json", headers=headers)
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert not Customer.objects.filter(name__startswith="华达").exists()
    # An escaped backslash followed by "u0000" is text, not a NUL: accepted.
    text = client.post("/api/v1/customers", json.dumps({"name": "华达\\u0000电子", "kind": "company"}),
                       content_type="application/json", headers=headers)
    assert text.status_code == 201


def test_a_nul_byte_in_a_posted_form_is_a_400(demo_org):
    """Issue 11.9: a NUL character in a posted form field is a 400 page, nothing saved."""

    client = Client(raise_request_exception=False)
    client.force_login(demo_org["liuyang"])
    response = client.post("/work/notes/new/", {"title": "a\x00b", "body": "x", "category": "work"})
    assert response.status_code == 400
    assert not Note.objects.exists()
