"""The scope matrix (ORG-3): every demo user × every record of a business model.

The expected set comes from a brute-force reading of the rules that walks up the
reporting line and the department tree (the helper walks down, with paths and
queries), so the two implementations check each other. A module adds its model by
writing a ``ScopeCase`` and calling ``assert_scope_matrix``.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from django.test import Client

from guanxi.accounts.services import token_issue
from guanxi.org.models import TIER_DEFAULT_SCOPE, DataScope, User


def expected_scopes(user):
    if not user.is_active:
        return set()
    if user.is_superuser:
        return {DataScope.ALL}
    scopes = {DataScope(role.data_scope) for role in user.roles.all()}
    return scopes or {TIER_DEFAULT_SCOPE[user.tier]}


def _reports_to(owner, boss):
    seen = set()
    person = owner
    while person is not None and person.pk not in seen:
        if person.pk == boss.pk:
            return True
        seen.add(person.pk)
        person = person.manager
    return False


def _department_within(department, root):
    while department is not None:
        if department.pk == root.pk:
            return True
        department = department.parent
    return False


def brute_force_visible(user, owner, branch_id):
    """Return whether ``user`` may see a record owned by ``owner`` in ``branch_id``."""
    for scope in expected_scopes(user):
        if scope == DataScope.ALL:
            return True
        if owner is not None and owner.pk == user.pk:
            return True
        if scope == DataScope.SUBORDINATES and owner is not None and _reports_to(owner, user):
            return True
        if scope == DataScope.DEPARTMENT and owner is not None and user.department_id and \
                owner.department_id == user.department_id:
            return True
        if scope == DataScope.DEPARTMENT_TREE and owner is not None and user.department and \
                _department_within(owner.department, user.department):
            return True
        if scope == DataScope.BRANCH and user.branch_id and branch_id == user.branch_id:
            return True
    return False


@dataclass
class ScopeCase:
    """How to reach one business model through every surface."""

    label: str
    permission: str
    records: Callable  # () -> list of records
    owner_of: Callable  # record -> owner (User or None)
    branch_of: Callable  # record -> branch id
    title_of: Callable  # record -> unique text shown in lists and exports
    list_url: str
    detail_url: Callable  # record -> url
    detail_pattern: str  # regex with one group: the id in a link to a detail page
    search_term: str  # matches every record of the case
    api_list: str
    api_detail: Callable  # record -> url
    export_url: str | None = None
    export_permission: str | None = None
    global_search: bool = True
    # Records a user sees for a model-specific reason (shared with them, a public pool),
    # decided independently of the model's scope_extra: (user, record) -> bool.
    extra_visible: Callable | None = None
    # Further per-user checks a module adds (e.g. the duplicate check): (user, records, expected ids).
    more_checks: Callable | None = None


def owned_case(label, model, *, module, list_url, api, title_of, search_term, owner="owner",
               detail_url=None, related=(), export=True, **options):
    """The ``ScopeCase`` of the usual shape: ``model``'s records, each owned by ``owner`` (a
    dotted path: "owner", "issuer", "customer.owner") in the branch of the record that holds
    that field; permission ``<module>.view``; the list page at ``list_url`` (its CSV at
    ``?export=csv`` under ``<module>.export`` when ``export``), a record's page at
    ``<detail_url><pk>/`` (``detail_url`` defaults to ``list_url``), the API at
    ``/api/v1/<api>``. ``related`` adds to select_related; ``options`` go to ``ScopeCase``."""
    holder, _dot, field = owner.rpartition(".")
    joined = owner.replace(".", "__")
    detail_url = detail_url or list_url
    branch = f"{holder}.branch_id" if holder else "branch_id"
    return ScopeCase(
        label=label, permission=f"{module}.view",
        records=lambda: model.objects.select_related(f"{joined}__department__parent", f"{joined}__manager",
                                                     *related),
        owner_of=attrgetter(owner), branch_of=attrgetter(branch), title_of=title_of,
        list_url=list_url, detail_url=lambda record: f"{detail_url}{record.pk}/",
        detail_pattern=rf'href="{re.escape(detail_url)}(\d+)/"', search_term=search_term,
        api_list=f"/api/v1/{api}", api_detail=lambda record: f"/api/v1/{api}/{record.pk}",
        export_url=f"{list_url}?export=csv" if export else None,
        export_permission=f"{module}.export" if export else None,
        **options,
    )


def matrix_users():
    """Every user, with what the brute-force reading walks (roles, department tree, manager)."""
    return list(User.objects.prefetch_related("roles").select_related("department__parent", "manager")
                .order_by("pk"))


def _follow_html_pages(client, url, pattern):
    ids, seen_urls = set(), set()
    while url and url not in seen_urls:
        seen_urls.add(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode()
        ids |= {int(i) for i in re.findall(pattern, html)}
        match = re.search(r'rel="next" href="([^"]+)"', html)
        url = (url.split("?")[0] + match.group(1).replace("&amp;", "&")) if match else None
    return ids


def _follow_api_pages(client, url, headers, params=None):
    ids, cursor = set(), None
    while True:
        query = {"limit": 200, **(params or {}), **({"cursor": cursor} if cursor else {})}
        response = client.get(url, query, headers=headers)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        body = response.json()
        ids |= {item["id"] for item in body["items"]}
        cursor = body["next_cursor"]
        if not cursor:
            return ids


def _relation(case, user, record, expected):
    """How ``record`` stands to ``user`` in every respect the scope rules look at."""
    owner = case.owner_of(record)
    return (
        record.pk in expected,
        owner is not None and owner.pk == user.pk,
        owner is not None and _reports_to(owner, user),
        owner is not None and owner.department_id is not None and owner.department_id == user.department_id,
        owner is not None and user.department is not None and _department_within(owner.department, user.department),
        case.branch_of(record) == user.branch_id,
        case.extra_visible is not None and bool(case.extra_visible(user, record)),
    )


def _detail_sample(case, user, records, expected):
    """The records whose detail pages ``user`` opens: two of every relation to the user
    (visible or not, own, a subordinate's, same department, within the department tree,
    same branch, visible for a model-specific reason). Lists, searches, exports and the
    API lists still compare every record; the details check that each kind of record a
    rule admits opens and each kind it refuses answers 404, on both the page and the API,
    without opening all of them for every user (the matrix's cost was users × records
    requests)."""
    taken = {}
    for record in records:
        bucket = taken.setdefault(_relation(case, user, record, expected), [])
        if len(bucket) < 2:
            bucket.append(record)
    return [record for bucket in taken.values() for record in bucket]


def assert_scope_matrix(case, users):
    """Check list, detail, search, export and API for every user against brute force:
    lists, searches, exports and API lists for every record, details for a sample that
    holds two records of every relation (see ``_detail_sample``)."""
    records = list(case.records())
    assert records, "the matrix needs records"
    by_title = {case.title_of(r): r.pk for r in records}
    failures = []
    checked = 0
    for user in users:
        expected = {r.pk for r in records if brute_force_visible(user, case.owner_of(r), case.branch_of(r))
                    or (user.is_active and case.extra_visible is not None and case.extra_visible(user, r))}
        client = Client()
        client.force_login(user)
        _token, raw = token_issue(actor=user, name="matrix")
        api = {"Authorization": f"Bearer {raw}"}
        if not user.is_active:
            # A leaver's session and tokens are dead: nothing but the way to the login page.
            assert client.get(case.list_url).status_code == 302, user
            assert client.get(case.api_list, headers=api).status_code == 401, user
            assert all(client.get(case.api_detail(r), headers=api).status_code == 401 for r in records[:3]), user
            continue
        if not user.has_module_perm(case.permission):
            assert client.get(case.list_url).status_code == 403, user
            assert client.get(case.api_list, headers=api).status_code == 403, user
            continue
        checked += 1
        surfaces = {
            "list": _follow_html_pages(client, case.list_url, case.detail_pattern),
            "search": _follow_html_pages(client, f"{case.list_url}?q={case.search_term}", case.detail_pattern),
            "api list": _follow_api_pages(client, case.api_list, api),
            "api search": _follow_api_pages(client, case.api_list, api, {"q": case.search_term}),
        }
        if case.export_url and user.has_module_perm(case.export_permission):
            response = client.get(case.export_url)
            assert response.status_code == 200
            text = b"".join(response.streaming_content).decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(text)))[1:]
            surfaces["export"] = {by_title[row[0]] for row in rows if row and row[0] in by_title}
        for surface, seen in surfaces.items():
            if seen != expected:
                failures.append((user.username, surface, sorted(seen - expected), sorted(expected - seen)))
        if case.global_search:
            response = client.get("/search/", {"q": case.search_term})
            hits = {int(i) for i in re.findall(case.detail_pattern, response.content.decode())}
            if not hits <= expected or (expected and not hits):
                failures.append((user.username, "global search", sorted(hits - expected), []))
        if case.more_checks is not None:
            failures.extend(case.more_checks(user, records, expected))
        for record in _detail_sample(case, user, records, expected):
            want = 200 if record.pk in expected else 404
            html_status = client.get(case.detail_url(record)).status_code
            api_status = client.get(case.api_detail(record), headers=api).status_code
            if html_status != want or api_status != want:
                failures.append((user.username, f"detail {record.pk}", html_status, api_status, want))
    assert not failures, failures[:20]
    return checked
