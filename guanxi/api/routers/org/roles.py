"""Roles."""


from ninja import Field, Query, Router, Schema, Status

from guanxi.org import selectors, services
from guanxi.org.models import DataScope, Role

from ...common import (
    InputSchema,
    ListParams,
    Page,
    page,
    require_perm,
)
from ...routes import get_route, update_route

router = Router()


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
    return page(request, Role.objects.all(), params, sort="code", allowed={"code", "id"})


get_route(router, "/roles", name="role", perm="org.view", out=RoleOut, get=lambda user, pk: selectors.role_get(pk),
          etag=True)


@router.post("/roles", response={201: RoleOut})
def role_create(request, payload: RoleIn):
    require_perm(request, "org.manage")
    return Status(201, services.role_create(actor=request.user, **payload.model_dump()))


update_route(router, "/roles", name="role", perm="org.manage", out=RoleOut, patch=RolePatch,
             visible=lambda user: Role.objects.all(),
             update=lambda user, role, data: services.role_update(actor=user, role=role, **data))
