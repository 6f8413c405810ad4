"""Daily work: work-plans, directives, news, competitors and notifications (WRK-1…5,
ANA-12). Same services, selectors and scopes as the screens."""

import datetime
from decimal import Decimal
from typing import Annotated

from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from guanxi.core import notifications
from guanxi.core.errors import Forbidden, ValidationFailed
from guanxi.core.models import Notification
from guanxi.core.periods import Period
from guanxi.customers import selectors as customer_selectors
from guanxi.org.models import Branch, Department, Role, User
from guanxi.sales import selectors as sales_selectors
from guanxi.workplace import directives, news, plans, selectors
from guanxi.workplace.models import (
    DirectiveAttachment,
    DirectiveKind,
    DirectivePriority,
    IntelType,
    NewsKind,
    NewsVisibility,
    PlanStatus,
)

from ..common import (
    InputSchema,
    ListParams,
    Money,
    cursor_list,
    fields_named,
    get_or_invalid,
    page,
    patched,
    require_perm,
    with_etag,
)

router = Router(tags=["daily work"])

MoneyIn = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


# --- work-plans (WRK-1) --------------------------------------------------------------
class WorkPlanOut(Schema):
    id: int
    owner_id: int
    branch_id: int
    day: datetime.date
    title: str
    notes: str
    customer_id: int | None
    opportunity_id: int | None
    status: PlanStatus
    progress: int
    result: str
    assigned_by_id: int | None
    carried_from_id: int | None
    carry_count: int
    completed_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class WorkPlanPage(Schema):
    items: list[WorkPlanOut]
    next_cursor: str | None


class WorkPlanIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    day: datetime.date | None = Field(None, description="default: today; not in the past")
    owner_id: int | None = Field(None, description="assign to someone in your scope (needs workplace.assign)")
    notes: str = Field("", max_length=2000)
    customer_id: int | None = None
    opportunity_id: int | None = None


class WorkPlanPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    day: datetime.date | None = None
    notes: str | None = Field(None, max_length=2000)
    customer_id: int | None = None
    opportunity_id: int | None = None
    progress: int | None = Field(None, ge=0, le=100)
    status: PlanStatus | None = None
    result: str | None = Field(None, max_length=2000)


class WorkPlanFilters(ListParams):
    owner_id: int | None = None
    day: datetime.date | None = None
    day_from: datetime.date | None = None
    day_to: datetime.date | None = None
    status: PlanStatus | None = None
    assigned: bool | None = Field(None, description="true: assigned by a manager; false: self-planned")


PLAN_NAMES = {"customer": "customer_id", "opportunity": "opportunity_id", "owner": "owner_id"}


def _links(request, data):
    """Resolve customer_id / opportunity_id through the caller's scope (422 if unknown)."""
    found = {}
    if "customer_id" in data:
        found["customer"] = get_or_invalid(customer_selectors.customers_visible_to(request.user),
                                           data.pop("customer_id"), "customer_id")
    if "opportunity_id" in data:
        found["opportunity"] = get_or_invalid(sales_selectors.opportunities_visible_to(request.user),
                                              data.pop("opportunity_id"), "opportunity_id")
    return found


@router.get("/work-plans", response=WorkPlanPage)
def work_plan_list(request, params: Query[WorkPlanFilters]):
    """WRK-1: plan items in the caller's scope."""
    require_perm(request, "workplace.view")
    queryset = selectors.plan_items_visible_to(request.user)
    if params.q:
        queryset = queryset.filter(Q(title__icontains=params.q) | Q(notes__icontains=params.q))
    for name, lookup in (("owner_id", "owner_id"), ("day", "day"), ("day_from", "day__gte"),
                         ("day_to", "day__lte"), ("status", "status")):
        value = getattr(params, name)
        if value is not None:
            queryset = queryset.filter(**{lookup: value})
    if params.assigned is not None:
        queryset = queryset.filter(assigned_by__isnull=not params.assigned)
    return page(request, queryset, params, sort="-day", allowed={"day", "created_at", "id", "progress"})


@router.get("/work-plans/{plan_id}", response=WorkPlanOut)
def work_plan_get(request, plan_id: int, response: HttpResponse):
    require_perm(request, "workplace.view")
    return with_etag(response, WorkPlanOut.from_orm(selectors.plan_item_get(request.user, plan_id)))


