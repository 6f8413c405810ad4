"""Users."""


from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.errors import ValidationFailed
from guanxi.org import selectors, services
from guanxi.org.models import Department, Role, Tier, User

from ...common import (
    InputSchema,
    ListParams,
    Page,
    filtered,
    page,
    patched,
    require_perm,
    resolved,
)
from ...routes import get_route

router = Router()


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
    resolved(data, department=Department.objects.all(), manager=User.objects.filter(is_active=True))
    if "roles" in data:
        data["roles"] = _roles(data["roles"])
    return data


@router.get("/users", response=UserPage)
def user_list(request, params: Query[UserFilters]):
    require_perm(request, "org.view")
    queryset = selectors.employees()
    queryset = filtered(queryset, branch_id=params.branch_id, department_id=params.department_id, tier=params.tier,
                        is_active=params.is_active)
    if params.q:
        queryset = queryset.filter(display_name__icontains=params.q) | queryset.filter(username__icontains=params.q)
    return page(request, queryset, params, sort="username", allowed={"username", "id"})


get_route(router, "/users", name="user", perm="org.view", out=UserOut, get=lambda user, pk: selectors.employee_get(pk),
          etag=True)


@router.post("/users", response={201: UserOut})
def user_create(request, payload: UserIn):
    require_perm(request, "org.manage")
    user = services.employee_create(actor=request.user, **_user_refs(payload.model_dump()))
    return Status(201, selectors.employee_get(user.pk))


@router.patch("/users/{user_id}", response=UserOut)
def user_update(request, user_id: int, payload: UserPatch, response: HttpResponse):
    """Update an employee; a new department_id moves them; is_active=false deactivates."""
    require_perm(request, "org.manage")

    def update(user):
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

    return patched(request, response, queryset=selectors.employees(), pk=user_id, out=UserOut, update=update)


