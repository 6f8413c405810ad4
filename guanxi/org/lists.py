from django.utils.translation import gettext_lazy as _

from guanxi.core.listing import Column, Filter, ListSpec

from . import selectors
from .models import DataScope, DepartmentKind, Tier


class EmployeeList(ListSpec):
    key = "org.employees"
    title = _("Employees")
    permission = "org.view"
    export_permission = "org.manage"
    create_url_name = "org:employee_create"
    create_permission = "org.manage"
    export_name = "employees"
    default_sort = "username"
    columns = [
        Column("username", _("Username"), sortable=True, link=True),
        Column("display_name", _("Name"), sortable=True),
        Column("tier", _("Tier")),
        Column("branch", _("Branch"), value=lambda u: u.branch.name if u.branch else ""),
        Column("department", _("Department"), value=lambda u: u.department.name if u.department else ""),
        Column("roles", _("Job roles"), value=lambda u: ", ".join(r.name for r in u.roles.all())),
        Column("phone", _("Mobile")),
        Column("is_active", _("Active"), value=lambda u: _("Yes") if u.is_active else _("No")),
    ]
    filters = [
        Filter("branch", _("Branch"), lookup="branch_id", choices=lambda r: selectors.branch_choices()),
        Filter("department", _("Department"), lookup="department_id",
               choices=lambda r: selectors.department_choices()),
        Filter("tier", _("Tier"), choices=Tier.choices),
        Filter("active", _("Active"), lookup="is_active", kind="boolean", choices=[("1", _("Yes")), ("0", _("No"))]),
    ]
    search_fields = ["username", "display_name", "phone", "email"]

    def queryset(self, request):
        return selectors.employees()


class DepartmentList(ListSpec):
    key = "org.departments"
    title = _("Departments")
    permission = "org.view"
    export_permission = "org.manage"
    create_url_name = "org:department_create"
    create_permission = "org.manage"
    export_name = "departments"
    default_sort = "path"
    columns = [
        Column("name", _("Name"), sortable=True, link=True),
        Column("kind", _("Kind")),
        Column("branch", _("Branch"), value=lambda d: d.branch.name),
        Column("parent", _("Parent department"), value=lambda d: d.parent.name if d.parent else ""),
        Column("manager", _("Manager"), value=lambda d: d.manager.display_name if d.manager else ""),
        Column("employee_count", _("Employees")),
    ]
    filters = [
        Filter("branch", _("Branch"), lookup="branch_id", choices=lambda r: selectors.branch_choices()),
        Filter("kind", _("Kind"), choices=DepartmentKind.choices),
    ]
    search_fields = ["name"]

    def queryset(self, request):
        return selectors.departments()


class BranchList(ListSpec):
    key = "org.branches"
    title = _("Branches")
    permission = "org.view"
    export_permission = "org.manage"
    create_url_name = "org:branch_create"
    create_permission = "org.manage"
    export_name = "branches"
    default_sort = "name"
    columns = [
        Column("name", _("Name"), sortable=True, link=True),
        Column("code", _("Code"), sortable=True),
        Column("is_headquarters", _("Headquarters"), value=lambda b: _("Yes") if b.is_headquarters else ""),
        Column("city", _("City")),
        Column("head", _("Branch head"), value=lambda b: b.head.display_name if b.head else ""),
        Column("employee_count", _("Employees")),
    ]
    search_fields = ["name", "code", "city"]

    def queryset(self, request):
        return selectors.branches()


class RoleList(ListSpec):
    key = "org.roles"
    title = _("Job roles")
    permission = "org.manage"
    create_url_name = "org:role_create"
    create_permission = "org.manage"
    default_sort = "code"
    columns = [
        Column("code", _("Code"), sortable=True, link=True, code=True),
        Column("name", _("Name"), value=lambda r: r.name),
        Column("data_scope", _("Data scope")),
        Column("user_count", _("Employees")),
        Column("permissions", _("Permissions"), value=lambda r: len(r.permissions)),
    ]
    filters = [Filter("scope", _("Data scope"), lookup="data_scope", choices=DataScope.choices)]
    search_fields = ["code", "name_zh", "name_en"]

    def queryset(self, request):
        return selectors.roles()