@router.post("/work-plans", response={201: WorkPlanOut})
def work_plan_create(request, payload: WorkPlanIn):
    """WRK-1: plan an item for yourself, or assign one to a person in your scope."""
    require_perm(request, "workplace.create")
    data = payload.model_dump()
    owner_id = data.pop("owner_id")
    owner = None
    if owner_id is not None and owner_id != request.user.pk:
        require_perm(request, "workplace.assign")
        owner = get_or_invalid(User.objects.filter(is_active=True), owner_id, "owner_id")
    links = _links(request, data)
    with fields_named(PLAN_NAMES):
        item = plans.plan_item_create(actor=request.user, owner=owner, **data, **links)
    return Status(201, item)


@router.patch("/work-plans/{plan_id}", response=WorkPlanOut)
def work_plan_update(request, plan_id: int, payload: WorkPlanPatch, response: HttpResponse):
    """WRK-1: change an item or record its progress; honours If-Match."""
    require_perm(request, "workplace.edit")
    data = payload.model_dump(exclude_unset=True)
    progress = {k: data.pop(k) for k in ("progress", "status", "result") if k in data}
    links = _links(request, data)

    def update(item):
        with fields_named(PLAN_NAMES):
            if data or links:
                item = plans.plan_item_update(actor=request.user, item=item, **data, **links)
            if progress:
                plans.plan_item_progress(actor=request.user, item=item, **progress)

    return patched(request, response, queryset=selectors.plan_items_visible_to(request.user), pk=plan_id,
                    out=WorkPlanOut, update=update)


@router.delete("/work-plans/{plan_id}", response={204: None})
def work_plan_delete(request, plan_id: int):
    require_perm(request, "workplace.delete")
    plans.plan_item_delete(actor=request.user, item=selectors.plan_item_get(request.user, plan_id))
    return Status(204, None)


# --- directives (WRK-2) ----------------------------------------------------------------
class ReceiptOut(Schema):
    user_id: int
    read_at: datetime.datetime | None
    acknowledged_at: datetime.datetime | None
    reminders_sent: int = 0


class MyReceipt(Schema):
    read_at: datetime.datetime | None
    acknowledged_at: datetime.datetime | None


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int

    @staticmethod
    def resolve_name(obj):
        return obj.original_name


class DirectiveOut(Schema):
    id: int
    title: str
    kind: DirectiveKind
    priority: DirectivePriority
    body: str = Field(description="sanitized HTML")
    requires_ack: bool
    ack_due_on: datetime.date | None
    to_everyone: bool
    branch_ids: list[int]
    department_ids: list[int]
    role_codes: list[str]
    issuer_id: int
    branch_id: int
    issued_at: datetime.datetime
    recipient_count: int
    acknowledged_count: int
    my_receipt: MyReceipt | None
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_branch_ids(obj):
        return sorted(b.pk for b in obj.branches.all())

    @staticmethod
    def resolve_department_ids(obj):
        return sorted(d.pk for d in obj.departments.all())

    @staticmethod
    def resolve_role_codes(obj):
        return sorted(r.code for r in obj.roles.all())

    @staticmethod
    def resolve_recipient_count(obj):
        return obj.recipient_total

    @staticmethod
    def resolve_acknowledged_count(obj):
        return obj.acknowledged_total

    @staticmethod
    def resolve_my_receipt(obj):
        if not obj.my_receipt:
            return None
        return {"read_at": obj.my_read_at, "acknowledged_at": obj.my_acknowledged_at}

    @staticmethod
    def resolve_attachments(obj):
        return sorted(obj.attachments.all(), key=lambda a: a.pk)


class DirectivePage(Schema):
    items: list[DirectiveOut]
    next_cursor: str | None


class DirectiveIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=60000, description="HTML (sanitized) or plain text")
    kind: DirectiveKind = DirectiveKind.DIRECTIVE
    priority: DirectivePriority = DirectivePriority.NORMAL
    requires_ack: bool = True
    ack_due_on: datetime.date | None = None
    to_everyone: bool = False
    branch_ids: list[int] = Field(default_factory=list, max_length=100)
    department_ids: list[int] = Field(default_factory=list, max_length=500)
    role_codes: list[str] = Field(default_factory=list, max_length=50)


