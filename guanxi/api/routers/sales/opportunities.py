"""Pipelines and opportunities."""


import datetime
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from guanxi.customers import selectors as customer_selectors
from guanxi.sales import selectors, services
from guanxi.sales.models import (
    Pipeline,
    Stage,
    StageKind,
)

from ...common import (
    InputSchema,
    ListParams,
    Money,
    Page,
    PickCode,
    filtered,
    get_or_invalid,
    page,
    patched,
    pick,
    require_perm,
    searched,
)
from ...routes import delete_route, get_route
from ._shared import MoneyIn

router = Router()


# --- pipelines and opportunities ---------------------------------------------------------
class StageOut(Schema):
    id: int
    name_zh: str
    name_en: str
    position: int
    probability: int
    kind: StageKind


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj):
        return list(obj.stages.order_by("position"))


@router.get("/pipelines", response=list[PipelineOut])
def pipeline_list(request):
    require_perm(request, "sales.view")
    services.default_pipeline()
    return list(Pipeline.objects.all())


class OpportunityOut(Schema):
    id: int
    name: str
    customer_id: int
    contact_id: int | None
    pipeline_id: int
    stage_id: int
    amount: Money
    currency: str = "CNY"
    expected_close_on: datetime.date | None
    competitor_id: int | None
    source: PickCode
    lost_reason: PickCode
    notes: str
    owner_id: int
    branch_id: int
    closed_at: datetime.datetime | None
    created_at: datetime.datetime


class OpportunityPage(Page):
    items: list[OpportunityOut]


class OpportunityIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    customer_id: int
    contact_id: int | None = Field(None, description="a contact of the customer")
    stage_id: int | None = None
    amount: MoneyIn = Decimal("0")
    expected_close_on: datetime.date | None = None
    notes: str = Field("", max_length=4000)


class OpportunityPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    contact_id: int | None = Field(None, description="a contact of the opportunity's customer; null for none")
    amount: MoneyIn | None = None
    expected_close_on: datetime.date | None = None
    notes: str | None = Field(None, max_length=4000)


class OpportunityFilters(ListParams):
    stage_id: int | None = None
    owner_id: int | None = None
    customer_id: int | None = None
    expected_close_on_from: datetime.date | None = None
    expected_close_on_to: datetime.date | None = None


class MoveIn(InputSchema):
    stage_id: int
    lost_reason: str | None = Field(None, description="pick-list code; required when moving to a lost stage")


@router.get("/opportunities", response=OpportunityPage)
def opportunity_list(request, params: Query[OpportunityFilters]):
    require_perm(request, "sales.view")
    queryset = filtered(selectors.opportunities_visible_to(request.user), stage_id=params.stage_id,
                         owner_id=params.owner_id, customer_id=params.customer_id,
                         expected_close_on__gte=params.expected_close_on_from,
                         expected_close_on__lte=params.expected_close_on_to)
    queryset = searched(queryset, params.q, "name__icontains")
    return page(request, queryset, params, allowed={"created_at", "amount", "id"})


get_route(router, "/opportunities", name="opportunity", perm="sales.view", out=OpportunityOut,
          get=selectors.opportunity_get, etag=True)


@router.post("/opportunities", response={201: OpportunityOut})
def opportunity_create(request, payload: OpportunityIn):
    require_perm(request, "sales.create")
    data = payload.model_dump()
    customer = customer_selectors.customer_get(request.user, data.pop("customer_id"))
    stage_id = data.pop("stage_id")
    stage = get_or_invalid(Stage.objects.filter(kind=StageKind.OPEN), stage_id, "stage_id")
    data["contact"] = get_or_invalid(customer.contacts.all(), data.pop("contact_id"), "contact_id")
    opportunity = services.opportunity_create(actor=request.user, customer=customer, stage=stage, **data)
    return Status(201, selectors.opportunity_get(request.user, opportunity.pk))


@router.patch("/opportunities/{opportunity_id}", response=OpportunityOut)
def opportunity_update(request, opportunity_id: int, payload: OpportunityPatch, response: HttpResponse):
    require_perm(request, "sales.edit")
    data = payload.model_dump(exclude_unset=True)

    def update(opportunity):
        if "contact_id" in data:
            data["contact"] = get_or_invalid(opportunity.customer.contacts.all(), data.pop("contact_id"),
                                             "contact_id")
        return services.opportunity_update(actor=request.user, opportunity=opportunity, **data)

    return patched(request, response, queryset=selectors.opportunities_visible_to(request.user),
                    pk=opportunity_id, out=OpportunityOut, update=update)


delete_route(router, "/opportunities", name="opportunity", perm="sales.delete", get=selectors.opportunity_get,
             delete=services.opportunity_delete, doc="Move an opportunity to the recycle bin.")


@router.post("/opportunities/{opportunity_id}/move", response=OpportunityOut)
def opportunity_move(request, opportunity_id: int, payload: MoveIn):
    require_perm(request, "sales.edit")
    opportunity = selectors.opportunity_get(request.user, opportunity_id)
    stage = get_or_invalid(Stage.objects.filter(pipeline=opportunity.pipeline), payload.stage_id, "stage_id")
    reason = pick("sales.lost_reason", payload.lost_reason, "lost_reason")
    services.opportunity_move(actor=request.user, opportunity=opportunity, stage=stage, lost_reason=reason)
    return selectors.opportunity_get(request.user, opportunity_id)


