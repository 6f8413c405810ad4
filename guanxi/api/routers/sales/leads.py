"""Leads."""


import datetime
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from guanxi.customers import selectors as customer_selectors
from guanxi.sales import selectors, services
from guanxi.sales.models import (
    LeadStatus,
)

from ...common import (
    InputSchema,
    ListParams,
    Page,
    PickCode,
    filtered,
    page,
    patched,
    picked,
    require_perm,
    searched,
)
from ...routes import delete_route, get_route
from ._shared import MoneyIn

router = Router()


# --- leads ---------------------------------------------------------------------------
class LeadOut(Schema):
    id: int
    company: str
    name: str
    title: str
    mobile: str
    email: str
    source: PickCode
    status: LeadStatus
    notes: str
    owner_id: int
    branch_id: int
    customer_id: int | None
    opportunity_id: int | None
    converted_at: datetime.datetime | None
    created_at: datetime.datetime


class LeadPage(Page):
    items: list[LeadOut]


class LeadIn(InputSchema):
    company: str = Field(..., min_length=1, max_length=200)
    name: str = Field("", max_length=60)
    title: str = Field("", max_length=60)
    mobile: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    source: str | None = Field(None, description="pick-list code (customers.source)")
    notes: str = Field("", max_length=4000)


class LeadPatch(InputSchema):
    company: str | None = Field(None, min_length=1, max_length=200)
    name: str | None = Field(None, max_length=60)
    title: str | None = Field(None, max_length=60)
    mobile: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    source: str | None = None
    status: LeadStatus | None = Field(None, description="not `converted`: use POST /leads/{id}/convert")
    notes: str | None = Field(None, max_length=4000)


class LeadFilters(ListParams):
    status: LeadStatus | None = None
    owner_id: int | None = None
    source: str | None = Field(None, max_length=40)


class ConvertIn(InputSchema):
    opportunity_name: str = Field("", max_length=200)
    amount: MoneyIn = Decimal("0")
    customer_id: int | None = Field(None, description="convert into this existing customer instead of a new one")
    override_duplicate: bool = Field(False, description="managers: save the new customer despite a duplicate")


LEAD_PICKS = {"source": "customers.source"}


@router.get("/leads", response=LeadPage)
def lead_list(request, params: Query[LeadFilters]):
    require_perm(request, "sales.view")
    queryset = filtered(selectors.leads_visible_to(request.user), status=params.status, owner_id=params.owner_id,
                         source__code=params.source)
    queryset = searched(queryset, params.q, "company__icontains", "name__icontains", "mobile__startswith")
    return page(request, queryset, params, allowed={"created_at", "id"})


get_route(router, "/leads", name="lead", perm="sales.view", out=LeadOut, get=selectors.lead_get, etag=True)


@router.post("/leads", response={201: LeadOut})
def lead_create(request, payload: LeadIn):
    require_perm(request, "sales.create")
    lead = services.lead_create(actor=request.user, **picked(payload.model_dump(), LEAD_PICKS))
    return Status(201, selectors.lead_get(request.user, lead.pk))


@router.patch("/leads/{lead_id}", response=LeadOut)
def lead_update(request, lead_id: int, payload: LeadPatch, response: HttpResponse):
    require_perm(request, "sales.edit")
    data = picked(payload.model_dump(exclude_unset=True), LEAD_PICKS)
    return patched(request, response, queryset=selectors.leads_visible_to(request.user), pk=lead_id,
                    out=LeadOut, update=lambda lead: services.lead_update(actor=request.user, lead=lead, **data))


delete_route(router, "/leads", name="lead", perm="sales.delete", get=selectors.lead_get, delete=services.lead_delete,
             doc="Move a lead to the recycle bin.")


@router.post("/leads/{lead_id}/convert", response=LeadOut)
def lead_convert(request, lead_id: int, payload: ConvertIn):
    require_perm(request, "sales.create")
    lead = selectors.lead_get(request.user, lead_id)
    data = payload.model_dump()
    customer_id = data.pop("customer_id")
    existing = customer_selectors.customer_get(request.user, customer_id) if customer_id is not None else None
    services.lead_convert(actor=request.user, lead=lead, existing_customer=existing, **data)
    return selectors.lead_get(request.user, lead_id)


