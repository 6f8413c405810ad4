"""analytics/10c (ANA-3, ANA-4): the 10C / 7P tables of one tab, and the retention cohorts,
scoped like the page."""

from typing import Literal

from ninja import Field, Query, Router, Schema

from guanxi.analytics.tenc import cohorts
from guanxi.analytics.tenc_report import sections

from ...common import require_perm
from ..sales_plans import PeriodParams, _period
from ._shared import cell

router = Router(tags=["analytics"])
Tab = Literal["profiling", "persistency", "profitability", "performance", "prospecting", "promotion"]


class SectionOut(Schema):
    title: str
    definition: str
    headers: list[str]
    kinds: list[str] = Field(description="text, count, money (decimal string) or percent, per column")
    rows: list[list[str | int | None]]


class CohortOut(Schema):
    month: str = Field(description="YYYY-MM of the cohort's first counted order")
    size: int
    active: list[int] = Field(description="Customers of the cohort ordering k months after the first, k = 0, 1, …")
    retention: list[str] = Field(description="The same as percentages (decimal strings)")


@router.get("/analytics/10c/{tab}", response=list[SectionOut])
def analytics_tenc(request, tab: Tab, period: Query[PeriodParams]):
    """ANA-3, ANA-4: the sections of one tab of the 10C page (each with its definition)."""
    require_perm(request, "analytics.view")
    return [SectionOut(title=str(s.title), definition=str(s.definition), headers=[str(h) for h in s.headers],
                       kinds=s.kinds, rows=[[cell(v) for v in row] for row in s.rows])
            for s in sections(request.user, tab, _period(period))]


@router.get("/analytics/cohorts", response=list[CohortOut])
def analytics_cohorts(request, period: Query[PeriodParams], horizon: int = Query(12, ge=1, le=36)):
    """ANA-4: retention by cohort of first-order month, for the cohorts starting in the period."""
    require_perm(request, "analytics.view")
    return [CohortOut(month=c.month.strftime("%Y-%m"), size=c.size, active=c.active,
                      retention=[str(rate) for rate in c.rates])
            for c in cohorts(request.user, _period(period), horizon=horizon)]
