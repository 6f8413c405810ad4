"""Interactions (ACT-1)."""


import datetime

from ninja import Field, Router, Schema, Status

from guanxi.customers import selectors, services
from guanxi.customers.models import (
    Channel,
)

from ...common import (
    InputSchema,
    Page,
    cursor_list,
    filtered,
    get_or_invalid,
    require_perm,
)
from ...routes import delete_route, get_route, update_route
from .customers import _get

router = Router()


# --- interactions (ACT-1) ----------------------------------------------------------
class InteractionOut(Schema):
    id: int
    customer_id: int
    contact_id: int | None
    channel: str
    occurred_at: datetime.datetime
    summary: str
    next_follow_up_on: datetime.date | None
    author_id: int
    created_at: datetime.datetime


class InteractionPage(Page):
    items: list[InteractionOut]


class InteractionIn(InputSchema):
    customer_id: int
    contact_id: int | None = None
    channel: Channel = Channel.PHONE
    occurred_at: datetime.datetime | None = None
    summary: str = Field(..., min_length=1, max_length=2000)
    next_follow_up_on: datetime.date | None = None


class InteractionPatch(InputSchema):
    channel: Channel | None = None
    occurred_at: datetime.datetime | None = None
    summary: str | None = Field(None, min_length=1, max_length=2000)
    next_follow_up_on: datetime.date | None = None


@router.get("/interactions", response=InteractionPage)
def interaction_list(request, limit: int | None = None, cursor: str | None = None, ordering: str | None = None,
                     customer_id: int | None = None, channel: Channel | None = None,
                     author_id: int | None = None):
    require_perm(request, "customers.view")
    queryset = selectors.interactions_visible_to(request.user)
    queryset = filtered(queryset, customer_id=customer_id, channel=channel, author_id=author_id)
    return cursor_list(request, queryset, sort="-occurred_at", allowed_sorts={"occurred_at", "id"},
                       ordering=ordering, cursor=cursor, limit=limit)


get_route(router, "/interactions", name="interaction", perm="customers.view", out=InteractionOut,
          get=selectors.interaction_get, etag=True)


@router.post("/interactions", response={201: InteractionOut})
def interaction_create(request, payload: InteractionIn):
    require_perm(request, "customers.edit")
    data = payload.model_dump()
    customer = _get(request, data.pop("customer_id"))
    contact_id = data.pop("contact_id")
    contact = get_or_invalid(customer.contacts.all(), contact_id, "contact_id")
    return Status(201, services.interaction_create(actor=request.user, customer=customer, contact=contact, **data))


update_route(router, "/interactions", name="interaction", perm="customers.edit", out=InteractionOut,
             patch=InteractionPatch, visible=selectors.interactions_visible_to,
             update=lambda user, interaction, data: services.interaction_update(actor=user, interaction=interaction, **data))


delete_route(router, "/interactions", name="interaction", perm="customers.edit", get=selectors.interaction_get,
             delete=services.interaction_delete)
