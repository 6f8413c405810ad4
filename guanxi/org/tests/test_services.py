import pytest
from django.db import IntegrityError, transaction

from guanxi.core.errors import Conflict, Forbidden, ValidationFailed
from guanxi.org import services
from guanxi.org.models import Branch, DataScope, Department, DepartmentKind, Role, User


def test_demo_org_shape(demo_org):
    """ORG-1/ORG-2: one headquarters, branches with departments of every kind, all tiers."""
    assert Branch.objects.filter(is_headquarters=True).count() == 1
    assert Branch.objects.get(is_headquarters=True).city == "广州"
    assert {b.city for b in Branch.objects.all()} == {"广州", "北京", "上海", "深圳"}
    assert set(Department.objects.values_list("kind", flat=True)) == set(DepartmentKind.values)
    assert set(User.objects.values_list("tier", flat=True)) == {"decision", "management", "execution"}
    assert 28 <= User.objects.count() <= 35


def test_exactly_one_headquarters_is_kept(demo_org):
    """ORG-1: making another branch the headquarters moves the flag; none is refused."""
    bj = Branch.objects.get(code="bj")
    services.branch_update(actor=None, branch=bj, is_headquarters=True)
    assert list(Branch.objects.filter(is_headquarters=True).values_list("code", flat=True)) == ["bj"]
    with pytest.raises(ValidationFailed):
        services.branch_update(actor=None, branch=bj, is_headquarters=False)
    assert Branch.objects.filter(is_headquarters=True).count() == 1


def test_database_refuses_a_second_headquarters(demo_org):
    """ORG-1: the unique constraint holds even if code skips the service."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Branch.objects.filter(code="sh").update(is_headquarters=True)


def test_department_tree_moves_with_its_subtree(demo_org):
    sales = Department.objects.get(branch__code="gz", name="销售部")
    key = Department.objects.get(name="大客户组")
    team = services.department_create(actor=None, branch=sales.branch, name="华南一组", kind="sales", parent=key)
    assert team.path == f"{sales.path}{key.pk}/{team.pk}/"
    customer = Department.objects.get(branch__code="gz", name="客户部")
    services.department_update(actor=None, department=key, parent=customer)
    team.refresh_from_db()
    assert team.path == f"{customer.path}{key.pk}/{team.pk}/"
    with pytest.raises(ValidationFailed):
        services.department_update(actor=None, department=customer, parent=team)


def test_department_moved_to_another_branch_takes_its_people(demo_org):
    key = Department.objects.get(name="大客户组")
    shanghai = Branch.objects.get(code="sh")
    services.department_update(actor=None, department=key, parent=None, branch=shanghai)
    assert set(User.objects.filter(department=key).values_list("branch__code", flat=True)) == {"sh"}


def test_move_and_deactivate_employee_keeps_records(demo_org):
    """ORG-2: a move changes department and branch; a leaver is deactivated, not deleted."""
    from guanxi.workplace.models import Note
    from guanxi.workplace.services import note_create

    liuyang = demo_org["liuyang"]
    note = note_create(actor=liuyang, title="交接")
    bj_sales = Department.objects.get(branch__code="bj", name="销售部")
    services.employee_move(actor=demo_org["zhaolei"], user=liuyang, department=bj_sales,
                           manager=demo_org["yangfan"])
    liuyang.refresh_from_db()
    assert (liuyang.branch.code, liuyang.department_id, liuyang.manager.username) == ("bj", bj_sales.pk, "yangfan")
    services.employee_deactivate(actor=demo_org["zhaolei"], user=liuyang)
    liuyang.refresh_from_db()
    assert not liuyang.is_active and liuyang.left_on is not None
    assert Note.objects.filter(pk=note.pk, owner=liuyang).exists()


def test_deactivating_a_manager_hands_reports_up(demo_org):
    services.employee_deactivate(actor=None, user=demo_org["zhangmin"])
    assert User.objects.get(username="liyang").manager.username == "wangjianguo"


def test_reporting_line_cannot_loop(demo_org):
    with pytest.raises(ValidationFailed):
        services.employee_update(actor=None, user=demo_org["wangjianguo"], manager=demo_org["liyang"])


def test_only_managers_of_the_org_may_write(demo_org):
    """ORG-4: a salesperson cannot create a branch; nothing is written."""
    before = Branch.objects.count()
    with pytest.raises(Forbidden):
        services.branch_create(actor=demo_org["liuyang"], name="成都分公司", code="cd")
    assert Branch.objects.count() == before


def test_username_is_unique_ignoring_case(demo_org):
    with pytest.raises(Conflict):
        services.employee_create(actor=None, username="LiuYang", display_name="另一个刘洋")


def test_default_roles_exist_with_tier_scopes(db):
    """ORG-4: the built-in roles exist with their default data scopes."""
    roles = {r.code: r for r in Role.objects.all()}
    assert set(roles) >= {"salesperson", "sales_assistant", "finance_supervisor", "purchaser", "service_agent",
                          "department_manager", "branch_manager", "general_manager", "administrator"}
    assert roles["salesperson"].data_scope == DataScope.OWN
    assert roles["department_manager"].data_scope == DataScope.DEPARTMENT_TREE
    assert roles["branch_manager"].data_scope == DataScope.BRANCH
    assert roles["general_manager"].data_scope == DataScope.ALL
    assert "org.manage" in roles["administrator"].permissions
    assert "org.manage" not in roles["salesperson"].permissions


def test_role_sync_keeps_admin_edits_and_grants_new_modules(db):
    role = Role.objects.get(code="salesperson")
    services.role_update(actor=None, role=role, permissions=["workplace.view"])
    services.roles_sync_defaults()
    role.refresh_from_db()
    assert role.permissions == ["workplace.view"]
    role.known_modules = [m for m in role.known_modules if m != "workplace"]
    role.save()
    services.roles_sync_defaults()
    role.refresh_from_db()
    assert "workplace.create" in role.permissions


def test_unknown_permission_codes_are_refused(db):
    role = Role.objects.get(code="salesperson")
    with pytest.raises(ValidationFailed):
        services.role_update(actor=None, role=role, permissions=["workplace.view", "root.everything"])
    role.refresh_from_db()
    assert "root.everything" not in role.permissions