class DirectiveFilters(ListParams):
    kind: DirectiveKind | None = None
    pending: bool | None = Field(None, description="true: waiting for the caller's acknowledgement")
    issuer_id: int | None = None


def _directives(request):
    return selectors.directives_visible_to(request.user).prefetch_related(
        "branches", "departments", "roles", "attachments")


def _directive(request, directive_id):
    directive = _directives(request).filter(pk=directive_id).first()
    if directive is None:
        raise Http404
    return directive


def _resolve_all(model, ids, field, key="pk"):
    found = list(model.objects.filter(**{f"{key}__in": ids}))
    missing = sorted(set(ids) - {getattr(o, key) for o in found})
    if missing:
        raise ValidationFailed(_("No such record: %(id)s.") % {"id": ", ".join(map(str, missing))}, field=field)
    return found


@router.get("/directives", response=DirectivePage)
def directive_list(request, params: Query[DirectiveFilters]):
    """WRK-2: directives the caller issued, received or has in scope."""
    require_perm(request, "workplace.view")
    queryset = _directives(request)
    if params.q:
        queryset = queryset.filter(Q(title__icontains=params.q) | Q(body__icontains=params.q))
    if params.kind:
        queryset = queryset.filter(kind=params.kind)
    if params.issuer_id is not None:
        queryset = queryset.filter(issuer_id=params.issuer_id)
    if params.pending is True:
        queryset = queryset.filter(requires_ack=True, my_receipt__isnull=False, my_acknowledged_at__isnull=True)
    elif params.pending is False:
        queryset = queryset.exclude(requires_ack=True, my_receipt__isnull=False, my_acknowledged_at__isnull=True)
    return page(request, queryset, params, sort="-issued_at", allowed={"issued_at", "id", "title"})


@router.get("/directives/{directive_id}", response=DirectiveOut)
def directive_get(request, directive_id: int):
    require_perm(request, "workplace.view")
    return _directive(request, directive_id)


@router.post("/directives", response={201: DirectiveOut})
def directive_create(request, payload: DirectiveIn):
    """WRK-2: issue a directive or document to everyone, branches, departments (with
    their sub-departments) or job roles; recipients are notified."""
    require_perm(request, "workplace.directive")
    data = payload.model_dump()
    audience = {
        "branches": _resolve_all(Branch, data.pop("branch_ids"), "branch_ids"),
        "departments": _resolve_all(Department, data.pop("department_ids"), "department_ids"),
        "roles": _resolve_all(Role, data.pop("role_codes"), "role_codes", key="code"),
    }
    directive = directives.directive_issue(actor=request.user, **data, **audience)
    return Status(201, _directive(request, directive.pk))


@router.post("/directives/{directive_id}/read", response=ReceiptOut)
def directive_read(request, directive_id: int):
    require_perm(request, "workplace.view")
    receipt = directives.directive_mark_read(actor=request.user, directive=selectors.directive_get(
        request.user, directive_id))
    if receipt is None:
        raise Forbidden()
    return receipt


@router.post("/directives/{directive_id}/acknowledge", response=ReceiptOut)
def directive_acknowledge(request, directive_id: int):
    """WRK-2: the caller (a recipient) acknowledges; again is a no-op."""
    require_perm(request, "workplace.view")
    return directives.directive_acknowledge(actor=request.user,
                                            directive=selectors.directive_get(request.user, directive_id))


class RemindOut(Schema):
    reminded: int


@router.post("/directives/{directive_id}/remind", response=RemindOut)
def directive_remind(request, directive_id: int):
    """WRK-2: remind the recipients who have not acknowledged (at most once a day each)."""
    require_perm(request, "workplace.directive")
    count = directives.directive_remind(actor=request.user,
                                        directive=selectors.directive_get(request.user, directive_id))
    return {"reminded": count}


class ReceiptFilters(Schema):
    pending: bool | None = Field(None, description="true: not acknowledged yet; false: acknowledged")


