"""Calls (SRV-7)."""


import datetime
from typing import Literal

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import field_validator

from guanxi.core.errors import ValidationFailed
from guanxi.customers import selectors as customer_selectors
from guanxi.service import caller, intake

from ...common import (
    InputSchema,
    Page,
    require_perm,
)
from ...routes import list_and_get
from ._shared import _active_people

router = Router()


# --- calls (SRV-7) -----------------------------------------------------------------------------
class CallIn(InputSchema):
    call_id: str = Field(..., min_length=1, max_length=100, description="the telephony system's id; once per call")
    number: str = Field(..., min_length=3, max_length=40, description="the other party's number")
    direction: Literal["in", "out"]
    duration: int = Field(0, ge=0, le=7 * 24 * 3600, description="seconds")
    recording_url: str = Field("", max_length=500, description="http(s) link to the recording")
    agent: str | None = Field(None, max_length=150, description="the username of the agent who took the call")
    started_at: datetime.datetime | None = Field(None, description="ISO 8601 with offset; default: now")

    @field_validator("recording_url")
    @classmethod
    def _http_only(cls, value):
        if value and not value.lower().startswith(("https://", "http://")):
            raise ValueError(_("Give an http or https address."))
        return value


class CallOut(Schema):
    id: int
    call_id: str
    number: str
    direction: str
    duration: int = Field(description="seconds")
    recording_url: str
    agent_id: int | None
    customer_id: int | None = Field(description="the customer with this number, when it is in your scope")
    interaction_id: int | None
    caller_page: str = Field(description="the page that shows the caller to the agent")
    created_at: datetime.datetime

    @staticmethod
    def resolve_duration(obj):
        return obj.duration_seconds

    @staticmethod
    def resolve_caller_page(obj):
        return reverse("service:call_detail", args=[obj.pk])

    @staticmethod
    def resolve_customer_id(obj, context):
        return obj.customer_id if _customer_visible(context["request"], obj) else None

    @staticmethod
    def resolve_interaction_id(obj, context):
        return obj.interaction_id if _customer_visible(context["request"], obj) else None


class CallPage(Page):
    items: list[CallOut]


def _customer_visible(request, call):
    """Whether the caller may see the call's customer (the answer names it only then)."""
    if call.customer_id is None:
        return False
    seen = request.__dict__.setdefault("_visible_customers", {})
    if call.customer_id not in seen:
        seen[call.customer_id] = customer_selectors.customers_visible_to(request.user).filter(
            pk=call.customer_id).exists()
    return seen[call.customer_id]


@router.post("/calls", response={201: CallOut, 200: CallOut})
def call_record(request, payload: CallIn):
    """SRV-7: a telephony system reports a call. It is logged once per ``call_id`` (a repeat
    answers 200 with the first record), on the timeline of the customer with that number,
    and the agent is notified with a link to the caller page."""
    require_perm(request, "service.create")
    agent = None
    if payload.agent:
        agent = _active_people().filter(username=payload.agent).first()
        if agent is None:
            raise ValidationFailed(_("No active employee with this username."), field="agent")
    with transaction.atomic():
        call, created = intake.call_record(
            actor=request.user, call_id=payload.call_id, number=payload.number, direction=payload.direction,
            duration_seconds=payload.duration, recording_url=payload.recording_url, agent=agent,
            occurred_at=payload.started_at)
    return Status(201 if created else 200, call)


list_and_get(router, "/calls", name="call", perm="service.view", page=CallPage, out=CallOut,
             visible=caller.calls_visible_to, get=caller.call_get,
             list_doc="SRV-7: calls in the caller's scope (their own, their team's, their customers').")

