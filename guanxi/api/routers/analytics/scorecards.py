"""analytics/scorecards (ANA-7): scorecards and their evaluation (scores and ranks) over a period."""

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from guanxi.analytics.scorecard_models import Scorecard
from guanxi.analytics.scorecards import evaluate, indicators_of

from ...common import require_perm
from ..sales_plans import PeriodParams, _period
from ._shared import cell

router = Router(tags=["analytics"])


class IndicatorOut(Schema):
    measure: str
    label: str
    weight: str
    target: str
    better: str = Field(description="up when more is better, down when less is")


class ScorecardOut(Schema):
    id: int
    name: str
    level: str = Field(description="branch or department")
    is_active: bool
    indicators: list[IndicatorOut]


class ScoreOut(Schema):
    rank: int
    key: int
    name: str
    score: str = Field(description="Σ weight × attainment; 100 when every target is met")
    values: list[str | int | None]
    attainments: list[str] = Field(description="Percent of each indicator's target reached (capped at 150)")


class EvaluationOut(Schema):
    scorecard: ScorecardOut
    scores: list[ScoreOut]


def _card_out(card):
    return ScorecardOut(id=card.pk, name=card.name, level=card.level, is_active=card.is_active, indicators=[
        IndicatorOut(measure=i.measure, label=str(m.label), weight=str(i.weight), target=str(i.target),
                     better=m.better) for i, m in indicators_of(card)])


@router.get("/analytics/scorecards", response=list[ScorecardOut])
def scorecard_list(request):
    require_perm(request, "analytics.view")
    return [_card_out(card) for card in Scorecard.objects.prefetch_related("indicators")]


@router.get("/analytics/scorecards/{scorecard_id}/scores", response=EvaluationOut)
def scorecard_scores(request, scorecard_id: int, period: Query[PeriodParams]):
    """ANA-7: each branch or department the caller may see, scored and ranked."""
    require_perm(request, "analytics.view")
    card = get_object_or_404(Scorecard, pk=scorecard_id)
    rows, _indicators = evaluate(request.user, card, _period(period))
    return EvaluationOut(scorecard=_card_out(card), scores=[
        ScoreOut(rank=r.rank, key=r.key, name=r.label, score=str(r.score),
                 values=[cell(v) for v in r.values],
                 attainments=[str(a) for a in r.attainments]) for r in rows])
