import pytest

from guanxi.org.models import DataScope, Role
from guanxi.org.scopes import scoped, subordinate_ids, user_scopes
from guanxi.workplace.models import Note


def _note(user):
    return Note.objects.create(title=f"n-{user.username}", owner=user, branch=user.branch, created_by=user)


@pytest.fixture
def notes(demo_org):
    return {name: _note(user) for name, user in demo_org.items() if user.branch_id}


def _visible(user):
    return set(scoped(Note.objects.all(), user).values_list("owner__username", flat=True))


def test_own_scope(demo_org, notes):
    """ORG-3: staff see their own records."""
    assert _visible(demo_org["liuyang"]) == {"liuyang"}


def test_department_tree_scope(demo_org, notes):
    """ORG-3: a department manager sees their department and its sub-departments."""
    assert _visible(demo_org["wangjianguo"]) == {"wangjianguo", "zhangmin", "liyang", "liuyang", "huangli"}
    assert _visible(demo_org["zhangmin"]) == {"zhangmin", "liyang"}


def test_department_scope_excludes_sub_departments(demo_org, notes):
    assert _visible(demo_org["huangli"]) == {"wangjianguo", "liuyang", "huangli"}


def test_branch_scope(demo_org, notes):
    """ORG-3: a branch head sees their branch."""
    assert _visible(demo_org["majun"]) == {"majun", "yangfan", "zhuwei", "hejing", "gaoyan", "luobin"}


def test_all_scope(demo_org, notes):
    """ORG-3: the decision tier sees everything."""
    assert _visible(demo_org["chenzhiqiang"]) == set(notes)


def test_subordinates_scope_follows_the_reporting_line(demo_org, notes):
    role = Role.objects.create(code="line", name_zh="汇报线", name_en="Line", data_scope=DataScope.SUBORDINATES,
                               permissions=["workplace.view"])
    wang = demo_org["wangjianguo"]
    wang.roles.set([role])
    wang = type(wang).objects.get(pk=wang.pk)
    assert subordinate_ids(wang) == {demo_org[n].pk for n in ("zhangmin", "liyang", "liuyang", "huangli")}
    assert _visible(wang) == {"wangjianguo", "zhangmin", "liyang", "liuyang", "huangli"}


def test_no_roles_falls_back_to_the_tier(demo_org, notes):
    user = demo_org["yangfan"]
    user.roles.clear()
    user = type(user).objects.get(pk=user.pk)
    assert user_scopes(user) == {DataScope.DEPARTMENT_TREE}


def test_several_roles_give_the_union(demo_org, notes):
    user = demo_org["zhouhong"]  # finance supervisor (branch) + department manager (tree)
    assert user_scopes(user) == {DataScope.BRANCH, DataScope.DEPARTMENT_TREE}
    assert "liuyang" in _visible(user)


def test_inactive_and_anonymous_see_nothing(demo_org, notes):
    from django.contrib.auth.models import AnonymousUser

    user = demo_org["liuyang"]
    user.is_active = False
    assert _visible(user) == set()
    assert set(scoped(Note.objects.all(), AnonymousUser())) == set()
