"""ORG-3 for work plans, directives and news: every demo user × every record on the
list, search, export, global search, the API and the detail, against brute force."""

import pytest
from django.utils import timezone

from guanxi.org.models import User
from guanxi.testing.scope_matrix import ScopeCase, assert_scope_matrix
from guanxi.workplace.models import Directive, DirectiveReceipt, NewsItem, WorkPlanItem

pytestmark = pytest.mark.django_db


def _people():
    return list(User.objects.prefetch_related("roles").select_related("department__parent", "manager")
                .order_by("pk"))


def _writers():
    return [u for u in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk")
            if u.has_module_perm("workplace.create")]


@pytest.fixture
def matrix_plans(demo_org):
    for user in _writers():
        WorkPlanItem.objects.create(owner=user, branch=user.branch, day=timezone.localdate(),
                                    title=f"矩阵 {user.username}")


PLANS = ScopeCase(
    label="work plans", permission="workplace.view",
    records=lambda: WorkPlanItem.objects.select_related("owner__department__parent", "owner__manager"),
    owner_of=lambda i: i.owner, branch_of=lambda i: i.branch_id, title_of=lambda i: i.title,
    list_url="/work/plans/", detail_url=lambda i: f"/work/plans/{i.pk}/",
    detail_pattern=r'href="/work/plans/(\d+)/"', search_term="矩阵",
    api_list="/api/v1/work-plans", api_detail=lambda i: f"/api/v1/work-plans/{i.pk}",
    export_url="/work/plans/?export=csv", export_permission="workplace.export", global_search=False,
)


def test_scope_matrix_for_work_plans(matrix_plans):
    """ORG-3 + WRK-1: a plan is seen by its owner and whoever has the owner in scope."""
    assert assert_scope_matrix(PLANS, _people()) >= 25


@pytest.fixture
def matrix_directives(demo_org):
    """One directive per employee as its issuer, each addressed to two other people, so
    both the issuer's scope and the audience are exercised."""
    people = list(User.objects.filter(is_active=True, branch__isnull=False).order_by("pk"))
    for index, issuer in enumerate(people):
        directive = Directive.objects.create(issuer=issuer, branch=issuer.branch, title=f"矩阵 {issuer.username}",
                                             body="<p>矩阵</p>")
        for offset in (3, 11):
            DirectiveReceipt.objects.create(directive=directive, user=people[(index + offset) % len(people)])


def _recipient(user, directive):
    return directive.receipts.filter(user=user).exists()


DIRECTIVES = ScopeCase(
    label="directives", permission="workplace.view",
    records=lambda: Directive.objects.select_related("issuer__department__parent", "issuer__manager"),
    owner_of=lambda d: d.issuer, branch_of=lambda d: d.branch_id, title_of=lambda d: d.title,
    list_url="/work/directives/", detail_url=lambda d: f"/work/directives/{d.pk}/",
    detail_pattern=r'href="/work/directives/(\d+)/"', search_term="矩阵",
    api_list="/api/v1/directives", api_detail=lambda d: f"/api/v1/directives/{d.pk}",
    export_url="/work/directives/?export=csv", export_permission="workplace.export",
    extra_visible=_recipient,
)


def test_scope_matrix_for_directives(matrix_directives):
    """ORG-3 + WRK-2: a directive is seen by its audience and within its issuer's scope."""
    assert assert_scope_matrix(DIRECTIVES, _people()) >= 25


@pytest.fixture
def matrix_news(demo_org):
    """Per writer one item for the company and one for the branch."""
    for user in _writers():
        for visibility in ("company", "branch"):
            NewsItem.objects.create(owner=user, branch=user.branch, title=f"矩阵 {user.username} {visibility}",
                                    visibility=visibility)


def _news_visible(user, item):
    return item.visibility == "company" or (item.visibility == "branch" and item.branch_id == user.branch_id)


NEWS = ScopeCase(
    label="news", permission="workplace.view",
    records=lambda: NewsItem.objects.select_related("owner__department__parent", "owner__manager"),
    owner_of=lambda n: n.owner, branch_of=lambda n: n.branch_id, title_of=lambda n: n.title,
    list_url="/work/news/", detail_url=lambda n: f"/work/news/{n.pk}/",
    detail_pattern=r'href="/work/news/(\d+)/"', search_term="矩阵",
    api_list="/api/v1/news", api_detail=lambda n: f"/api/v1/news/{n.pk}",
    export_url="/work/news/?export=csv", export_permission="workplace.export",
    extra_visible=_news_visible,
)


def test_scope_matrix_for_news(matrix_news):
    """ORG-3 + WRK-3: company news for everyone, branch news for the branch and the scope."""
    assert assert_scope_matrix(NEWS, _people()) >= 25
