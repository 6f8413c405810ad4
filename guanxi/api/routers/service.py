"""tickets, flows, kb-articles, surveys and calls (API.md; SRV-1 tickets, SRV-3 flows, SRV-5
knowledge base, SRV-6 surveys, SRV-7 intake by phone, ORG-3 scopes).

Tickets are read through the service selectors (out of scope: 404) and changed by the
service's guarded state changes; only status and assignee can be PATCHed, with If-Match.
Flows are configuration (service.manage); publishing freezes a new version. Calls are
posted by a telephony system with the token of an integration user holding
service.create; a repeated ``call_id`` answers 200 with the first record.
"""

import datetime
from typing import Any, ClassVar, Literal

from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from guanxi.core.errors import ValidationFailed
from guanxi.customers import selectors as customer_selectors
from guanxi.org.selectors import employees
from guanxi.sales import selectors as sales_selectors
from guanxi.service import caller, flow_services, intake, knowledge, selectors, services
from guanxi.service.models import (
    Article,
    EntryKind,
    Flow,
    TicketChannel,
    TicketEntry,
    TicketStatus,
)

from ..common import (
    InputSchema,
    ListParams,
    code_of,
    cursor_list,
    fields_named,
    get_or_invalid,
    listing,
    patched,
    pick,
    require_perm,
    with_etag,
)

router = Router(tags=["service"])

TYPES, SEVERITIES, CATEGORIES = "service.ticket_type", "service.severity", "service.kb_category"


def _active_people():
    return employees().filter(is_active=True)


class _TypeAndSeverity(Schema):
    """Tickets and flows name their type and severity by pick-list code."""

    @staticmethod
    def resolve_type(obj):
        return code_of(obj.ticket_type)

    @staticmethod
    def resolve_severity(obj):
        return code_of(obj.severity)


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


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


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


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int

    @staticmethod
    def resolve_name(obj):
        return obj.original_name


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


class EntryPage(Schema):
    items: list[EntryOut]
    next_cursor: str | None


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
        from django.utils import timezone

        from guanxi.service.models import OPEN_STATUSES

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


class FlowPage(Schema):
    items: list[FlowOut]
    next_cursor: str | None


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


@router.get("/flows", response=FlowPage)
def flow_list(request, params: Query[ListParams]):
    """SRV-3: the handling flows (configuration: service.manage)."""
    require_perm(request, "service.manage")
    return listing(request, _flows(), params)


@router.get("/flows/{flow_id}", response=FlowOut)
def flow_get(request, flow_id: int):
    require_perm(request, "service.manage")
    return get_or_404(_flows(), flow_id)


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
    from django.http import Http404

    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- knowledge base (SRV-5) --------------------------------------------------------------------
class ArticleOut(Schema):
    id: int
    title: str
    body: str
    category: str | None = Field(description="pick-list code (service.kb_category)")
    is_published: bool
    author_id: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_category(obj):
        return code_of(obj.category)


class ArticlePage(Schema):
    items: list[ArticleOut]
    next_cursor: str | None


class ArticleIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=50000)
    category: str | None = Field(None, max_length=40)
    is_published: bool = True
    ticket_ids: list[int] = Field([], max_length=100, description="tickets this article solves (in your scope)")


class ArticlePatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=50000)
    category: str | None = Field(None, max_length=40)
    is_published: bool | None = None


class ArticleFilters(ListParams):
    q: str | None = Field(None, max_length=200, description="search (Chinese-aware), best match first")
    category: str | None = Field(None, max_length=40)
    published: bool | None = None

    lookups: ClassVar = {"category": "category__code", "published": "is_published"}
    sorts: ClassVar = {"created_at", "updated_at", "id"}
    sort: ClassVar = "-updated_at"


def _articles(request):
    return selectors.articles(published_only=not request.user.has_module_perm("service.edit"))


def _tickets_named(request, ids):
    visible = selectors.tickets_visible_to(request.user)
    return [get_or_invalid(visible, pk, f"ticket_ids.{index}") for index, pk in enumerate(ids)]


