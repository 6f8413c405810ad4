"""SYS-5 / issue 14.7: the public API fuzzed from its own OpenAPI document, per role.

Schemathesis generates requests for every operation of ``/api/v1/openapi.json`` (valid and
invalid paths, queries and bodies); each is sent through Django's test client with a bearer
token of a salesperson, a branch manager, the general manager and the administrator.
Whatever arrives, the API must answer with a status below 500 (a clear 4xx problem for bad
input, never a crash). Run by ``.ci/run`` as its own step (``-m fuzz``); the number of
examples per operation follows ``GUANXI_FUZZ_EXAMPLES`` (default 4, derandomized so a
failure replays).
"""

import json
import os
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings

from guanxi.accounts.services import token_issue
from guanxi.api.main import api

pytestmark = pytest.mark.fuzz

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
EXAMPLES = int(os.environ.get("GUANXI_FUZZ_EXAMPLES", "4"))
ROLES = {"salesperson": "liuyang", "branch_manager": "majun", "general_manager": "linhui",
         "administrator": "zhaolei"}


def _send(client, case, headers):
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    url = urlsplit(kwargs["url"])
    params = kwargs.get("params") or {}
    query = urlencode(params, doseq=True) if isinstance(params, dict) else str(params)
    extra = {"QUERY_STRING": query}
    body, content_type = b"", "application/json"
    if kwargs.get("json") is not None:
        body = json.dumps(kwargs["json"])
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body = data if isinstance(data, (bytes, str)) else urlencode(data, doseq=True)
        content_type = (kwargs.get("headers") or {}).get("Content-Type", "application/x-www-form-urlencoded")
    request_headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "content-type"}
    return client.generic(kwargs["method"], url.path, data=body, content_type=content_type,
                          headers=request_headers, **extra)


@pytest.fixture
def tokens(demo_org):
    """A bearer token per role, issued once per operation."""
    return {role: token_issue(actor=demo_org[username], name="fuzz")[1] for role, username in ROLES.items()}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_api_fail(case, tokens):
    """SYS-5: no generated request answers 5xx, whichever role sends it."""
    client = Client(raise_request_exception=False)
    for role, raw in tokens.items():
        response = _send(client, case, {"Authorization": f"Bearer {raw}"})
        assert response.status_code < 500, (
            f"{role}: {case.method} {case.formatted_path} answered {response.status_code}\n"
            f"{case.as_curl_command()}\n{response.content[:2000]!r}")
