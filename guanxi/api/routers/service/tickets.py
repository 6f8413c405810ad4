"""Tickets (SRV-1, SRV-2)."""


import datetime
from typing import ClassVar

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.errors import ValidationFailed
from guanxi.customers import selectors as customer_selectors
from guanxi.sales import selectors as sales_selectors
from guanxi.service import selectors, services
from guanxi.service.models import (
    OPEN_STATUSES,
    EntryKind,
    TicketChannel,
    TicketEntry,
    TicketStatus,
)

from ...common import (
    AttachmentOut,
    InputSchema,
    ListParams,
    Page,
    cursor_list,
    get_or_invalid,
    listing,
    patched,
    pick,
    require_perm,
    with_etag,
)
from ._shared import SEVERITIES, TYPES, _active_people, _TypeAndSeverity

router = Router()


# --- tickets (SRV-1, SRV-2) -------------------------------------------------------------------
class TicketOut(_TypeAndSeverity):
    id: int
    number: str
    subject: str
    description: str
    type: str = Field(description="pick-list code (service.ticket_type)")
    severity: str = Field(description="pick-list code (service.severity)")
    status: TicketStatus
    channel: TicketChannel
    customer_id: int | None
    contact_name: str
    contact_email: str
    contact_phone: str
    product_id: int | None
    order_id: int | None
    assignee_id: int | None
    department_id: int | None
    branch_id: int
    respond_by: datetime.datetime | None = Field(description="first-response target (business hours)")
    resolve_by: datetime.datetime | None = Field(description="resolution target (business hours)")
    responded_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    escalation_level: int
    overdue: bool
    is_quality_issue: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TicketPage(Page):
    items: list[TicketOut]


class TicketIn(InputSchema):
    subject: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    type: str = Field(..., max_length=40, description="pick-list code (service.ticket_type)")
    severity: str = Field(..., max_length=40, description="pick-list code (service.severity)")
    customer_id: int | None = None
    assignee_id: int | None = Field(None, description="default: the caller")
    contact_name: str = Field("", max_length=100)
    contact_email: str = Field("", max_length=254)
    contact_phone: str = Field("", max_length=30)
    product_id: int | None = None
    order_id: int | None = None


class TicketPatch(InputSchema):
    status: TicketStatus | None = Field(None, description="a guarded move: new → open → waiting → resolved → closed")
    note: str = Field("", max_length=500, description="said on the status change")
    assignee_id: int | None = None


class TicketFilters(ListParams):
    status: TicketStatus | None = None
    type: str | None = Field(None, max_length=40)
    severity: str | None = Field(None, max_length=40)
    channel: TicketChannel | None = None
    customer_id: int | None = None
    assignee_id: int | None = None
    overdue: bool | None = Field(None, description="open and past the resolution target")

    lookups: ClassVar = {"status": "status", "type": "ticket_type__code", "severity": "severity__code",
                         "channel": "channel", "customer_id": "customer_id", "assignee_id": "assignee_id"}
    search: ClassVar = ("number__istartswith", "subject__icontains", "contact_email__iexact")
    sorts: ClassVar = {"created_at", "updated_at", "number", "id"}


class EntryOut(Schema):
    id: int
    kind: EntryKind
    body: str
    author_id: int | None
    from_address: str
    created_at: datetime.datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())


class EntryPage(Page):
    items: list[EntryOut]


class BodyIn(InputSchema):
    body: str = Field(..., min_length=1, max_length=20000)


def _tickets(request):
    return selectors.tickets_visible_to(request.user).select_related("ticket_type", "severity")


def _ticket(request, ticket_id):
    return selectors.ticket_get(request.user, ticket_id)


@router.get("/tickets", response=TicketPage)
def ticket_list(request, params: Query[TicketFilters]):
    """SRV-1: tickets in the caller's scope (assignee, branch, handling department, own customers')."""
    require_perm(request, "service.view")
    queryset = _tickets(request)
    if params.overdue is not None:
        late = {"status__in": OPEN_STATUSES, "resolve_by__lt": timezone.now()}
        queryset = queryset.filter(**late) if params.overdue else queryset.exclude(**late)
    return listing(request, queryset, params)


