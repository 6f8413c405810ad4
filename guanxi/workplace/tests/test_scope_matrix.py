import pytest

from guanxi.org.models import User
from guanxi.testing.scope_matrix import ScopeCase, assert_scope_matrix
from guanxi.workplace.models import Note


@pytest.fixture
def matrix_notes(demo_org):
    """One note per employee who may write notes, titled uniquely."""
    Note.objects.all().delete()
    for user in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk"):
        if user.has_module_perm("workplace.create"):
            Note.objects.create(title=f"矩阵 {user.username}", owner=user, branch=user.branch, created_by=user)
    return Note.objects.select_related("owner__department", "owner__manager")


NOTES = ScopeCase(
    label="notes",
    permission="workplace.view",
    records=lambda: Note.objects.select_related("owner__department__parent", "owner__manager").all(),
    owner_of=lambda n: n.owner,
    branch_of=lambda n: n.branch_id,
    title_of=lambda n: n.title,
    list_url="/work/notes/",
    detail_url=lambda n: f"/work/notes/{n.pk}/",
    detail_pattern=r'href="/work/notes/(\d+)/"',
    search_term="矩阵",
    api_list="/api/v1/notes",
    api_detail=lambda n: f"/api/v1/notes/{n.pk}",
    export_url="/work/notes/?export=csv",
    export_permission="workplace.export",
)


def test_scope_matrix_for_notes(matrix_notes, demo_org):
    """ORG-3: every demo user sees exactly the notes their scope allows, on every surface."""
    users = list(User.objects.prefetch_related("roles").select_related("department__parent", "manager")
                 .order_by("pk"))
    checked = assert_scope_matrix(NOTES, users)
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
