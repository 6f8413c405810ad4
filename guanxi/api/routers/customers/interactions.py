"""Interactions (ACT-1)."""


import datetime

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from guanxi.customers import selectors, services
from guanxi.customers.models import (
    Channel,
)

from ...common import (
    InputSchema,
    Page,
    cursor_list,
    deleted,
    filtered,
    get_or_invalid,
    patched,
    require_perm,
    with_etag,
)
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


@router.get("/interactions/{interaction_id}", response=InteractionOut)
def interaction_get(request, interaction_id: int, response: HttpResponse):
    require_perm(request, "customers.view")
    return with_etag(response, InteractionOut.from_orm(selectors.interaction_get(request.user, interaction_id)))


@router.post("/interactions", response={201: InteractionOut})
def interaction_create(request, payload: InteractionIn):
    require_perm(request, "customers.edit")
    data = payload.model_dump()
    customer = _get(request, data.pop("customer_id"))
    contact_id = data.pop("contact_id")
    contact = get_or_invalid(customer.contacts.all(), contact_id, "contact_id")
    return Status(201, services.interaction_create(actor=request.user, customer=customer, contact=contact, **data))


@router.patch("/interactions/{interaction_id}", response=InteractionOut)
def interaction_update(request, interaction_id: int, payload: InteractionPatch, response: HttpResponse):
    require_perm(request, "customers.edit")
    return patched(request, response, queryset=selectors.interactions_visible_to(request.user), pk=interaction_id, out=InteractionOut,
                   update=lambda interaction: services.interaction_update(actor=request.user, interaction=interaction, **payload.model_dump(exclude_unset=True)))


@router.delete("/interactions/{interaction_id}", response={204: None})
def interaction_delete(request, interaction_id: int):
    require_perm(request, "customers.edit")
    return deleted(request, selectors.interaction_get, interaction_id, services.interaction_delete, "interaction")
