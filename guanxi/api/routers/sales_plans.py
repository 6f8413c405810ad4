"""targets, commission-statements and the sales reports (funnel, forecast, performance)."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import PlainSerializer

from guanxi.analytics.forecast import ForecastReport
from guanxi.analytics.funnel import FunnelReport
from guanxi.analytics.performance import PerformanceReport
from guanxi.core.errors import ValidationFailed
from guanxi.core.money import fen
from guanxi.core.periods import Period, add_months, month_start
from guanxi.finance import commissions
from guanxi.org.models import Branch, Department, User
from guanxi.sales.models import Pipeline, TargetLevel
from guanxi.sales.services import default_pipeline
from guanxi.sales.targets import progress_for, targets_set_year, targets_visible_to

from ..common import MONTH_PATTERN, InputSchema, Page, cursor_list, get_or_invalid, require_perm

router = Router(tags=["sales"])

Money = Annotated[Decimal, PlainSerializer(lambda value: str(fen(value)), return_type=str)]
MoneyIn = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


# --- targets ---------------------------------------------------------------------------
class TargetOut(Schema):
    id: int
    year: int
    month: int = Field(description="0 for the whole year")
    level: TargetLevel
    branch_id: int
    department_id: int | None
    user_id: int | None
    amount: Money
    new_customers: int
    ordered: Money
    received: Money
    new_customers_done: int
    amount_percent: float | None
    currency: str = "CNY"


def _target_out(progress):
    target = progress.target
    return TargetOut(id=target.pk, year=target.year, month=target.month, level=target.level,
                     branch_id=target.branch_id, department_id=target.department_id, user_id=target.user_id,
                     amount=target.amount, new_customers=target.new_customers, ordered=progress.ordered,
                     received=progress.received, new_customers_done=progress.new_customers,
                     amount_percent=progress.amount_percent)


class TargetPage(Page):
    items: list[TargetOut]


class MonthIn(InputSchema):
    amount: MoneyIn | None = None
    new_customers: int | None = Field(None, ge=0, le=1_000_000)


class TargetIn(InputSchema):
    level: TargetLevel
    subject_id: int = Field(description="The branch, department or user the target is for")
    year: int = Field(..., ge=2000, le=2100)
    amount: MoneyIn
    new_customers: int = Field(0, ge=0, le=1_000_000)
    months: list[MonthIn] | None = Field(None, min_length=12, max_length=12,
                                         description="Twelve months; empty ones take a twelfth of the year")


@router.get("/targets", response=TargetPage)
def target_list(request, year: int | None = Query(None, ge=2000, le=2100), month: int | None = Query(None, ge=0, le=12),
                level: TargetLevel | None = None, user_id: int | None = None, cursor: str | None = None,
                limit: int | None = None):
    """Targets the caller may see, with their completion (ordered, received, new customers)."""
    require_perm(request, "sales.view")
    year = year or timezone.localdate().year
    queryset = targets_visible_to(request.user).filter(year=year)
    if month is not None:
        queryset = queryset.filter(month=month)
    if level is not None:
        queryset = queryset.filter(level=level)
    if user_id is not None:
        queryset = queryset.filter(user_id=user_id)
    page = cursor_list(request, queryset, sort="id", allowed_sorts={"id"}, cursor=cursor, limit=limit)
    return {"items": [_target_out(p) for p in progress_for(request.user, page["items"], year)],
            "next_cursor": page["next_cursor"]}


@router.post("/targets", response={201: TargetOut})
def target_set(request, payload: TargetIn):
    """Set a year's target (and optionally its months) for a branch, department or person."""
    require_perm(request, "sales.targets")
    model = {TargetLevel.BRANCH: Branch, TargetLevel.DEPARTMENT: Department, TargetLevel.PERSON: User}[payload.level]
    subject = get_or_invalid(model.objects.all(), payload.subject_id, "subject_id")  # type: ignore[attr-defined]
    months = None if payload.months is None else [(m.amount, m.new_customers) for m in payload.months]
    target = targets_set_year(actor=request.user, level=payload.level, subject=subject, year=payload.year,
                              amount=payload.amount, new_customers=payload.new_customers, months=months)
    return Status(201, _target_out(progress_for(request.user, [target], target.year)[0]))


# --- commission statements ---------------------------------------------------------------
class StatementOut(Schema):
    id: int
    user_id: int
    branch_id: int
    month: str = Field(description="YYYY-MM")
    basis_amount: Money
    commission: Money
    base_salary: Money
    allowance: Money
    bonus: Money
    deductions: Money
    expenses: Money
    total_pay: Money
    status: str
    rule: dict
    currency: str = "CNY"

    @staticmethod
    def resolve_month(obj):
        return obj.month.strftime("%Y-%m")

    @staticmethod
    def resolve_rule(obj):
        return obj.rule_snapshot


class StatementPage(Page):
    items: list[StatementOut]


def _statements(request):
    """One's own statements, or those in scope for people who manage pay."""
    queryset = commissions.statements_visible_to(request.user)
    if not request.user.has_module_perm("sales.commissions"):
        queryset = queryset.filter(user=request.user)
    return queryset


@router.get("/commission-statements", response=StatementPage)
def statement_list(request, month: str | None = Query(None, pattern=MONTH_PATTERN), user_id: int | None = None,
                   cursor: str | None = None, limit: int | None = None):
    require_perm(request, "sales.view")
    queryset = _statements(request)
    if month:
        queryset = queryset.filter(month=datetime.date.fromisoformat(f"{month}-01"))
    if user_id is not None:
        queryset = queryset.filter(user_id=user_id)
    return cursor_list(request, queryset, sort="-month", allowed_sorts={"month"}, cursor=cursor, limit=limit)