@router.get("/directives/{directive_id}/receipts", response=list[ReceiptOut])
def directive_receipts(request, directive_id: int, params: Query[ReceiptFilters]):
    """WRK-2: who has read and acknowledged (the issuer and those who may track it)."""
    require_perm(request, "workplace.view")
    directive = selectors.directive_get(request.user, directive_id)
    if not directives.can_track(request.user, directive):
        raise Forbidden()
    return list(selectors.directive_receipts(directive, pending=params.pending))


@router.post("/directives/{directive_id}/attachments", response={201: AttachmentOut})
def directive_attach(request, directive_id: int, file: File[UploadedFile]):
    """WRK-2: attach a file (multipart ``file``): PDF, JPEG, PNG, DOCX, XLSX or PPTX by
    its bytes, at most 20 MB, ten per directive."""
    require_perm(request, "workplace.directive")
    return Status(201, directives.directive_attach(
        actor=request.user, directive=selectors.directive_get(request.user, directive_id), upload=file))


@router.get("/directives/{directive_id}/attachments/{attachment_id}", response={200: None},
            openapi_extra={"responses": {200: {"description": "the file"}}})
def directive_attachment(request, directive_id: int, attachment_id: int):
    require_perm(request, "workplace.view")
    directive = selectors.directive_get(request.user, directive_id)
    attachment = get_object_or_404(DirectiveAttachment, pk=attachment_id, directive=directive)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=True,
                            filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- news (WRK-3) and competitors (WRK-4, ANA-12) ---------------------------------------
class NewsOut(Schema):
    id: int
    kind: NewsKind
    title: str
    body: str = Field(description="sanitized HTML")
    source: str
    source_url: str
    tags: list[str]
    visibility: NewsVisibility
    published_at: datetime.datetime
    owner_id: int
    branch_id: int
    competitor_id: int | None
    intel_type: str
    product: str
    price: Money | None
    currency: str

    @staticmethod
    def resolve_tags(obj):
        return sorted(t.name for t in obj.tags.all())


class NewsPage(Schema):
    items: list[NewsOut]
    next_cursor: str | None


class NewsIn(InputSchema):
    kind: NewsKind = NewsKind.INDUSTRY
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field("", max_length=40000, description="HTML (sanitized) or plain text")
    source: str = Field("", max_length=100)
    source_url: str = Field("", max_length=500, description="http(s) only")
    tags: list[str] = Field(default_factory=list, max_length=10)
    visibility: NewsVisibility = NewsVisibility.COMPANY
    competitor_id: int | None = None
    intel_type: IntelType | None = None
    product: str = Field("", max_length=200)
    price: MoneyIn | None = None
    currency: str = Field("CNY", min_length=3, max_length=3)


class NewsPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, max_length=40000)
    source: str | None = Field(None, max_length=100)
    source_url: str | None = Field(None, max_length=500)
    tags: list[str] | None = Field(None, max_length=10)
    visibility: NewsVisibility | None = None
    intel_type: IntelType | None = None
    product: str | None = Field(None, max_length=200)
    price: MoneyIn | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)


class IntelIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    intel_type: IntelType = IntelType.OTHER
    body: str = Field("", max_length=40000)
    product: str = Field("", max_length=200)
    price: MoneyIn | None = None
    currency: str = Field("CNY", min_length=3, max_length=3)
    source: str = Field("", max_length=100)
    source_url: str = Field("", max_length=500)
    tags: list[str] = Field(default_factory=list, max_length=10)
    visibility: NewsVisibility = NewsVisibility.COMPANY


class NewsFilters(ListParams):
    kind: NewsKind | None = None
    tag: str | None = Field(None, max_length=30)
    competitor_id: int | None = None
    intel_type: IntelType | None = None


def _news_data(request, data):
    if "competitor_id" in data:
        competitor_id = data.pop("competitor_id")
        data["competitor"] = get_or_invalid(selectors.competitors_visible_to(request.user), competitor_id,
                                            "competitor_id") if competitor_id is not None else None
    if data.get("intel_type") is None and "intel_type" in data:
        data["intel_type"] = ""
    return data


