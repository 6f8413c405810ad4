"""The organization's admin screens (ORG-1, ORG-2, ORG-4)."""

import pytest

from guanxi.org.models import Branch, Department, Role, User


@pytest.fixture
def admin(demo_org, client_for):
    return client_for(demo_org["zhaolei"])


def test_create_and_edit_branch(admin):
    """ORG-1: an administrator creates and edits a branch in the UI."""
    response = admin.post("/org/branches/new/", {"name": "成都分公司", "code": "cd", "city": "成都", "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    branch = Branch.objects.get(code="cd")
    assert not branch.is_headquarters
    admin.post(f"/org/branches/{branch.pk}/", {"name": "成都分公司", "code": "cd", "city": "成都市",
                                               "is_active": "on"})
    branch.refresh_from_db()
    assert branch.city == "成都市"
    history = admin.get(f"/org/branches/{branch.pk}/").content.decode()
    assert "成都市" in history  # the history below the form shows the change


def test_branch_form_errors_change_nothing(admin):
    before = Branch.objects.count()
    response = admin.post("/org/branches/new/", {"name": "", "code": "has space"})
    assert response.status_code == 200 and response.content.decode().count('class="field-error"') >= 2
    assert Branch.objects.count() == before


def test_taking_headquarters_away_is_explained(admin):
    hq = Branch.objects.get(is_headquarters=True)
    response = admin.post(f"/org/branches/{hq.pk}/", {"name": hq.name, "code": hq.code, "is_active": "on"})
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert Branch.objects.get(pk=hq.pk).is_headquarters


def test_create_department_under_a_parent(admin):
    sales = Department.objects.get(branch__code="gz", name="销售部")
    response = admin.post("/org/departments/new/", {"branch": sales.branch_id, "parent": sales.pk,
                                                     "name": "电商组", "kind": "sales", "is_active": "on"})
    assert response.status_code == 302
    team = Department.objects.get(name="电商组")
    assert team.path.startswith(sales.path)


def test_department_parent_from_another_branch_is_refused(admin):
    bj_sales = Department.objects.get(branch__code="bj", name="销售部")
    gz = Branch.objects.get(code="gz")
    response = admin.post("/org/departments/new/", {"branch": gz.pk, "parent": bj_sales.pk, "name": "错位",
                                                     "kind": "sales", "is_active": "on"})
    assert response.status_code == 200 and not Department.objects.filter(name="错位").exists()


def test_create_edit_move_and_deactivate_employee(admin, demo_org):
    """ORG-2: create an employee, edit, move to another branch, deactivate the leaver."""
    gz_sales = Department.objects.get(branch__code="gz", name="销售部")
    role = Role.objects.get(code="salesperson")
    response = admin.post("/org/employees/new/", {
        "username": "zhaoliu", "display_name": "赵六", "email": "zhaoliu@example.cn", "phone": "13900001111",
        "tier": "execution", "department": gz_sales.pk, "manager": demo_org["wangjianguo"].pk,
        "roles": [role.pk], "password": "Chengdu-Sales-77",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="zhaoliu")
    assert user.branch.code == "gz" and user.check_password("Chengdu-Sales-77")
    admin.post(f"/org/employees/{user.pk}/edit/", {"display_name": "赵小六", "email": "z@example.cn",
                                                    "phone": "", "title": "销售代表", "tier": "execution",
                                                    "roles": [role.pk]})
    user.refresh_from_db()
    assert user.display_name == "赵小六"
    sh_sales = Department.objects.get(branch__code="sh", name="销售部")
    admin.post(f"/org/employees/{user.pk}/move/", {"department": sh_sales.pk, "manager": demo_org["tangying"].pk})
    user.refresh_from_db()
    assert (user.branch.code, user.manager.username) == ("sh", "tangying")
    admin.post(f"/org/employees/{user.pk}/deactivate/", {"left_on": "2026-11-30"})
    user.refresh_from_db()
    assert not user.is_active and str(user.left_on) == "2026-11-30"
    detail = admin.get(f"/org/employees/{user.pk}/?tab=history").content.decode()
    assert "赵小六" in detail


def test_weak_password_and_taken_username_are_explained(admin):
    before = User.objects.count()
    weak = admin.post("/org/employees/new/", {"username": "u1", "display_name": "x", "tier": "execution",
                                              "password": "123"})
    assert weak.status_code == 200 and "field-error" in weak.content.decode()
    taken = admin.post("/org/employees/new/", {"username": "liuyang", "display_name": "x", "tier": "execution"})
    assert taken.status_code == 200 and "field-error" in taken.content.decode()
    assert User.objects.count() == before


def test_edit_role_permissions_and_scope(admin, demo_org, client_for):
    """ORG-4: permissions are edited in the UI and take effect at once."""
    role = Role.objects.get(code="salesperson")
    page = admin.get(f"/org/roles/{role.pk}/").content.decode()
    assert 'value="workplace.export"' in page
    kept = [p for p in role.permissions if p != "workplace.export"]
    response = admin.post(f"/org/roles/{role.pk}/", {"name_zh": role.name_zh, "name_en": role.name_en,
                                                      "description": "", "data_scope": "department",
                                                      "permissions": kept})
    assert response.status_code == 302
    role.refresh_from_db()
    assert "workplace.export" not in role.permissions and role.data_scope == "department"
    assert client_for(demo_org["liuyang"]).get("/work/notes/?export=csv").status_code == 403


def test_new_role_and_delete(admin):
    response = admin.post("/org/roles/new/", {"code": "intern", "name_zh": "实习生", "name_en": "Intern",
                                              "data_scope": "own", "permissions": ["workplace.view"]})
    assert response.status_code == 302
    role = Role.objects.get(code="intern")
    admin.post(f"/org/roles/{role.pk}/delete/")
    assert not Role.objects.filter(code="intern").exists()
    builtin = Role.objects.get(code="salesperson")
    admin.post(f"/org/roles/{builtin.pk}/delete/")
    assert Role.objects.filter(code="salesperson").exists()


def test_directory_is_readable_by_staff_but_not_writable(demo_org, client_for):
    client = client_for(demo_org["liuyang"])
    assert client.get("/org/employees/").status_code == 200
    assert client.get("/org/chart/").status_code == 200
    assert client.get(f"/org/employees/{demo_org['zhuwei'].pk}/").status_code == 200
    assert client.post(f"/org/employees/{demo_org['zhuwei'].pk}/deactivate/", {"left_on": "2026-01-01"}).status_code == 403
    assert User.objects.get(username="zhuwei").is_active


def test_employee_list_query_count_is_flat(admin, django_assert_max_num_queries):
    admin.get("/org/employees/")
    with django_assert_max_num_queries(14):
        admin.get("/org/employees/")
