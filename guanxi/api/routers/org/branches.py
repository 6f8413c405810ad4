"""Branches."""


from ninja import Field, Query, Router, Schema, Status

from guanxi.org import selectors, services
from guanxi.org.models import Branch, User

from ...common import (
    InputSchema,
    ListParams,
    Page,
    page,
    require_perm,
    resolved,
    searched,
)
from ...routes import get_route, update_route

router = Router()


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
    return resolved(data, parent=Branch.objects.all(), head=User.objects.filter(is_active=True))


@router.get("/branches", response=BranchPage)
def branch_list(request, params: Query[ListParams]):
    require_perm(request, "org.view")
    return page(request, searched(Branch.objects.all(), params.q, "name__icontains"), params, sort="name", allowed={"name", "code", "id"})


get_route(router, "/branches", name="branch", perm="org.view", out=BranchOut,
          get=lambda user, pk: selectors.branch_get(pk), etag=True)


@router.post("/branches", response={201: BranchOut})
def branch_create(request, payload: BranchIn):
    require_perm(request, "org.manage")
    branch = services.branch_create(actor=request.user, **_branch_refs(payload.model_dump()))
    return Status(201, branch)


update_route(router, "/branches", name="branch", perm="org.manage", out=BranchOut, patch=BranchPatch,
             visible=lambda user: Branch.objects.all(),
             update=lambda user, branch, data: services.branch_update(actor=user, branch=branch, **_branch_refs(data)))


