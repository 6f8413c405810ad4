"""branches, departments, users, roles (API.md core resources)."""

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.errors import ValidationFailed
from guanxi.org import selectors, services
from guanxi.org.models import Branch, DataScope, Department, DepartmentKind, Role, Tier, User

from ..common import (
    InputSchema,
    ListParams,
    check_if_match,
    cursor_list,
    get_or_invalid,
    locked,
    patched,
    require_perm,
    with_etag,
)

router = Router(tags=["organization"])


class Page(Schema):
    next_cursor: str | None


# --- branches ----------------------------------------------------------------------
class BranchOut(Schema):
    id: int
    name: str
    code: str
    is_headquarters: bool
    parent_id: int | None
    city: str
    address: str
    phone: str
    head_id: int | None
    is_active: bool


class BranchPage(Page):
    items: list[BranchOut]


class BranchIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    code: str = Field(..., min_length=1, max_length=30, pattern=r"^[-a-zA-Z0-9_]+$")
    is_headquarters: bool = False
    parent_id: int | None = None
    city: str = Field("", max_length=60)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=40)
    head_id: int | None = None


class BranchPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    code: str | None = Field(None, min_length=1, max_length=30, pattern=r"^[-a-zA-Z0-9_]+$")
    is_headquarters: bool | None = None
    parent_id: int | None = None
    city: str | None = Field(None, max_length=60)
    address: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=40)
    head_id: int | None = None
    is_active: bool | None = None


def _branch_refs(data):
    if "parent_id" in data:
        data["parent"] = get_or_invalid(Branch.objects.all(), data.pop("parent_id"), "parent_id")
    if "head_id" in data:
        data["head"] = get_or_invalid(User.objects.filter(is_active=True), data.pop("head_id"), "head_id")
    return data


@router.get("/branches", response=BranchPage)
def branch_list(request, params: Query[ListParams]):
    require_perm(request, "org.view")
    queryset = Branch.objects.all()
    if params.q:
        queryset = queryset.filter(name__icontains=params.q)
    return cursor_list(request, queryset, sort="name", allowed_sorts={"name", "code", "id"},
                       ordering=params.ordering, cursor=params.cursor, limit=params.limit)


@router.get("/branches/{branch_id}", response=BranchOut)
def branch_get(request, branch_id: int, response: HttpResponse):
    require_perm(request, "org.view")
    return with_etag(response, BranchOut.from_orm(selectors.branch_get(branch_id)))


@router.post("/branches", response={201: BranchOut})
def branch_create(request, payload: BranchIn):
    require_perm(request, "org.manage")
    branch = services.branch_create(actor=request.user, **_branch_refs(payload.model_dump()))
    return Status(201, branch)


@router.patch("/branches/{branch_id}", response=BranchOut)
def branch_update(request, branch_id: int, payload: BranchPatch, response: HttpResponse):
    require_perm(request, "org.manage")
    return patched(request, response, queryset=Branch.objects.all(), pk=branch_id, out=BranchOut,
                   update=lambda branch: services.branch_update(actor=request.user, branch=branch, **_branch_refs(payload.model_dump(exclude_unset=True))))


# --- departments -------------------------------------------------------------------
class DepartmentOut(Schema):
    id: int
    name: str
    branch_id: int
    kind: DepartmentKind
    parent_id: int | None
    manager_id: int | None
    is_active: bool


class DepartmentPage(Page):
    items: list[DepartmentOut]


class DepartmentIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    branch_id: int
    kind: DepartmentKind
    parent_id: int | None = None
    manager_id: int | None = None


class DepartmentPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    branch_id: int | None = None
    kind: DepartmentKind | None = None
    parent_id: int | None = None
    manager_id: int | None = None
    is_active: bool | None = None


class DepartmentFilters(ListParams):
    branch_id: int | None = None
    kind: DepartmentKind | None = None