@router.get("/tickets/{ticket_id}", response=TicketOut)
def ticket_get(request, ticket_id: int, response: HttpResponse):
    require_perm(request, "service.view")
    return with_etag(response, TicketOut.from_orm(_ticket(request, ticket_id)))


@router.post("/tickets", response={201: TicketOut})
def ticket_create(request, payload: TicketIn):
    """SRV-1: a ticket by the caller; branch, status, number and targets are the server's."""
    require_perm(request, "service.create")
    data = payload.model_dump()
    user = request.user
    ticket = services.ticket_create(
        actor=user, subject=data["subject"], description=data["description"],
        ticket_type=pick(TYPES, data["type"], "type") or _required("type"),
        severity=pick(SEVERITIES, data["severity"], "severity") or _required("severity"),
        customer=get_or_invalid(customer_selectors.customers_visible_to(user), data["customer_id"], "customer_id"),
        assignee=get_or_invalid(_active_people(), data["assignee_id"], "assignee_id"),
        contact_name=data["contact_name"], contact_email=data["contact_email"], contact_phone=data["contact_phone"],
        product=get_or_invalid(sales_selectors.products(), data["product_id"], "product_id"),
        order=get_or_invalid(sales_selectors.orders_visible_to(user), data["order_id"], "order_id"))
    return Status(201, _ticket(request, ticket.pk))


def _required(field):
    raise ValidationFailed(_("This field is required."), field=field)


@router.patch("/tickets/{ticket_id}", response=TicketOut)
def ticket_update(request, ticket_id: int, payload: TicketPatch, response: HttpResponse):
    """SRV-1: change the status (allowed moves only: 409 otherwise) and/or the assignee;
    a stale If-Match answers 412 and changes nothing."""
    require_perm(request, "service.edit")
    data = payload.model_dump(exclude_unset=True)
    assignee = get_or_invalid(_active_people(), data.get("assignee_id"), "assignee_id")

    def update(ticket):
        if "assignee_id" in data:
            services.ticket_assign(actor=request.user, ticket=ticket, assignee=assignee)
        if data.get("status"):
            services.ticket_set_status(actor=request.user, ticket=ticket, status=data["status"],
                                       note=data.get("note", ""))

    return patched(request, response, queryset=_tickets(request), pk=ticket_id, out=TicketOut, update=update)


@router.get("/tickets/{ticket_id}/entries", response=EntryPage)
def ticket_entries(request, ticket_id: int, cursor: str | None = None, limit: int | None = None):
    """SRV-1: the ticket's history lines (notes, replies, messages in, status changes), oldest first."""
    require_perm(request, "service.view")
    ticket = _ticket(request, ticket_id)
    entries = TicketEntry.objects.filter(ticket=ticket).prefetch_related("attachments")
    return cursor_list(request, entries, sort="created_at", allowed_sorts={"created_at"}, cursor=cursor, limit=limit)


@router.post("/tickets/{ticket_id}/replies", response={201: EntryOut})
def ticket_reply(request, ticket_id: int, payload: BodyIn):
    """SRV-7: answer the customer by e-mail (threaded); counts as the first response."""
    require_perm(request, "service.edit")
    return Status(201, services.ticket_reply(actor=request.user, ticket=_ticket(request, ticket_id),
                                             body=payload.body))


@router.post("/tickets/{ticket_id}/notes", response={201: EntryOut})
def ticket_note(request, ticket_id: int, payload: BodyIn):
    """SRV-1: an internal note (never sent to the customer)."""
    require_perm(request, "service.edit")
    return Status(201, services.ticket_note(actor=request.user, ticket=_ticket(request, ticket_id),
                                            body=payload.body))


