import pytest

from guanxi.org.models import User
from guanxi.testing.scope_matrix import assert_scope_matrix, matrix_users, owned_case
from guanxi.workplace.models import Note


@pytest.fixture
def matrix_notes(demo_org):
    """One note per employee who may write notes, titled uniquely."""
    Note.objects.all().delete()
    for user in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk"):
        if user.has_module_perm("workplace.create"):
            Note.objects.create(title=f"矩阵 {user.username}", owner=user, branch=user.branch, created_by=user)
    return Note.objects.select_related("owner__department", "owner__manager")


NOTES = owned_case("notes", Note, module="workplace", list_url="/work/notes/", api="notes",
                   title_of=lambda n: n.title, search_term="矩阵")


def test_scope_matrix_for_notes(matrix_notes, demo_org):
    """ORG-3: every demo user sees exactly the notes their scope allows, on every surface."""
    checked = assert_scope_matrix(NOTES, matrix_users())
    assert checked >= 25


def test_scope_matrix_holds_after_a_move_and_a_leaver(matrix_notes, demo_org):
    """ORG-3: records follow their owner to a new department; a leaver sees nothing."""
    from guanxi.org.models import Department
    from guanxi.org.services import employee_deactivate, employee_move

    employee_move(actor=None, user=demo_org["liuyang"], department=Department.objects.get(name="大客户组"))
    employee_deactivate(actor=None, user=demo_org["hejing"])
    users = list(User.objects.prefetch_related("roles").select_related("department__parent", "manager")
                 .filter(username__in=["liuyang", "zhangmin", "wangjianguo", "hejing", "yangfan", "majun"]))
    assert_scope_matrix(NOTES, users)
