"""Work-plans (WRK-1)."""


import datetime

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from guanxi.customers import selectors as customer_selectors
from guanxi.org.models import User
from guanxi.sales import selectors as sales_selectors
from guanxi.workplace import plans, selectors
from guanxi.workplace.models import (
    PlanStatus,
)

from ...common import (
    InputSchema,
    ListParams,
    Page,
    fields_named,
    filtered,
    get_or_invalid,
    page,
    patched,
    require_perm,
    resolved,
    searched,
)
from ...routes import delete_route, get_route

router = Router()


# --- work-plans (WRK-1) --------------------------------------------------------------
class WorkPlanOut(Schema):
    id: int
    owner_id: int
    branch_id: int
    day: datetime.date
    title: str
    notes: str
    customer_id: int | None
    opportunity_id: int | None
    status: PlanStatus
    progress: int
    result: str
    assigned_by_id: int | None
    carried_from_id: int | None
    carry_count: int
    completed_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class WorkPlanPage(Page):
    items: list[WorkPlanOut]


class WorkPlanIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    day: datetime.date | None = Field(None, description="default: today; not in the past")
    owner_id: int | None = Field(None, description="assign to someone in your scope (needs workplace.assign)")
    notes: str = Field("", max_length=2000)
    customer_id: int | None = None
    opportunity_id: int | None = None


class WorkPlanPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    day: datetime.date | None = None
    notes: str | None = Field(None, max_length=2000)
    customer_id: int | None = None
    opportunity_id: int | None = None
    progress: int | None = Field(None, ge=0, le=100)
    status: PlanStatus | None = None
    result: str | None = Field(None, max_length=2000)


class WorkPlanFilters(ListParams):
    owner_id: int | None = None
    day: datetime.date | None = None
    day_from: datetime.date | None = None
    day_to: datetime.date | None = None
    status: PlanStatus | None = None
    assigned: bool | None = Field(None, description="true: assigned by a manager; false: self-planned")


PLAN_NAMES = {"customer": "customer_id", "opportunity": "opportunity_id", "owner": "owner_id"}


def _links(request, data):
    """Resolve customer_id / opportunity_id through the caller's scope (422 if unknown)."""
    return resolved(data, customer=customer_selectors.customers_visible_to(request.user),
                    opportunity=sales_selectors.opportunities_visible_to(request.user))


@router.get("/work-plans", response=WorkPlanPage)
def work_plan_list(request, params: Query[WorkPlanFilters]):
    """WRK-1: plan items in the caller's scope."""
    require_perm(request, "workplace.view")
    queryset = selectors.plan_items_visible_to(request.user)
    queryset = searched(queryset, params.q, "title__icontains", "notes__icontains")
    queryset = filtered(queryset, owner_id=params.owner_id, day=params.day, day__gte=params.day_from,
                        day__lte=params.day_to, status=params.status)
    if params.assigned is not None:
        queryset = queryset.filter(assigned_by__isnull=not params.assigned)
    return page(request, queryset, params, sort="-day", allowed={"day", "created_at", "id", "progress"})


get_route(router, "/work-plans", name="work_plan", id_name="plan_id", perm="workplace.view", out=WorkPlanOut,
          get=selectors.plan_item_get, etag=True)


@router.post("/work-plans", response={201: WorkPlanOut})
def work_plan_create(request, payload: WorkPlanIn):
    """WRK-1: plan an item for yourself, or assign one to a person in your scope."""
    require_perm(request, "workplace.create")
    data = payload.model_dump()
    owner_id = data.pop("owner_id")
    owner = None
    if owner_id is not None and owner_id != request.user.pk:
        require_perm(request, "workplace.assign")
        owner = get_or_invalid(User.objects.filter(is_active=True), owner_id, "owner_id")
    _links(request, data)
    with fields_named(PLAN_NAMES):
        item = plans.plan_item_create(actor=request.user, owner=owner, **data)
    return Status(201, item)


@router.patch("/work-plans/{plan_id}", response=WorkPlanOut)
def work_plan_update(request, plan_id: int, payload: WorkPlanPatch, response: HttpResponse):
    """WRK-1: change an item or record its progress; honours If-Match."""
    require_perm(request, "workplace.edit")
    data = payload.model_dump(exclude_unset=True)
    progress = {k: data.pop(k) for k in ("progress", "status", "result") if k in data}
    _links(request, data)

    def update(item):
        with fields_named(PLAN_NAMES):
            if data:
                item = plans.plan_item_update(actor=request.user, item=item, **data)
            if progress:
                plans.plan_item_progress(actor=request.user, item=item, **progress)

    return patched(request, response, queryset=selectors.plan_items_visible_to(request.user), pk=plan_id,
                    out=WorkPlanOut, update=update)


delete_route(router, "/work-plans", name="work_plan", id_name="plan_id", perm="workplace.delete",
             get=selectors.plan_item_get, delete=plans.plan_item_delete, kind="item")


