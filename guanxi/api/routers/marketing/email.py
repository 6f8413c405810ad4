"""email-campaigns and unsubscribes (API.md; MKT-4): sends of a template to a segment,
scoped like the pages; scheduling, pausing and cancelling need marketing.send. The
suppression list is company-wide (addresses, not business records)."""

import datetime

from ninja import Field, Query, Router, Schema, Status

from guanxi.marketing.models import Campaign, Channel, Segment, SendStatus, SuppressionReason
from guanxi.marketing.selectors import email as selectors
from guanxi.marketing.services import email as services
from guanxi.org.scopes import scoped

from ...common import InputSchema, ListParams, get_or_invalid, listing, require_perm
from ...routes import get_route, list_route

router = Router()


class EmailCampaignOut(Schema):
    id: int
    name: str
    channel: Channel
    status: SendStatus
    template_id: int
    segment_id: int | None
    campaign_id: int | None
    scheduled_at: datetime.datetime | None
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    owner_id: int
    branch_id: int
    created_at: datetime.datetime


class EmailCampaignPage(Schema):
    items: list[EmailCampaignOut]
    next_cursor: str | None


class EmailCampaignIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=160)
    template_id: int
    segment_id: int
    campaign_id: int | None = None
    channel: Channel = Channel.EMAIL
    scheduled_at: datetime.datetime | None = None


class ScheduleIn(InputSchema):
    at: datetime.datetime | None = Field(None, description="when to send; now when absent")


class EmailCampaignFilters(ListParams):
    status: SendStatus | None = None
    channel: Channel | None = None
    segment_id: int | None = None
    lookups = {"status": "status", "channel": "channel", "segment_id": "segment_id"}
    search = ("name__icontains",)
    sorts = {"id", "created_at", "scheduled_at", "name"}


class Rates(Schema):
    delivered: float
    opened: float
    clicked: float
    unsubscribed: float
    bounced: float


class StatsOut(Schema):
    total: int
    pending: int
    sent: int
    delivered: int
    failed: int
    suppressed: int
    bounced: int
    opened: int
    clicked: int
    unsubscribed: int
    percent: int
    rates: Rates


list_route(router, "/email-campaigns", name="email_campaign", perm="marketing.view", page=EmailCampaignPage,
           filters=EmailCampaignFilters, visible=selectors.sends_visible_to)


@router.post("/email-campaigns", response={201: EmailCampaignOut})
def email_campaign_create(request, payload: EmailCampaignIn):
    require_perm(request, "marketing.create")
    user = request.user
    return Status(201, services.email_send_create(
        actor=user, name=payload.name, channel=payload.channel, scheduled_at=payload.scheduled_at,
        template=get_or_invalid(selectors.templates_visible_to(user), payload.template_id, "template_id"),
        segment=get_or_invalid(scoped(Segment.objects.all(), user), payload.segment_id, "segment_id"),
        campaign=get_or_invalid(scoped(Campaign.objects.all(), user), payload.campaign_id, "campaign_id")))


get_route(router, "/email-campaigns", name="email_campaign", id_name="send_id", perm="marketing.view",
          out=EmailCampaignOut, get=selectors.send_get)


@router.get("/email-campaigns/{send_id}/stats", response=StatsOut)
def email_campaign_stats(request, send_id: int):
    """Sent, delivered, opened, clicked, unsubscribed and bounced, with rates in percent."""
    require_perm(request, "marketing.view")
    return selectors.send_stats(selectors.send_get(request.user, send_id))


@router.post("/email-campaigns/{send_id}/schedule", response=EmailCampaignOut)
def email_campaign_schedule(request, send_id: int, payload: ScheduleIn):
    require_perm(request, "marketing.send")
    send = selectors.send_get(request.user, send_id)
    return services.email_send_schedule(actor=request.user, send=send, at=payload.at)


@router.post("/email-campaigns/{send_id}/cancel", response=EmailCampaignOut)
def email_campaign_cancel(request, send_id: int):
    require_perm(request, "marketing.send")
    return services.email_send_cancel(actor=request.user, send=selectors.send_get(request.user, send_id))


class UnsubscribeOut(Schema):
    id: int
    address: str
    reason: SuppressionReason
    created_at: datetime.datetime


class UnsubscribePage(Schema):
    items: list[UnsubscribeOut]
    next_cursor: str | None


class UnsubscribeIn(InputSchema):
    address: str = Field(..., min_length=3, max_length=254)


class UnsubscribeFilters(ListParams):
    reason: SuppressionReason | None = None
    lookups = {"reason": "reason"}
    search = ("address__icontains",)
    sorts = {"id", "created_at", "address"}


@router.get("/unsubscribes", response=UnsubscribePage)
def unsubscribe_list(request, params: Query[UnsubscribeFilters]):
    """Addresses marketing does not write to: unsubscribed, hard-bounced or added by hand."""
    require_perm(request, "marketing.view")
    return listing(request, selectors.suppressions(request.user), params)


@router.post("/unsubscribes", response={201: UnsubscribeOut})
def unsubscribe_create(request, payload: UnsubscribeIn):
    require_perm(request, "marketing.send")
    return Status(201, services.suppression_add(actor=request.user, address=payload.address))



