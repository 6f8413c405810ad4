"""analytics/alerts (ANA-8): quality alert rules and the alerts they fired, for the units
the caller oversees (like the pages)."""

import datetime
from decimal import Decimal

from django.http import Http404, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from guanxi.analytics import alerts
from guanxi.analytics.alert_models import AlertCondition, AlertPeriod, AlertUnit
from guanxi.org.models import Branch
from guanxi.org.scopes import departments_in_scope

from ...common import (
    InputSchema,
    ListParams,
    Money,
    Page,
    fields_named,
    page,
    patched,
    require_perm,
    resolved,
    with_etag,
)

router = Router(tags=["analytics"])
NAMES = {"branch": "branch_id", "department": "department_id"}


class AlertRuleOut(Schema):
    id: int
    name: str
    measure: str = Field(description="a measure code (GET /api/v1/analytics/measures lists them)")
    condition: AlertCondition
    threshold: Decimal = Field(description="amount or count (above/below), percent (rise/drop), k (anomaly)")
    history: int = Field(description="periods of history for anomaly")
    period: AlertPeriod
    unit: AlertUnit
    branch_id: int | None
    department_id: int | None
    is_active: bool
    created_at: datetime.datetime


class AlertRulePage(Page):
    items: list[AlertRuleOut]


class AlertRuleIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    measure: str = Field(..., max_length=60)
    condition: AlertCondition
    threshold: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    history: int = Field(6, ge=3, le=36)
    period: AlertPeriod = AlertPeriod.MONTH
    unit: AlertUnit = AlertUnit.COMPANY
    branch_id: int | None = None
    department_id: int | None = None
    is_active: bool = True


class AlertRulePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    measure: str | None = Field(None, max_length=60)
    condition: AlertCondition | None = None
    threshold: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    history: int | None = Field(None, ge=3, le=36)
    period: AlertPeriod | None = None
    unit: AlertUnit | None = None
    branch_id: int | None = None
    department_id: int | None = None
    is_active: bool | None = None


class AlertOut(Schema):
    id: int
    rule_id: int
    rule_name: str = Field(alias="rule.name")
    measure: str = Field(alias="rule.measure")
    period_start: datetime.date
    period_end: datetime.date = Field(description="exclusive")
    value: Money
    reference: Money | None = Field(description="the threshold, the period before or the mean it was compared with")
    message: str
    unit: AlertUnit
    branch_id: int | None
    department_id: int | None
    notified: int
    fired_at: datetime.datetime


class AlertPage(Page):
    items: list[AlertOut]


class AlertFilters(ListParams):
    rule_id: int | None = None


def _rule_data(request, data):
    return resolved(data, branch=Branch.objects.filter(is_active=True),
                    department=departments_in_scope(request.user))


def _rule(request, rule_id):
    rule = alerts.rules_visible_to(request.user).filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    return rule


@router.get("/analytics/alerts", response=AlertPage)
def alert_list(request, params: Query[AlertFilters]):
    """ANA-8: the alerts fired for the units the caller oversees, newest first."""
    require_perm(request, "analytics.view")
    queryset = alerts.alerts_visible_to(request.user)
    if params.rule_id is not None:
        queryset = queryset.filter(rule_id=params.rule_id)
    return page(request, queryset, params, sort="-fired_at", allowed={"fired_at", "id", "period_start"})


@router.get("/analytics/alert-rules", response=AlertRulePage)
def alert_rule_list(request, params: Query[ListParams]):
    """ANA-8: the rules for the units the caller oversees (analytics.manage)."""
    require_perm(request, "analytics.manage")
    return page(request, alerts.rules_visible_to(request.user), params, sort="name",
                allowed={"name", "id", "created_at"})


@router.post("/analytics/alert-rules", response={201: AlertRuleOut})
def alert_rule_create(request, payload: AlertRuleIn):
    require_perm(request, "analytics.manage")
    with fields_named(NAMES):
        return Status(201, alerts.alert_rule_save(actor=request.user, **_rule_data(request, payload.model_dump())))


@router.get("/analytics/alert-rules/{rule_id}", response=AlertRuleOut)
def alert_rule_get(request, rule_id: int, response: HttpResponse):
    require_perm(request, "analytics.manage")
    return with_etag(response, AlertRuleOut.from_orm(_rule(request, rule_id)))


@router.patch("/analytics/alert-rules/{rule_id}", response=AlertRuleOut)
def alert_rule_update(request, rule_id: int, payload: AlertRulePatch, response: HttpResponse):
    """Change a rule; honours If-Match."""
    require_perm(request, "analytics.manage")
    data = _rule_data(request, payload.model_dump(exclude_unset=True))
    with fields_named(NAMES):
        return patched(request, response, queryset=alerts.rules_visible_to(request.user), pk=rule_id,
                       out=AlertRuleOut, update=lambda rule: alerts.alert_rule_save(actor=request.user, rule=rule,
                                                                                   **data))


@router.delete("/analytics/alert-rules/{rule_id}", response={204: None})
def alert_rule_delete(request, rule_id: int):
    """Delete a rule and its alerts."""
    require_perm(request, "analytics.manage")
    alerts.alert_rule_delete(actor=request.user, rule=_rule(request, rule_id))
    return Status(204, None)
