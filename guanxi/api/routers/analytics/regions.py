"""analytics/regions (ANA-6): customers, sales, service quality and behaviour per province,
or per city of one province, with the forecast; scoped like the page."""

from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema

from guanxi.analytics.regions import display_name, english_name, region_rows
from guanxi.core.errors import ValidationFailed
from guanxi.customers import regions as divisions

from ...common import Money, require_perm
from ..sales_plans import PeriodParams, _period

router = Router(tags=["analytics"])


class RegionOut(Schema):
    code: str = Field(description="GB/T 2260 province (2 digits) or city (4 digits) code; empty: not given")
    name: str
    name_en: str
    customers: int
    sales: Money
    orders: int
    orders_per_customer: str | None
    average_order: Money | None
    tickets: int
    surveys_answered: int
    satisfaction_rate: str | None = Field(description="Percent of answered surveys rated 4 or 5")
    history: list[Money] = Field(description="Monthly sales of the last 12 full months, oldest first")
    forecast: list[Money] = Field(description="Linear trend over the history, the next 3 months")
    backtest: list[Money] = Field(description="Back-test: the last 3 months of the history as the same line "
                                              "fitted on the 9 months before them predicts them")
    backtest_error_percent: str | None = Field(
        description="Back-test error (WAPE): Σ |predicted − actual| ÷ Σ actual × 100; null without sales")


@router.get("/analytics/regions", response=list[RegionOut])
def analytics_regions(request, period: Query[PeriodParams], province: str = ""):
    """ANA-6: one row per province (or per city of ``province``)."""
    require_perm(request, "analytics.view")
    if province and province not in dict(divisions.provinces()):
        raise ValidationFailed(field="province")
    language = get_language()
    rows = region_rows(request.user, _period(period), province)
    return [RegionOut(code=r.code, name=display_name(r.code, language), name_en=english_name(r.code) if r.code else "",
                      customers=r.customers, sales=r.sales, orders=r.orders,
                      orders_per_customer=None if r.orders_per_customer is None else str(r.orders_per_customer),
                      average_order=r.average_order, tickets=r.tickets, surveys_answered=r.answered,
                      satisfaction_rate=None if r.satisfaction is None else str(r.satisfaction),
                      history=r.history, forecast=r.forecast, backtest=r.backtest,
                      backtest_error_percent=None if r.backtest_error is None else str(r.backtest_error))
            for r in sorted(rows.values(), key=lambda r: (-r.sales, r.code))]
