"""marketing/campaigns: campaigns, what each returned, and the touches behind it (MKT-2)."""

import datetime
from decimal import Decimal
from typing import ClassVar

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from guanxi.marketing.attribution import TouchModel, window_days
from guanxi.marketing.models import CampaignStatus, Segment, TouchSource
from guanxi.marketing.selectors import campaigns as selectors
from guanxi.marketing.services import campaigns as services
from guanxi.org.scopes import scoped

from ...common import (
    InputSchema,
    ListParams,
    Money,
    cursor_list,
    fields_named,
    get_or_invalid,
    patched,
    require_perm,
)
from ...routes import delete_route, get_route, list_route

router = Router()


class CampaignOut(Schema):
    id: int
    code: str = Field(description="the utm_campaign of its links")
    name: str
    description: str
    status: CampaignStatus
    channels: list[str] = Field(description="codes of the campaign-channel pick-list")
    starts_on: datetime.date
    ends_on: datetime.date
    budget: Money
    currency: str = "CNY"
    segment_id: int | None
    owner_id: int
    branch_id: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CampaignPage(Schema):
    items: list[CampaignOut]
    next_cursor: str | None


class CampaignIn(InputSchema):
    code: str = Field(..., min_length=2, max_length=40, description="letters, digits, hyphens, underscores")
    name: str = Field(..., min_length=1, max_length=160)
    description: str = Field("", max_length=4000)
    channels: list[str] = Field(default_factory=list, max_length=20)
    starts_on: datetime.date
    ends_on: datetime.date
    budget: Decimal = Field(Decimal("0"), description="decimal string, ≥ 0, at most two decimals")
    segment_id: int | None = None


class CampaignPatch(InputSchema):
    code: str | None = Field(None, min_length=2, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=160)
    description: str | None = Field(None, max_length=4000)
    channels: list[str] | None = Field(None, max_length=20)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    budget: Decimal | None = None
    segment_id: int | None = None


class CampaignFilters(ListParams):
    status: CampaignStatus | None = None
    owner_id: int | None = None
    branch_id: int | None = None
    starts_from: datetime.date | None = None
    starts_to: datetime.date | None = None

    lookups: ClassVar = {"status": "status", "owner_id": "owner_id", "branch_id": "branch_id",
                         "starts_from": "starts_on__gte", "starts_to": "starts_on__lte"}
    search: ClassVar = ("code__istartswith", "name__icontains")
    sorts: ClassVar = {"starts_on", "created_at", "budget", "id"}
    sort: ClassVar = "-starts_on"


class ReturnOut(Schema):
    campaign_id: int
    model: TouchModel
    window_days: int
    leads: int
    opportunities: int
    opportunity_amount: Money
    orders: int
    order_amount: Money
    receipts: int
    received: Money = Field(description="money received (reversed receipts left out)")
    cost: Money = Field(description="approved expenses linked to the campaign")
    budget: Money
    net: Money = Field(description="received − cost")
    roi_percent: Decimal | None = Field(description="net / cost × 100; null without a cost")
    currency: str = "CNY"


class TouchOut(Schema):
    id: int
    source: TouchSource
    touched_at: datetime.datetime
    customer_id: int | None
    lead_id: int | None
    opportunity_id: int | None
    utm: dict[str, str]


class TouchPage(Schema):
    items: list[TouchOut]
    next_cursor: str | None


class TouchParams(Schema):
    limit: int | None = None
    cursor: str | None = None


def _data(request, data):
    """The body's segment id as the segment (in the caller's scope)."""
    if "segment_id" in data:
        data["segment"] = get_or_invalid(scoped(Segment.objects.all(), request.user), data.pop("segment_id"),
                                         "segment_id")
    return data


NAMES = {"segment": "segment_id"}


list_route(router, "/campaigns", name="campaign", perm="marketing.view", page=CampaignPage, filters=CampaignFilters,
           visible=selectors.campaigns_visible_to, doc="MKT-2: campaigns in the caller's scope.")


@router.post("/campaigns", response={201: CampaignOut})
def campaign_create(request, payload: CampaignIn):
    """MKT-2: a planned campaign of the caller (owner and branch are the caller's)."""
    require_perm(request, "marketing.create")
    with fields_named(NAMES):
        campaign = services.campaign_create(actor=request.user, **_data(request, payload.model_dump()))
    return Status(201, selectors.campaign_get(request.user, campaign.pk))


get_route(router, "/campaigns", name="campaign", perm="marketing.view", out=CampaignOut, get=selectors.campaign_get,
          etag=True)


@router.patch("/campaigns/{campaign_id}", response=CampaignOut)
def campaign_update(request, campaign_id: int, payload: CampaignPatch, response: HttpResponse):
    """MKT-2: change a planned or running campaign; honours If-Match (412 when stale)."""
    require_perm(request, "marketing.edit")
    data = _data(request, payload.model_dump(exclude_unset=True))

    def update(campaign):
        with fields_named(NAMES):
            return services.campaign_update(actor=request.user, campaign=campaign, **data)

    return patched(request, response, queryset=selectors.campaigns_visible_to(request.user), pk=campaign_id,
                   out=CampaignOut, update=update)


delete_route(router, "/campaigns", name="campaign", perm="marketing.delete", get=selectors.campaign_get,
             delete=services.campaign_delete, doc="MKT-2: to the recycle bin.")


@router.get("/campaigns/{campaign_id}/return", response=ReturnOut)
def campaign_return(request, campaign_id: int, model: TouchModel = TouchModel.LAST):
    """MKT-2: what the campaign brought under first- or last-touch attribution, all time,
    counting the leads, opportunities, orders and receipts the caller may see."""
    require_perm(request, "marketing.view")
    campaign = selectors.campaign_get(request.user, campaign_id)
    result = selectors.campaign_return(request.user, campaign, model)
    found = result.outcomes
    return ReturnOut(campaign_id=campaign.pk, model=model, window_days=window_days(), leads=found.leads,
                     opportunities=found.opportunities, opportunity_amount=found.opportunity_amount,
                     orders=found.orders, order_amount=found.order_amount, receipts=found.receipts,
                     received=found.received, cost=result.cost, budget=result.budget, net=result.net,
                     roi_percent=result.roi)


@router.get("/campaigns/{campaign_id}/touches", response=TouchPage)
def campaign_touch_list(request, campaign_id: int, params: Query[TouchParams]):
    """MKT-2: the campaign's touches of leads and customers the caller may see, newest first."""
    require_perm(request, "marketing.view")
    campaign = selectors.campaign_get(request.user, campaign_id)
    return cursor_list(request, selectors.campaign_touches(request.user, campaign), sort="-touched_at",
                       allowed_sorts={"touched_at"}, cursor=params.cursor, limit=params.limit)
