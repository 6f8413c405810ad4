"""marketing/capture: target groups (MKT-1), event and survey forms with their responses
and check-in, referrals (MKT-5), the marketing department's forms (MKT-7) (API.md)."""

import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.errors import ValidationFailed
from guanxi.marketing import audience
from guanxi.marketing.models import FormKind, ReportKind, ReportStatus, ResponseStatus
from guanxi.marketing.selectors import capture as selectors
from guanxi.marketing.services import capture as services
from guanxi.sales.selectors import lead_get

from ...common import InputSchema, ListParams, Money, page, require_perm
from ...routes import get_route

router = Router()
Dimension = Literal["industry", "occupation", "age", "region", "value_tier", "stage"]


# --- target groups (MKT-1) ---------------------------------------------------------------------
class TargetGroupParams(Schema):
    dimension: Dimension = "industry"
    cross: Dimension | None = Field(None, description="a second dimension: answers the cross-tab")
    branch_id: int | None = None
    owner_id: int | None = None
    kind: Literal["company", "individual"] | None = None
    level_id: int | None = None


class TargetGroupOut(Schema):
    key: str = Field(description="the group's value ('' for not given)")
    label: str
    customers: int
    share: float | None = Field(description="percent of the customers counted")
    sales_12m: Money
    currency: str = "CNY"


class CrossCellOut(Schema):
    row: str
    column: str
    customers: int


class TargetGroupsOut(Schema):
    dimension: str
    total_customers: int
    total_sales_12m: Money
    sales_since: datetime.date
    items: list[TargetGroupOut]
    cross: str | None = None
    cells: list[CrossCellOut] = []


@router.get("/target-groups", response=TargetGroupsOut)
def target_groups(request, params: Query[TargetGroupParams]):
    """MKT-1: the customers the caller sees, per group of ``dimension`` (count, share,
    sales of the last 12 months); with ``cross``, the customers per pair of groups."""
    require_perm(request, "marketing.view")
    filters = {"branch": params.branch_id, "owner": params.owner_id, "kind": params.kind, "level": params.level_id}
    result = audience.analyse(request.user, params.dimension, filters)
    body = {"dimension": params.dimension, "total_customers": result.total_customers,
            "total_sales_12m": result.total_sales, "sales_since": result.since,
            "items": [{"key": g.key, "label": g.label, "customers": g.customers,
                       "share": float(g.share) if g.share is not None else None, "sales_12m": g.sales}
                      for g in result.groups]}
    if params.cross and params.cross != params.dimension:
        crosstab = audience.cross_tab(request.user, params.dimension, params.cross, filters)
        body["cross"] = params.cross
        body["cells"] = [{"row": r, "column": c, "customers": n} for (r, c), n in sorted(crosstab.cells.items())]
    return body


# --- forms and responses (MKT-5) ---------------------------------------------------------------
class MarketingFormOut(Schema):
    id: int
    kind: FormKind
    name: str
    slug: str
    fields: list[dict]
    campaign_id: int | None
    event_starts_at: datetime.datetime | None
    event_place: str
    capacity: int | None
    is_active: bool
    owner_id: int
    branch_id: int
    created_at: datetime.datetime


class MarketingFormPage(Schema):
    items: list[MarketingFormOut]
    next_cursor: str | None


class FormFilters(ListParams):
    kind: FormKind | None = None


@router.get("/marketing-forms", response=MarketingFormPage)
def marketing_form_list(request, params: Query[FormFilters]):
    require_perm(request, "marketing.view")
    queryset = selectors.forms_visible_to(request.user)
    if params.kind:
        queryset = queryset.filter(kind=params.kind)
    if params.q:
        queryset = queryset.filter(name__icontains=params.q)
    return page(request, queryset, params, allowed={"created_at", "id", "name"})


get_route(router, "/marketing-forms", name="marketing_form", id_name="form_id", perm="marketing.view",
          out=MarketingFormOut, get=selectors.form_get)


class ResponseOut(Schema):
    id: int
    form_id: int
    name: str
    mobile: str
    email: str
    status: ResponseStatus
    answers: dict
    lead_id: int | None
    referral_code: str
    utm: dict
    submitted_at: datetime.datetime
    attended_at: datetime.datetime | None


class ResponsePage(Schema):
    items: list[ResponseOut]
    next_cursor: str | None


class ResponseFilters(ListParams):
    status: ResponseStatus | None = None