@router.get("/commission-statements/{statement_id}", response=StatementOut)
def statement_get(request, statement_id: int):
    require_perm(request, "sales.view")
    statement = _statements(request).filter(pk=statement_id).first()
    if statement is None:
        raise Http404
    return statement


class GenerateIn(InputSchema):
    month: str = Field(..., pattern=MONTH_PATTERN)


@router.post("/commission-statements", response=list[StatementOut])
def statement_generate(request, payload: GenerateIn):
    """(Re)compute the month's drafts for the salespeople in scope; confirmed ones stay."""
    require_perm(request, "sales.commissions")
    return commissions.statements_generate(actor=request.user,
                                           month=datetime.date.fromisoformat(f"{payload.month}-01"))


@router.post("/commission-statements/{statement_id}/confirm", response=StatementOut)
def statement_confirm(request, statement_id: int):
    require_perm(request, "sales.commissions")
    statement = _statements(request).filter(pk=statement_id).first()
    if statement is None:
        raise Http404
    return commissions.statement_confirm(actor=request.user, statement=statement)


# --- reports -----------------------------------------------------------------------------
class PeriodParams(Schema):
    start: datetime.date | None = Field(None, description="First day; default the first of this month")
    end: datetime.date | None = Field(None, description="Last day (inclusive); default the end of this month")


def _period(params):
    first = params.start or month_start(timezone.localdate())
    last = params.end or (add_months(first, 1) - datetime.timedelta(days=1))
    if last < first or (last - first).days > 3660:
        raise ValidationFailed(_("The period ends before it starts or is longer than ten years."), field="end")
    return Period(first, last + datetime.timedelta(days=1))


class FunnelStageOut(Schema):
    stage_id: int
    name: str
    probability: int
    count: int
    amount: Money
    reached: int
    conversion_to_next: float | None


class FunnelGroupOut(Schema):
    key: int | None
    label: str
    total: int
    open_count: int
    open_amount: Money
    weighted_amount: Money
    won_count: int
    won_amount: Money
    lost_count: int
    win_rate: float | None
    cycle_days: float | None


class FunnelOut(Schema):
    stages: list[FunnelStageOut]
    summary: FunnelGroupOut | None
    groups: list[FunnelGroupOut]


def _group_out(row):
    return FunnelGroupOut(key=row.key, label=row.label, total=row.total, open_count=row.open_count,
                          open_amount=row.open_amount, weighted_amount=row.weighted_amount, won_count=row.won_count,
                          won_amount=row.won_amount, lost_count=row.lost_count, win_rate=row.win_rate,
                          cycle_days=row.cycle_days)


@router.get("/reports/funnel", response=FunnelOut)
def report_funnel(request, period: Query[PeriodParams],
                  group: Literal["person", "department", "branch"] = "person", pipeline_id: int | None = None):
    """SAL-2: count, amount and reach per stage; conversion; win rate; cycle; per group."""

    require_perm(request, "analytics.view")
    pipeline = get_or_invalid(Pipeline.objects.all(), pipeline_id, "pipeline_id") if pipeline_id else \
        default_pipeline()
    result = FunnelReport(request.user, pipeline=pipeline, period=_period(period), group=group).run()
    return FunnelOut(
        stages=[FunnelStageOut(stage_id=r.stage.pk, name=r.stage.name, probability=r.stage.probability,
                               count=r.count, amount=r.amount, reached=r.reached, conversion_to_next=r.conversion)
                for r in result.stages],
        summary=_group_out(result.summary) if result.summary.total else None,
        groups=[_group_out(g) for g in result.groups])


class ForecastMonthOut(Schema):
    month: str
    open_count: int
    amount: Money
    weighted: Money
    projection: Money
    forecast: Money


class BacktestOut(Schema):
    month: str
    actual: Money
    weighted: Money
    projection: Money
    forecast: Money


class ForecastOut(Schema):
    months: list[ForecastMonthOut]
    backtest: list[BacktestOut]
    pipeline_weight: Money = Field(description="Share of the weighted pipeline in the forecast (0–1)")
    errors: dict = Field(description="WAPE in % of each method in the back-test")


@router.get("/reports/forecast", response=ForecastOut)
def report_forecast(request, months: int = Query(6, ge=1, le=24)):
    """SAL-11: weighted pipeline, history projection and their blend, with the back-test."""

    require_perm(request, "analytics.view")
    result = ForecastReport(request.user, months_ahead=months).run()
    return ForecastOut(
        months=[ForecastMonthOut(month=m.month.strftime("%Y-%m"), open_count=m.count, amount=m.amount,
                                 weighted=m.weighted, projection=m.projection, forecast=m.blend)
                for m in result.months],
        backtest=[BacktestOut(month=r.month.strftime("%Y-%m"), actual=r.actual, weighted=r.weighted,
                              projection=r.projection, forecast=r.blend) for r in result.backtest],
        pipeline_weight=result.weight, errors=result.errors)


class PerformanceOut(Schema):
    rank: int
    key: int | None
    label: str
    new_customers: int
    interactions: int
    visits: int
    won_count: int
    won_amount: Money
    order_count: int
    order_amount: Money
    received_amount: Money


@router.get("/reports/performance", response=list[PerformanceOut])
def report_performance(request, period: Query[PeriodParams],
                       group: Literal["person", "department", "branch"] = "person",
                       sort: Literal["order_amount", "received_amount", "won_amount", "won_count", "new_customers",
                                     "interactions"] = "order_amount"):
    """SAL-7: per person, department or branch, ranked."""

    require_perm(request, "analytics.view")
    return PerformanceReport(request.user, period=_period(period), group=group, sort=sort).run()
