"""Departments."""


from typing import ClassVar

from ninja import Field, Query, Router, Schema, Status

from guanxi.org import selectors, services
from guanxi.org.models import Branch, Department, DepartmentKind, User

from ...common import (
    InputSchema,
    ListParams,
    Page,
    listing,
    require_perm,
    resolved,
)
from ...routes import get_route, update_route

router = Router()


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

    search: ClassVar = ("name__icontains",)
    sorts: ClassVar = {"name", "id"}
    sort: ClassVar = "id"


def _department_refs(data):
    return resolved(data, branch=Branch.objects.all(), parent=Department.objects.all(),
                    manager=User.objects.filter(is_active=True))


@router.get("/departments", response=DepartmentPage)
def department_list(request, params: Query[DepartmentFilters]):
    require_perm(request, "org.view")
    queryset = Department.objects.all()
    if params.branch_id:
        queryset = queryset.filter(branch_id=params.branch_id)
    if params.kind:
        queryset = queryset.filter(kind=params.kind)
    return listing(request, queryset, params)


get_route(router, "/departments", name="department", perm="org.view", out=DepartmentOut,
          get=lambda user, pk: selectors.department_get(pk), etag=True)


@router.post("/departments", response={201: DepartmentOut})
def department_create(request, payload: DepartmentIn):
    require_perm(request, "org.manage")
    department = services.department_create(actor=request.user, **_department_refs(payload.model_dump()))
    return Status(201, department)


update_route(router, "/departments", name="department", perm="org.manage", out=DepartmentOut, patch=DepartmentPatch,
             visible=lambda user: Department.objects.all(),
             update=lambda user, department, data: services.department_update(actor=user, department=department, **_department_refs(data)))


