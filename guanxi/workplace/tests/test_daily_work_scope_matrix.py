"""ORG-3 for work plans, directives and news: every demo user × every record on the
list, search, export, global search, the API and the detail, against brute force."""

import pytest
from django.utils import timezone

from guanxi.org.models import User
from guanxi.testing.scope_matrix import assert_scope_matrix, matrix_users, owned_case
from guanxi.workplace.models import Directive, DirectiveReceipt, NewsItem, WorkPlanItem

pytestmark = pytest.mark.django_db


def _writers():
    return [u for u in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk")
            if u.has_module_perm("workplace.create")]


@pytest.fixture
def matrix_plans(demo_org):
    for user in _writers():
        WorkPlanItem.objects.create(owner=user, branch=user.branch, day=timezone.localdate(),
                                    title=f"矩阵 {user.username}")


PLANS = owned_case("work plans", WorkPlanItem, module="workplace", list_url="/work/plans/", api="work-plans",
                   title_of=lambda i: i.title, search_term="矩阵", global_search=False)


def test_scope_matrix_for_work_plans(matrix_plans):
    """ORG-3 + WRK-1: a plan is seen by its owner and whoever has the owner in scope."""
    assert assert_scope_matrix(PLANS, matrix_users()) >= 25


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


DIRECTIVES = owned_case("directives", Directive, module="workplace", list_url="/work/directives/", api="directives",
                        owner="issuer", title_of=lambda d: d.title, search_term="矩阵", extra_visible=_recipient)


def test_scope_matrix_for_directives(matrix_directives):
    """ORG-3 + WRK-2: a directive is seen by its audience and within its issuer's scope."""
    assert assert_scope_matrix(DIRECTIVES, matrix_users()) >= 25


@pytest.fixture
def matrix_news(demo_org):
    """Per writer one item for the company and one for the branch."""
    for user in _writers():
        for visibility in ("company", "branch"):
            NewsItem.objects.create(owner=user, branch=user.branch, title=f"矩阵 {user.username} {visibility}",
                                    visibility=visibility)


def _news_visible(user, item):
    return item.visibility == "company" or (item.visibility == "branch" and item.branch_id == user.branch_id)


NEWS = owned_case("news", NewsItem, module="workplace", list_url="/work/news/", api="news",
                  title_of=lambda n: n.title, search_term="矩阵", extra_visible=_news_visible)


def test_scope_matrix_for_news(matrix_news):
    """ORG-3 + WRK-3: company news for everyone, branch news for the branch and the scope."""
    assert assert_scope_matrix(NEWS, matrix_users()) >= 25
