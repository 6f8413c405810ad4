"""Scorecards (ANA-7): evaluate branches or departments on weighted indicators.

Each indicator is a registered measure with a weight (the weights add up to 100 %) and a
target. For each branch or department the viewer may see:

- *attainment* of an indicator = value / target when more is better, target / value when
  less is better (a value of 0 then attains the cap); capped at ``CAP`` (150 %) so one
  indicator cannot carry the score; no value (no data) attains 0;
- *score* = Σ weight × attainment, in points: 100 when every target is met exactly.

Subjects are ranked by score. Figures are read through ``measures`` and so through the
viewer's scope: a branch head scores only his branch (or its departments).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.errors import ValidationFailed
from guanxi.core.services import service, validated_save
from guanxi.org.models import Branch, Department

from . import measures
from .scorecard_models import Scorecard, ScorecardIndicator

HUNDRED = Decimal("100")
LEVEL_NAMES = {"branch": gettext_lazy("branch"), "department": gettext_lazy("department")}
CAP = Decimal("1.5")
CENT = Decimal("0.01")


def attainment(value, target, better="up"):
    """Share of the target reached (Decimal, 0 … CAP)."""
    if value is None or not target:
        return Decimal(0)
    value, target = Decimal(value), Decimal(target)
    if better == "down":
        return CAP if value <= 0 else min(target / value, CAP)
    return max(Decimal(0), min(value / target, CAP))


def check_indicators(level, indicators):
    """Raise ValidationFailed unless ``indicators`` ([(measure code, weight, target)]) are known
    measures that can split by ``level``, each once, with weights adding up to 100 %."""
    if not indicators:
        raise ValidationFailed(_("Add at least one indicator."))
    codes = [code for code, _w, _t in indicators]
    for code in codes:
        try:
            measure = measures.get(code)
        except KeyError:
            raise ValidationFailed(_("Unknown measure: %(code)s.") % {"code": code}) from None
        if level not in measure.groups:
            raise ValidationFailed(_("%(measure)s cannot be split per %(level)s.") % {
                "measure": measure.label, "level": LEVEL_NAMES.get(level, level)})
    if len(set(codes)) != len(codes):
        raise ValidationFailed(_("Each measure may be used once."))
    total = sum((Decimal(w) for _c, w, _t in indicators), Decimal(0))
    if total != HUNDRED:
        raise ValidationFailed(_("The weights add up to %(total)s %%; they must add up to 100 %%.") % {
            "total": f"{total.normalize():f}"})


@service
def scorecard_save(*, actor, scorecard=None, name, level, indicators, is_active=True):
    """Create or replace a scorecard and its indicators ([(measure code, weight, target)])."""
    check_indicators(level, indicators)
    scorecard = scorecard or Scorecard(created_by=actor)
    scorecard.name, scorecard.level, scorecard.is_active = name, level, is_active
    validated_save(scorecard)
    scorecard.indicators.all().delete()
    for position, (code, weight, target) in enumerate(indicators):
        validated_save(ScorecardIndicator(scorecard=scorecard, measure=code, weight=Decimal(weight),
                                          target=Decimal(target), position=position))
    return scorecard


def indicators_of(scorecard):
    """[(indicator, measure)] of a scorecard, leaving out measures no longer registered."""
    known = {m.code: m for m in measures.all_measures()}
    return [(item, known[item.measure]) for item in scorecard.indicators.all() if item.measure in known]


@dataclass
class Score:
    key: object
    label: str
    values: list = field(default_factory=list)  # per indicator
    attainments: list = field(default_factory=list)  # Decimal 0 … CAP, per indicator
    score: Decimal = Decimal(0)
    rank: int = 0


def evaluate(user, scorecard, period):
    """Rows of ``Score`` ranked best first, and the indicators with their measures."""
    indicators = indicators_of(scorecard)
    by = scorecard.level
    split = [measure.value(user, period, by) for _item, measure in indicators]
    keys = {key for values in split for key in values if key is not None}
    model = Branch if by == "branch" else Department
    names = dict(model.objects.filter(pk__in=keys).values_list("pk", "name"))
    rows = []
    for key in keys:
        row = Score(key, names.get(key, "—"))
        for (item, measure), values in zip(indicators, split, strict=True):
            value = values.get(key)
            reached = attainment(value, item.target, measure.better)
            row.values.append(value)
            row.attainments.append((reached * HUNDRED).quantize(CENT))
            row.score += item.weight * reached
        row.score = row.score.quantize(CENT)
        rows.append(row)
    rows.sort(key=lambda r: (-r.score, r.label))
    for position, row in enumerate(rows, start=1):
        row.rank = position
    return rows, indicators
