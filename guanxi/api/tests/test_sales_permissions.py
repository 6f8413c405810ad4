"""SECURITY (missing function-level checks): every sales endpoint declares its permission
first, and a user without the sales module is refused everywhere."""

import inspect
import json
import re

from django.test import Client

from guanxi.accounts.services import token_issue
from guanxi.api.routers.sales import router
from guanxi.core.permissions import all_codes

from .test_finance_api import _operations, declared_code


def test_every_sales_endpoint_checks_a_known_permission_before_anything_else(db):
    """ORG-4, SYS-6: the first statement of each endpoint is ``require_perm(request, "sales.…")``."""
    problems = []
    for method, path, operation in _operations(router):
        code = declared_code(operation.view_func)
        if code not in all_codes() or not code.startswith("sales."):
            problems.append((method, path))
    assert not problems, problems
    assert len(list(_operations(router))) >= 35


def test_a_user_without_the_sales_module_is_refused_everywhere(demo_org):
    """ORG-4, SYS-6, SECURITY: an administrator without sales roles gets 403 on every sales endpoint
    (422 only for a body it could not send anyway), never a record."""
    admin = demo_org["zhaolei"]
    assert not admin.has_module_perm("sales.view")
    _token, raw = token_issue(actor=admin, name="walk")
    headers = {"Authorization": f"Bearer {raw}"}
    client = Client()
    wrong = []
    for method, path, operation in _operations(router):
        url = "/api/v1/" + re.sub(r"\{\w+\}", "1", path).lstrip("/")
        if method in ("GET", "DELETE"):
            response = getattr(client, method.lower())(url, headers=headers)
        else:
            response = getattr(client, method.lower())(url, json.dumps({}), content_type="application/json",
                                                        headers=headers)
        takes_body = "payload" in inspect.signature(operation.view_func).parameters
        allowed = {403, 422} if takes_body else {403}
        if response.status_code not in allowed or response["Content-Type"] != "application/problem+json":
            wrong.append((method, url, response.status_code))
    assert not wrong, wrong