@router.get("/kb-articles", response=ArticlePage)
def article_list(request, params: Query[ArticleFilters]):
    """SRV-5: the knowledge base; with ``q`` the best matches first (no further pages)."""
    require_perm(request, "service.view")
    if not params.q:
        return listing(request, _articles(request), params)
    queryset = _articles(request).filter(**{lookup: getattr(params, name) for name, lookup in params.lookups.items()
                                            if getattr(params, name) is not None})
    limit = params.limit or 20
    if not 1 <= limit <= 200:
        raise ValidationFailed(_("limit must be between 1 and %(max)d.") % {"max": 200}, field="limit")
    ranked = [article.pk for article, _score in knowledge.search(queryset, params.q, limit=limit)]
    found = queryset.in_bulk(ranked)
    return {"items": [found[pk] for pk in ranked if pk in found], "next_cursor": None}


@router.get("/kb-articles/{article_id}", response=ArticleOut)
def article_get(request, article_id: int, response: HttpResponse):
    require_perm(request, "service.view")
    return with_etag(response, ArticleOut.from_orm(get_or_404(_articles(request), article_id)))


@router.post("/kb-articles", response={201: ArticleOut})
def article_create(request, payload: ArticleIn):
    require_perm(request, "service.edit")
    article = services.article_save(actor=request.user, title=payload.title, body=payload.body,
                                    category=pick(CATEGORIES, payload.category, "category"),
                                    is_published=payload.is_published,
                                    tickets=_tickets_named(request, payload.ticket_ids))
    return Status(201, article)


@router.patch("/kb-articles/{article_id}", response=ArticleOut)
def article_update(request, article_id: int, payload: ArticlePatch, response: HttpResponse):
    """SRV-5: change an article; a stale If-Match answers 412 and changes nothing."""
    require_perm(request, "service.edit")
    data = payload.model_dump(exclude_unset=True)
    category = pick(CATEGORIES, data["category"], "category") if "category" in data else None

    def update(article):
        with fields_named({}):
            services.article_save(
                actor=request.user, article=article, title=data.get("title", article.title),
                body=data.get("body", article.body),
                category=category if "category" in data else article.category,
                is_published=data.get("is_published", article.is_published))

    return patched(request, response, queryset=Article.objects.select_related("category"), pk=article_id,
                   out=ArticleOut, update=update)


# --- surveys (SRV-6) ---------------------------------------------------------------------------
class SurveyOut(Schema):
    id: int
    ticket_id: int
    ticket_number: str
    sent_at: datetime.datetime
    answered_at: datetime.datetime | None
    rating: int | None = Field(description="1–5 once answered")
    comment: str
    agent_id: int | None
    department_id: int | None
    branch_id: int

    @staticmethod
    def resolve_ticket_number(obj):
        return obj.ticket.number


class SurveyPage(Schema):
    items: list[SurveyOut]
    next_cursor: str | None


class SurveyFilters(ListParams):
    answered: bool | None = None
    rating: int | None = Field(None, ge=1, le=5)
    agent_id: int | None = None
    branch_id: int | None = None

    lookups: ClassVar = {"rating": "rating", "agent_id": "agent_id", "branch_id": "branch_id"}
    sorts: ClassVar = {"sent_at", "id"}
    sort: ClassVar = "-sent_at"


@router.get("/surveys", response=SurveyPage)
def survey_list(request, params: Query[SurveyFilters]):
    """SRV-6: satisfaction results in the caller's scope (agent, branch)."""
    require_perm(request, "service.view")
    queryset = selectors.surveys_visible_to(request.user)
    if params.answered is not None:
        queryset = queryset.filter(answered_at__isnull=not params.answered)
    return listing(request, queryset, params)


@router.get("/surveys/{survey_id}", response=SurveyOut)
def survey_get(request, survey_id: int):
    require_perm(request, "service.view")
    return get_or_404(selectors.surveys_visible_to(request.user), survey_id)


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


class CallPage(Schema):
    items: list[CallOut]
    next_cursor: str | None


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


@router.get("/calls", response=CallPage)
def call_list(request, params: Query[ListParams]):
    """SRV-7: calls in the caller's scope (their own, their team's, their customers')."""
    require_perm(request, "service.view")
    return listing(request, caller.calls_visible_to(request.user), params)


@router.get("/calls/{call_id}", response=CallOut)
def call_get(request, call_id: int):
    require_perm(request, "service.view")
    return caller.call_get(request.user, call_id)

