"""Flows (SRV-3)."""


import datetime
from typing import Any

from django.http import Http404
from ninja import Field, Router, Schema, Status

from guanxi.service import flow_services
from guanxi.service.models import (
    Flow,
)

from ...common import (
    InputSchema,
    Page,
    pick,
    require_perm,
)
from ...routes import list_and_get
from ._shared import SEVERITIES, TYPES, _TypeAndSeverity

router = Router()


# --- flows (SRV-3) ---------------------------------------------------------------------------
class VersionOut(Schema):
    number: int
    steps: list[dict[str, Any]]
    created_by_id: int
    created_at: datetime.datetime


class FlowOut(_TypeAndSeverity):
    id: int
    name: str
    type: str | None = Field(description="pick-list code; null: every type")
    severity: str | None = Field(description="pick-list code; null: every severity")
    is_active: bool
    live_version: VersionOut | None
    versions: list[int] = Field(description="the numbers of every version, newest first")
    updated_at: datetime.datetime

    @staticmethod
    def resolve_versions(obj):
        return [version.number for version in obj.versions.all()]


class FlowPage(Page):
    items: list[FlowOut]


class FlowIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    type: str | None = Field(None, max_length=40)
    severity: str | None = Field(None, max_length=40)
    is_active: bool = True
    steps: list[dict[str, Any]] = Field(..., description="the steps (see docs/service.md); validated as a whole")


class PublishIn(InputSchema):
    steps: list[dict[str, Any]]
    name: str | None = Field(None, min_length=1, max_length=100)


def _flows():
    return Flow.objects.select_related("ticket_type", "severity", "live_version").prefetch_related("versions")


list_and_get(router, "/flows", name="flow", perm="service.manage", page=FlowPage, out=FlowOut,
             visible=lambda user: _flows(), list_doc="SRV-3: the handling flows (configuration: service.manage).")


@router.post("/flows", response={201: FlowOut})
def flow_create(request, payload: FlowIn):
    """SRV-3: a new flow with its first version, live at once."""
    require_perm(request, "service.manage")
    flow = flow_services.flow_publish(actor=request.user, name=payload.name, steps=payload.steps,
                                      ticket_type=pick(TYPES, payload.type, "type"),
                                      severity=pick(SEVERITIES, payload.severity, "severity"),
                                      is_active=payload.is_active)
    return Status(201, _flows().get(pk=flow.pk))


@router.post("/flows/{flow_id}/publish", response={201: FlowOut})
def flow_publish(request, flow_id: int, payload: PublishIn):
    """SRV-3: freeze ``steps`` as the next version and make it live: new tickets follow it,
    running ones keep the version they started with."""
    require_perm(request, "service.manage")
    flow = get_or_404(_flows(), flow_id)
    flow_services.flow_publish(actor=request.user, flow=flow, name=payload.name or flow.name, steps=payload.steps,
                               ticket_type=flow.ticket_type, severity=flow.severity, is_active=flow.is_active)
    return Status(201, _flows().get(pk=flow.pk))


def get_or_404(queryset, pk):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


