"""ORG-3 for targets (SAL-8) and commission statements (SAL-9): every demo user × every
record, on the page, the API list and the detail, against a brute-force reading."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from guanxi.accounts.services import token_issue
from guanxi.finance import commissions
from guanxi.org.models import Branch, DataScope, Department, User
from guanxi.sales.models import CommissionStatement, Target, TargetLevel
from guanxi.sales.targets import targets_set_year
from guanxi.testing.scope_matrix import _department_within, brute_force_visible, expected_scopes

YEAR = timezone.localdate().year


def _department_target_visible(user, department):
    for scope in expected_scopes(user):
        if scope == DataScope.ALL:
            return True
        if scope == DataScope.BRANCH and department.branch_id == user.branch_id:
            return True
        if scope == DataScope.DEPARTMENT_TREE and user.department and _department_within(department, user.department):
            return True
        if scope == DataScope.DEPARTMENT and department.pk == user.department_id:
            return True
    return False


def _target_visible(user, target):
    if target.level == TargetLevel.PERSON:
        return brute_force_visible(user, target.user, target.branch_id)
    if target.level == TargetLevel.BRANCH:
        return brute_force_visible(user, None, target.branch_id)
    return _department_target_visible(user, target.department) or brute_force_visible(user, None, target.branch_id)


@pytest.fixture
def all_targets(demo_org):
    chairman = demo_org["chenzhiqiang"]
    for branch in Branch.objects.all():
        targets_set_year(actor=chairman, level=TargetLevel.BRANCH, subject=branch, year=YEAR, amount="1")
    for department in Department.objects.all():
        targets_set_year(actor=chairman, level=TargetLevel.DEPARTMENT, subject=department, year=YEAR, amount="1")
    for user in User.objects.filter(branch__isnull=False):
        targets_set_year(actor=chairman, level=TargetLevel.PERSON, subject=user, year=YEAR, amount="1")
    return list(Target.objects.select_related("user__department__parent", "user__manager", "department__parent"))


def test_scope_matrix_for_targets(all_targets):
    """ORG-3: targets on the page, the API and the detail page, for every user."""
    failures, checked = [], 0
    for user in User.objects.prefetch_related("roles").select_related("department__parent", "manager"):
        if not user.is_active or not user.has_module_perm("sales.view"):
            continue
        checked += 1
        expected = {t.pk for t in all_targets if _target_visible(user, t)}
        client = Client()
        client.force_login(user)
        page = client.get(f"/sales/targets/?year={YEAR}").content.decode()
        on_page = {int(i) for i in re.findall(r'href="/sales/targets/(\d+)/"', page)}
        _token, raw = token_issue(actor=user, name="matrix")
        api, cursor = set(), None
        while True:
            body = client.get("/api/v1/targets", {"year": YEAR, "month": 0, "limit": 200,
                                                  **({"cursor": cursor} if cursor else {})},
                              headers={"Authorization": f"Bearer {raw}"}).json()
            api |= {item["id"] for item in body["items"]}
            cursor = body["next_cursor"]
            if not cursor:
                break
        for surface, seen in (("page", on_page), ("api", api)):
            if seen != expected:
                failures.append((user.username, surface, sorted(seen - expected), sorted(expected - seen)))
        for target in all_targets[::7]:
            status = client.get(f"/sales/targets/{target.pk}/").status_code
            if status != (200 if target.pk in expected else 404):
                failures.append((user.username, "detail", target.pk, status))
    assert not failures, failures[:20]
    assert checked >= 20


def test_scope_matrix_for_commission_statements(demo_org):
    """ORG-3 + SAL-9: one's own statement, or those in scope with the pay permission; nothing else."""
    commissions.statements_generate(actor=demo_org["chenzhiqiang"], month=timezone.localdate())
    statements = list(CommissionStatement.objects.select_related("user__department__parent", "user__manager"))
    assert len(statements) >= 20
    failures = []
    for user in User.objects.prefetch_related("roles").select_related("department__parent", "manager"):
        if not user.is_active or not user.has_module_perm("sales.view"):
            continue
        manages = user.has_module_perm("sales.commissions")
        expected = {s.pk for s in statements if s.user_id == user.pk
                    or (manages and brute_force_visible(user, s.user, s.branch_id))}
        client = Client()
        client.force_login(user)
        _token, raw = token_issue(actor=user, name="matrix")
        body = client.get("/api/v1/commission-statements", {"limit": 200},
                          headers={"Authorization": f"Bearer {raw}"}).json()
        seen = {item["id"] for item in body["items"]}
        if seen != expected:
            failures.append((user.username, "api", sorted(seen - expected), sorted(expected - seen)))
        for statement in statements[::3]:
            status = client.get(f"/finance/pay/statements/{statement.pk}/").status_code
            if status != (200 if statement.pk in expected else 404):
                failures.append((user.username, "detail", statement.pk, status))
    assert not failures, failures[:20]