def _department_refs(data):
    if "branch_id" in data:
        data["branch"] = get_or_invalid(Branch.objects.all(), data.pop("branch_id"), "branch_id")
    if "parent_id" in data:
        data["parent"] = get_or_invalid(Department.objects.all(), data.pop("parent_id"), "parent_id")
    if "manager_id" in data:
        data["manager"] = get_or_invalid(User.objects.filter(is_active=True), data.pop("manager_id"), "manager_id")
    return data


@router.get("/departments", response=DepartmentPage)
def department_list(request, params: Query[DepartmentFilters]):
    require_perm(request, "org.view")
    queryset = Department.objects.all()
    if params.branch_id:
        queryset = queryset.filter(branch_id=params.branch_id)
    if params.kind:
        queryset = queryset.filter(kind=params.kind)
    if params.q:
        queryset = queryset.filter(name__icontains=params.q)
    return cursor_list(request, queryset, sort="id", allowed_sorts={"name", "id"},
                       ordering=params.ordering, cursor=params.cursor, limit=params.limit)


@router.get("/departments/{department_id}", response=DepartmentOut)
def department_get(request, department_id: int, response: HttpResponse):
    require_perm(request, "org.view")
    return with_etag(response, DepartmentOut.from_orm(selectors.department_get(department_id)))


@router.post("/departments", response={201: DepartmentOut})
def department_create(request, payload: DepartmentIn):
    require_perm(request, "org.manage")
    department = services.department_create(actor=request.user, **_department_refs(payload.model_dump()))
    return Status(201, department)


@router.patch("/departments/{department_id}", response=DepartmentOut)
def department_update(request, department_id: int, payload: DepartmentPatch, response: HttpResponse):
    require_perm(request, "org.manage")
    return patched(request, response, queryset=Department.objects.all(), pk=department_id, out=DepartmentOut,
                   update=lambda department: services.department_update(actor=request.user, department=department, **_department_refs(payload.model_dump(exclude_unset=True))))


# --- users -------------------------------------------------------------------------
class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    phone: str
    title: str
    branch_id: int | None
    department_id: int | None
    manager_id: int | None
    tier: Tier
    roles: list[str]
    is_active: bool

    @staticmethod
    def resolve_roles(obj):
        return sorted(role.code for role in obj.roles.all())


class UserPage(Page):
    items: list[UserOut]


class UserIn(InputSchema):
    username: str = Field(..., min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    display_name: str = Field(..., min_length=1, max_length=60)
    password: str | None = Field(None, min_length=1, max_length=128)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    title: str = Field("", max_length=60)
    tier: Tier = Tier.EXECUTION
    department_id: int | None = None
    manager_id: int | None = None
    roles: list[str] = Field(default_factory=list, max_length=20)


class UserPatch(InputSchema):
    display_name: str | None = Field(None, min_length=1, max_length=60)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=20)
    title: str | None = Field(None, max_length=60)
    tier: Tier | None = None
    department_id: int | None = None
    manager_id: int | None = None
    roles: list[str] | None = Field(None, max_length=20)
    is_active: bool | None = None


class UserFilters(ListParams):
    branch_id: int | None = None
    department_id: int | None = None
    tier: Tier | None = None
    is_active: bool | None = None


def _roles(codes):
    if codes is None:
        return None
    roles = list(Role.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {r.code for r in roles})
    if missing:
        raise ValidationFailed(_("Unknown roles: %(codes)s.") % {"codes": ", ".join(missing)}, field="roles")
    return roles


def _user_refs(data):
    if "department_id" in data:
        data["department"] = get_or_invalid(Department.objects.all(), data.pop("department_id"), "department_id")
    if "manager_id" in data:
        data["manager"] = get_or_invalid(User.objects.filter(is_active=True), data.pop("manager_id"), "manager_id")
    if "roles" in data:
        data["roles"] = _roles(data["roles"])
    return data