@router.get("/news", response=NewsPage)
def news_list(request, params: Query[NewsFilters]):
    """WRK-3: the tagged feed of industry news and competitor intelligence."""
    require_perm(request, "workplace.view")
    queryset = selectors.news_visible_to(request.user)
    if params.q:
        queryset = selectors.news_search(queryset, params.q)
    if params.tag:
        queryset = queryset.filter(pk__in=queryset.model.tags.through.objects.filter(
            newstag__name=params.tag).values("newsitem_id"))
    for name in ("kind", "competitor_id", "intel_type"):
        value = getattr(params, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    return page(request, queryset, params, sort="-published_at", allowed={"published_at", "id", "title"})


@router.get("/news/{news_id}", response=NewsOut)
def news_get(request, news_id: int, response: HttpResponse):
    require_perm(request, "workplace.view")
    return with_etag(response, NewsOut.from_orm(selectors.news_get(request.user, news_id)))


@router.post("/news", response={201: NewsOut})
def news_create(request, payload: NewsIn):
    require_perm(request, "workplace.create")
    data = _news_data(request, payload.model_dump())
    with fields_named({"competitor": "competitor_id"}):
        return Status(201, news.news_create(actor=request.user, **data))


@router.patch("/news/{news_id}", response=NewsOut)
def news_update(request, news_id: int, payload: NewsPatch, response: HttpResponse):
    """Change a news item (its author, or a manager over the author); honours If-Match."""
    require_perm(request, "workplace.edit")
    data = _news_data(request, payload.model_dump(exclude_unset=True))
    return patched(request, response, queryset=selectors.news_visible_to(request.user), pk=news_id, out=NewsOut,
                    update=lambda item: news.news_update(actor=request.user, item=item, **data))


@router.delete("/news/{news_id}", response={204: None})
def news_delete(request, news_id: int):
    """Move a news item to the recycle bin."""
    require_perm(request, "workplace.delete")
    news.news_delete(actor=request.user, item=selectors.news_get(request.user, news_id))
    return Status(204, None)


class CompetitorOut(Schema):
    id: int
    name: str
    intel_count: int
    won_count: int = Field(description="opportunities won against them that the caller may see")
    lost_count: int = Field(description="opportunities lost to them that the caller may see")


class CompetitorPage(Schema):
    items: list[CompetitorOut]
    next_cursor: str | None


class CompetitorDetail(CompetitorOut):
    won_amount: Money
    lost_amount: Money
    products: list[NewsOut] = Field(description="product and price intelligence, newest first")


class AnalysisRow(Schema):
    competitor_id: int
    name: str
    lost_count: int
    lost_amount: Money
    won_count: int
    won_amount: Money
    win_rate: float | None
    reasons: list[tuple[str, int]]


class AnalysisOut(Schema):
    date_from: datetime.date
    date_to: datetime.date
    lost_count: int
    lost_amount: Money
    lost_to_competitors: int
    rows: list[AnalysisRow]


class AnalysisParams(Schema):
    date_from: datetime.date | None = Field(None, description="default: 1 January this year")
    date_to: datetime.date | None = Field(None, description="inclusive; default: today")


@router.get("/competitors", response=CompetitorPage)
def competitor_list(request, params: Query[ListParams]):
    """WRK-4: competitors (customers of category competitor) with the caller's figures."""
    require_perm(request, "workplace.view")
    queryset = selectors.competitors_with_figures(request.user)
    if params.q:
        queryset = queryset.filter(name__icontains=params.q)
    return page(request, queryset, params, sort="name", allowed={"name", "id"})


@router.get("/competitors/analysis", response=AnalysisOut)
def competitor_analysis(request, params: Query[AnalysisParams]):
    """ANA-12: opportunities closed in the period, lost to and won against each competitor."""
    from django.utils import timezone

    from guanxi.analytics.competition import CompetitionReport

    require_perm(request, "workplace.view")
    today = timezone.localdate()
    start = params.date_from or datetime.date(today.year, 1, 1)
    end = params.date_to or today
    if end < start:
        raise ValidationFailed(_("The period ends before it starts."), field="date_to")
    if (end - start).days > 3660:
        raise ValidationFailed(_("Choose a period of at most ten years."), field="date_from")
    result = CompetitionReport(request.user, period=Period(start, end + datetime.timedelta(days=1))).run()
    return {"date_from": start, "date_to": end, "lost_count": result.lost_count, "lost_amount": result.lost_amount,
            "lost_to_competitors": result.lost_to_competitors,
            "rows": [{**row.__dict__, "win_rate": row.win_rate} for row in result.rows]}


@router.get("/competitors/{competitor_id}", response=CompetitorDetail)
def competitor_get(request, competitor_id: int):
    require_perm(request, "workplace.view")
    competitor = selectors.competitors_with_figures(request.user).filter(pk=competitor_id).first()
    if competitor is None:
        raise Http404
    figures = selectors.competitor_figures(request.user, [competitor.pk]).get(competitor.pk, {})
    competitor.won_amount = Decimal(figures.get("won_amount") or 0)
    competitor.lost_amount = Decimal(figures.get("lost_amount") or 0)
    competitor.products = list(selectors.news_visible_to(request.user).filter(
        competitor=competitor, intel_type__in=[IntelType.PRODUCT, IntelType.PRICE]).order_by("-published_at")[:50])
    return competitor


@router.post("/competitors/{competitor_id}/intel", response={201: NewsOut})
def competitor_intel(request, competitor_id: int, payload: IntelIn):
    """WRK-4: record intelligence on a competitor (a product, a price, a deal, …)."""
    require_perm(request, "workplace.create")
    competitor = selectors.competitor_get(request.user, competitor_id)
    return Status(201, news.news_create(actor=request.user, kind=NewsKind.COMPETITOR, competitor=competitor,
                                        **payload.model_dump()))


# --- notifications ----------------------------------------------------------------------
class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None


class NotificationFilters(Schema):
    limit: int | None = None
    cursor: str | None = None
    unread: bool | None = None
    kind: str | None = Field(None, max_length=40)


class UnreadOut(Schema):
    unread: int


class MarkReadIn(InputSchema):
    ids: list[int] | None = Field(None, max_length=1000, description="omit to mark every notice read")


class MarkedOut(Schema):
    marked: int


class PreferenceOut(Schema):
    kind: str
    label: str
    in_app: bool
    email: bool
    digest: bool


class PreferenceIn(InputSchema):
    kind: str = Field(..., max_length=40)
    in_app: bool
    email: bool
    digest: bool


def _preferences(user):
    labels = {k.code: str(k.label) for k in notifications.kinds()}
    return [{"kind": code, "label": labels[code], "in_app": c.in_app, "email": c.email, "digest": c.digest}
            for code, c in notifications.preferences_of(user).items()]


@router.get("/notifications", response=NotificationPage)
def notification_list(request, params: Query[NotificationFilters]):
    """The caller's own notices, newest first."""
    queryset = Notification.objects.filter(recipient=request.user)
    if params.unread is not None:
        queryset = queryset.filter(read_at__isnull=params.unread)
    if params.kind:
        queryset = queryset.filter(kind=params.kind)
    return cursor_list(request, queryset, sort="-created_at", allowed_sorts={"created_at"}, cursor=params.cursor,
                       limit=params.limit)


@router.get("/notifications/unread-count", response=UnreadOut)
def notification_unread(request):
    return {"unread": notifications.unread_count(request.user)}


@router.post("/notifications/mark-read", response=MarkedOut)
def notification_mark_all(request, payload: MarkReadIn):
    return {"marked": notifications.mark_read(request.user, payload.ids)}


@router.get("/notifications/preferences", response=list[PreferenceOut])
def notification_preferences(request):
    """Per kind of notice: in the app, by e-mail, in the daily digest."""
    return _preferences(request.user)


@router.put("/notifications/preferences", response=list[PreferenceOut])
def notification_preferences_set(request, payload: list[PreferenceIn]):
    """Set the listed kinds (others keep theirs); an unknown kind is a 422 and changes nothing."""
    notifications.preferences_save(actor=request.user, choices={
        p.kind: notifications.Channels(p.in_app, p.email, p.digest) for p in payload})
    return _preferences(request.user)


@router.get("/notifications/{notification_id}", response=NotificationOut)
def notification_get(request, notification_id: int):
    return get_object_or_404(Notification, pk=notification_id, recipient=request.user)


@router.post("/notifications/{notification_id}/read", response=NotificationOut)
def notification_read(request, notification_id: int):
    notice = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    notifications.mark_read(request.user, [notice.pk])
    notice.refresh_from_db()
    return notice
