"""analytics/lifecycle (ANA-2): customers per lifecycle stage, the month's moves and the
last 12 months, scoped like the page."""

import datetime

from django.utils import timezone
from ninja import Field, Router, Schema

from guanxi.analytics.lifecycle import STAGES, LifecycleReport

from ...common import require_perm

router = Router(tags=["analytics"])


class LifecycleStageOut(Schema):
    stage: str
    label: str
    count: int
    strategy: str
    actions: list[str]


class LifecycleMoveOut(Schema):
    from_stage: str
    to_stage: str
    count: int


class LifecycleMonthOut(Schema):
    month: str = Field(description="YYYY-MM; counts at the month's end (today for this month)")
    counts: dict[str, int]


class LifecycleOut(Schema):
    month: str
    stages: list[LifecycleStageOut]
    moves: list[LifecycleMoveOut] = Field(description="This month's stage moves, from → to")
    months: list[LifecycleMonthOut]


@router.get("/analytics/lifecycle", response=LifecycleOut)
def analytics_lifecycle(request, as_of: datetime.date | None = None):
    """ANA-2: counts per stage with the suggested strategy, the moves of ``as_of``'s month
    (default today) and the counts per stage at the end of each of the 12 months up to it."""

    require_perm(request, "analytics.view")
    result = LifecycleReport(request.user, today=as_of or timezone.localdate()).run()
    return LifecycleOut(
        month=result.month.strftime("%Y-%m"),
        stages=[LifecycleStageOut(stage=row.stage, label=str(row.label), count=row.count, strategy=str(row.strategy),
                                  actions=[str(action) for action in row.actions]) for row in result.stages],
        moves=[LifecycleMoveOut(from_stage=from_stage, to_stage=to_stage, count=n)
               for from_stage, (_label, counts, _total) in zip(STAGES, result.matrix, strict=True)
               for to_stage, n in zip(STAGES, counts, strict=True) if n],
        months=[LifecycleMonthOut(month=month.strftime("%Y-%m"), counts=dict(zip(STAGES, counts, strict=True)))
                for month, counts in result.months])
