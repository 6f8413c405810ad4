"""analytics/clv (ANA-4): churn probability, expected purchases and lifetime value per
customer, the last run's parameters and back-test; scoped like the page."""

import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from guanxi.analytics.basket import bought_by, cross_sell, up_sell
from guanxi.analytics.clv import at_risk, clv_of, latest_job, totals
from guanxi.analytics.clv_models import JobKind
from guanxi.customers.models import Customer
from guanxi.org.scopes import scoped

from ...common import ListParams, Page, page, require_perm

router = Router(tags=["analytics"])


class CustomerClvOut(Schema):
    customer_id: int
    customer: str
    purchases: int = Field(description="days with a confirmed order")
    first_order: datetime.date
    last_order: datetime.date
    spend: Decimal
    churn: float = Field(description="1 − P(alive), BG/NBD")
    expected_90: float = Field(description="purchases expected in the next 90 days")
    average_value: Decimal = Field(description="Gamma-Gamma expected value of a purchase")
    clv: Decimal = Field(description="the next 12 months, discounted by 1 % a month")
    value_at_risk: Decimal = Field(description="churn × yearly spend so far")

    @staticmethod
    def resolve_customer(obj):
        return obj.customer.name


class CustomerClvPage(Page):
    items: list[CustomerClvOut]


class ClvListParams(ListParams):
    min_churn: float = Field(0.0, ge=0, le=1)
    tier: str | None = Field(None, pattern="^[ABCD]$")


@router.get("/analytics/clv", response=CustomerClvPage)
def analytics_clv_list(request, params: Query[ClvListParams]):
    """ANA-4: the caller's customers with their figures, by value at risk (``ordering``:
    value_at_risk, clv, churn, expected_90, each descending with ``-``)."""
    require_perm(request, "analytics.view")
    rows = at_risk(request.user, min_churn=params.min_churn, tier=params.tier or "").select_related("customer")
    return page(request, rows, params, sort="-value_at_risk", allowed={"value_at_risk", "clv", "churn", "expected_90", "id"})


class BacktestRowOut(Schema):
    repeat: int = Field(description="repeat purchases in the calibration period (the last row: this or more)")
    plus: bool
    customers: int
    actual: float
    predicted: float


class BacktestOut(Schema):
    calibration_end: datetime.date
    holdout_days: int
    customers: int
    mae: float = Field(description="mean absolute error of purchases per customer")
    actual: int
    predicted: float
    error_percent: float | None = Field(description="(predicted − actual) / actual, in %")
    by_frequency: list[BacktestRowOut]


class ClvSummaryOut(Schema):
    as_of: datetime.date | None
    computed_at: datetime.datetime | None
    customers: int = Field(description="the caller's customers with figures")
    clv: Decimal
    value_at_risk: Decimal
    expected_90: float
    parameters: dict = Field(description="BG/NBD r, alpha, a, b and Gamma-Gamma p, q, v of the last run")
    backtest: BacktestOut | None


@router.get("/analytics/clv/summary", response=ClvSummaryOut)
def analytics_clv_summary(request):
    """ANA-4: the caller's totals, the last run's fitted parameters and its back-test."""
    require_perm(request, "analytics.view")
    job = latest_job(JobKind.CLV)
    sums = totals(request.user)
    result = job.result if job else {}
    backtest = result.get("backtest")
    return ClvSummaryOut(
        as_of=job.as_of if job else None, computed_at=job.finished_at if job else None,
        customers=sums["customers"], clv=sums["clv"] or 0, value_at_risk=sums["at_risk"] or 0,
        expected_90=sums["expected"] or 0,
        parameters={"bgnbd": result.get("bgnbd"), "gamma_gamma": result.get("gamma_gamma")},
        backtest=backtest if backtest and "by_frequency" in backtest else None)


class SuggestionOut(Schema):
    product_id: int
    sku: str
    name: str
    kind: str = Field(description="cross (often bought together) or up (higher-priced, same category)")
    because: list[int] = Field(description="the products it follows from")
    confidence: float | None
    lift: float | None
    customers: int | None = Field(description="up-sell: customers of the same value tier who bought it")


class CustomerAnalysisOut(Schema):
    figures: CustomerClvOut | None
    suggestions: list[SuggestionOut]


def suggestion_out(kind, suggestion):
    return SuggestionOut(product_id=suggestion.product.pk, sku=suggestion.product.sku, name=suggestion.product.name,
                         kind=kind, because=[p.pk for p in suggestion.because], confidence=suggestion.confidence,
                         lift=suggestion.lift, customers=suggestion.customers)


@router.get("/analytics/customers/{customer_id}/clv", response=CustomerAnalysisOut)
def analytics_customer_clv(request, customer_id: int):
    """ANA-4, ANA-5: one customer's figures and the products to offer him (404 outside your scope)."""
    require_perm(request, "analytics.view")
    customer = get_object_or_404(scoped(Customer.objects.all(), request.user), pk=customer_id)
    figures = clv_of(request.user, customer)
    bought = bought_by(request.user, customer)
    return {"figures": figures,
            "suggestions": [suggestion_out("cross", s) for s in cross_sell(request.user, customer, bought=bought)]
            + [suggestion_out("up", s) for s in up_sell(request.user, customer, bought=bought)]}