@router.get("/users", response=UserPage)
def user_list(request, params: Query[UserFilters]):
    require_perm(request, "org.view")
    queryset = selectors.employees()
    for name in ("branch_id", "department_id", "tier", "is_active"):
        value = getattr(params, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if params.q:
        queryset = queryset.filter(display_name__icontains=params.q) | queryset.filter(username__icontains=params.q)
    return cursor_list(request, queryset, sort="username", allowed_sorts={"username", "id"},
                       ordering=params.ordering, cursor=params.cursor, limit=params.limit)


@router.get("/users/{user_id}", response=UserOut)
def user_get(request, user_id: int, response: HttpResponse):
    require_perm(request, "org.view")
    return with_etag(response, UserOut.from_orm(selectors.employee_get(user_id)))


@router.post("/users", response={201: UserOut})
def user_create(request, payload: UserIn):
    require_perm(request, "org.manage")
    user = services.employee_create(actor=request.user, **_user_refs(payload.model_dump()))
    return Status(201, selectors.employee_get(user.pk))


@router.patch("/users/{user_id}", response=UserOut)
def user_update(request, user_id: int, payload: UserPatch, response: HttpResponse):
    """Update an employee; a new department_id moves them; is_active=false deactivates."""
    require_perm(request, "org.manage")
    with transaction.atomic():
        user = locked(selectors.employees(), user_id)
        check_if_match(request, UserOut.from_orm(user))
        data = _user_refs(payload.model_dump(exclude_unset=True))
        is_active = data.pop("is_active", None)
        if "department" in data:
            user = services.employee_move(actor=request.user, user=user, department=data.pop("department"))
        if data:
            user = services.employee_update(actor=request.user, user=user, **data)
        if is_active is False and user.is_active:
            services.employee_deactivate(actor=request.user, user=user)
        elif is_active is True and not user.is_active:
            services.employee_reactivate(actor=request.user, user=user)
    return with_etag(response, UserOut.from_orm(selectors.employee_get(user_id)))


# --- roles -------------------------------------------------------------------------
class RoleOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    description: str
    data_scope: DataScope
    permissions: list[str]
    is_system: bool


class RolePage(Page):
    items: list[RoleOut]


class RoleIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[-a-z0-9_]+$")
    name_zh: str = Field(..., min_length=1, max_length=60)
    name_en: str = Field(..., min_length=1, max_length=60)
    description: str = Field("", max_length=300)
    data_scope: DataScope = DataScope.OWN
    permissions: list[str] = Field(default_factory=list, max_length=500)


class RolePatch(InputSchema):
    name_zh: str | None = Field(None, min_length=1, max_length=60)
    name_en: str | None = Field(None, min_length=1, max_length=60)
    description: str | None = Field(None, max_length=300)
    data_scope: DataScope | None = None
    permissions: list[str] | None = Field(None, max_length=500)


@router.get("/roles", response=RolePage)
def role_list(request, params: Query[ListParams]):
    require_perm(request, "org.view")
    return cursor_list(request, Role.objects.all(), sort="code", allowed_sorts={"code", "id"},
                       ordering=params.ordering, cursor=params.cursor, limit=params.limit)


@router.get("/roles/{role_id}", response=RoleOut)
def role_get(request, role_id: int, response: HttpResponse):
    require_perm(request, "org.view")
    return with_etag(response, RoleOut.from_orm(selectors.role_get(role_id)))


@router.post("/roles", response={201: RoleOut})
def role_create(request, payload: RoleIn):
    require_perm(request, "org.manage")
    return Status(201, services.role_create(actor=request.user, **payload.model_dump()))


@router.patch("/roles/{role_id}", response=RoleOut)
def role_update(request, role_id: int, payload: RolePatch, response: HttpResponse):
    require_perm(request, "org.manage")
    return patched(request, response, queryset=Role.objects.all(), pk=role_id, out=RoleOut,
                   update=lambda role: services.role_update(actor=request.user, role=role, **payload.model_dump(exclude_unset=True)))