@router.get("/marketing-forms/{form_id}/responses", response=ResponsePage)
def form_response_list(request, form_id: int, params: Query[ResponseFilters]):
    require_perm(request, "marketing.view")
    queryset = selectors.responses_of_form(request.user, selectors.form_get(request.user, form_id))
    if params.status:
        queryset = queryset.filter(status=params.status)
    return page(request, queryset, params, sort="-submitted_at", allowed={"submitted_at", "id"})


@router.post("/form-responses/{response_id}/check-in", response=ResponseOut)
def form_response_check_in(request, response_id: int):
    """Mark a registered person as attended."""
    require_perm(request, "marketing.edit")
    return services.response_check_in(actor=request.user, response=selectors.response_get(request.user, response_id))


# --- referrals (MKT-5) -------------------------------------------------------------------------
class ReferralIn(InputSchema):
    lead_id: int
    code: str = Field(..., min_length=4, max_length=16)


class ReferralOut(Schema):
    id: int
    lead_id: int
    code: str
    referrer_id: int = Field(description="the referring customer")
    created_at: datetime.datetime
    converted_at: datetime.datetime | None

    @staticmethod
    def resolve_code(obj):
        return obj.code.code

    @staticmethod
    def resolve_referrer_id(obj):
        return obj.code.customer_id


@router.post("/referrals", response={201: ReferralOut})
def referral_create(request, payload: ReferralIn):
    """A lead that arrived with ``?ref=CODE`` elsewhere (a shop, a call centre): link it to
    the referring customer."""
    require_perm(request, "sales.edit")
    lead = lead_get(request.user, payload.lead_id)
    return Status(201, services.referral_link(actor=request.user, lead=lead, code=payload.code))


class ReferralPage(Schema):
    items: list[ReferralOut]
    next_cursor: str | None


class ReferralFilters(ListParams):
    converted: bool | None = None


@router.get("/referrals", response=ReferralPage)
def referral_list(request, params: Query[ReferralFilters]):
    require_perm(request, "marketing.view")
    queryset = selectors.referrals_visible_to(request.user)
    if params.converted is not None:
        queryset = queryset.filter(converted_at__isnull=not params.converted)
    return page(request, queryset, params, allowed={"created_at", "id"})


# --- department forms (MKT-7) ------------------------------------------------------------------
class ReportOut(Schema):
    id: int
    kind: ReportKind
    title: str
    period: datetime.date
    status: ReportStatus
    data: dict
    owner_id: int
    branch_id: int
    department_id: int | None
    reviewed_by_id: int | None
    reviewed_at: datetime.datetime | None


class ReportPage(Schema):
    items: list[ReportOut]
    next_cursor: str | None


class ReportFilters(ListParams):
    kind: ReportKind | None = None
    status: ReportStatus | None = None


class ReportIn(InputSchema):
    kind: ReportKind
    title: str = Field(..., min_length=1, max_length=160)
    period: datetime.date
    data: dict[str, str] = Field(default_factory=dict)


@router.get("/marketing-reports", response=ReportPage)
def report_list(request, params: Query[ReportFilters]):
    require_perm(request, "marketing.view")
    queryset = selectors.reports_visible_to(request.user)
    for name in ("kind", "status"):
        if getattr(params, name):
            queryset = queryset.filter(**{name: getattr(params, name)})
    return page(request, queryset, params, sort="-period", allowed={"period", "id", "created_at"})


@router.post("/marketing-reports", response={201: ReportOut})
def report_create(request, payload: ReportIn):
    require_perm(request, "marketing.create")
    return Status(201, services.report_create(actor=request.user, kind=payload.kind, title=payload.title,
                                              period=payload.period, content=payload.data))


get_route(router, "/marketing-reports", name="report", perm="marketing.view", out=ReportOut,
          get=selectors.report_get)


class ReviewIn(InputSchema):
    decision: Literal["approve", "return"]
    note: str = Field("", max_length=300)


@router.post("/marketing-reports/{report_id}/submit", response=ReportOut)
def report_submit(request, report_id: int):
    require_perm(request, "marketing.edit")
    return services.report_submit(actor=request.user, report=selectors.report_get(request.user, report_id))


@router.post("/marketing-reports/{report_id}/review", response=ReportOut)
def report_review(request, report_id: int, payload: ReviewIn):
    require_perm(request, "marketing.manage")
    report = selectors.report_get(request.user, report_id)
    if payload.decision == "return" and not payload.note.strip():
        raise ValidationFailed(_("Say why the form goes back."), field="note")
    return services.report_review(actor=request.user, report=report, approve=payload.decision == "approve",
                                  note=payload.note)
