"""Departments."""


from typing import ClassVar

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from guanxi.org import selectors, services
from guanxi.org.models import Branch, Department, DepartmentKind, User

from ...common import (
    InputSchema,
    ListParams,
    Page,
    listing,
    patched,
    require_perm,
    resolved,
    with_etag,
)

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


