"""The sales funnel (SAL-2): opportunities per stage, conversion between stages, win rate
and cycle length, overall and per person, department or branch.

Definitions (also in docs/analytics.md):
- The population is the opportunities of one pipeline *created* in the period that the
  user may see.
- An opportunity has *reached* a stage when it was ever at that stage or a later open
  stage, or was won (a deal won from stage 2 passed through 3 and 4). Lost deals reached
  the furthest open stage they had before they were lost.
- Conversion from a stage to the next = reached(next) / reached(stage).
- Win rate = won / (won + lost) among the population's closed opportunities.
- Cycle length = days from creation to close, averaged over the won opportunities.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, IntegerField, Max, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import translation

from guanxi.sales.models import Opportunity, Stage, StageChange, StageKind

from .runner import ReportRunner, groupings, ratio

ZERO = Decimal("0")


@dataclass
class StageRow:
    stage: Stage
    count: int = 0  # there now
    amount: Decimal = ZERO
    reached: int = 0
    conversion: float | None = None  # to the next stage, in %


@dataclass
class GroupRow:
    key: object
    label: str
    total: int = 0
    open_count: int = 0
    open_amount: Decimal = ZERO
    weighted_amount: Decimal = ZERO
    won_count: int = 0
    won_amount: Decimal = ZERO
    lost_count: int = 0
    cycle_days: float | None = None

    @property
    def win_rate(self):
        return ratio(self.won_count, self.won_count + self.lost_count)


@dataclass
class FunnelResult:
    stages: list
    lost: StageRow | None
    summary: GroupRow
    groups: list = field(default_factory=list)
    lost_reasons: list = field(default_factory=list)  # [(label, count, amount)]


class FunnelReport(ReportRunner):
    """``FunnelReport(user, pipeline=…, period=…, group="person"|"department"|"branch"|None,
    owner=None).run()``"""

    def population(self):
        start, end = self.params["period"].aware_range()
        queryset = Opportunity.objects.filter(pipeline=self.params["pipeline"], created_at__gte=start,
                                              created_at__lt=end)
        if self.params.get("owner") is not None:
            queryset = queryset.filter(owner=self.params["owner"])
        return self.scoped(queryset)

    def calculate(self):
        pipeline = self.params["pipeline"]
        population = self.population()
        stages = list(pipeline.stages.order_by("position"))
        funnel_stages = ([s for s in stages if s.kind == StageKind.OPEN]
                         + [s for s in stages if s.kind == StageKind.WON])
        rows = {s.pk: StageRow(stage=s) for s in stages}
        for item in population.order_by().values("stage").annotate(n=Count("pk"), amount=Sum("amount")):
            rows[item["stage"]].count = item["n"]
            rows[item["stage"]].amount = item["amount"] or ZERO
        self._reached(population, funnel_stages, rows)
        ordered = [rows[s.pk] for s in funnel_stages]
        for current, following in zip(ordered, ordered[1:], strict=False):
            current.conversion = ratio(following.reached, current.reached)
        lost_stage = next((s for s in stages if s.kind == StageKind.LOST), None)
        groups = self._groups(population, self.params.get("group"))
        summary = self._groups(population, None)
        return FunnelResult(
            stages=ordered, lost=rows[lost_stage.pk] if lost_stage else None,
            summary=summary[0] if summary else GroupRow(key=None, label=""), groups=groups,
            lost_reasons=self._lost_reasons(population),
        )

    @staticmethod
    def _reached(population, funnel_stages, rows):
        """Count, per stage, the opportunities that reached it (see the module's rules)."""
        # Rank = place in the funnel: open stages by position, then the won stage(s),
        # whatever positions an administrator gave them.
        rank = {stage.pk: index for index, stage in enumerate(funnel_stages)}
        furthest = defaultdict(int)  # how many opportunities got no further than each rank
        if rank:
            top = Max(Case(*[When(to_stage_id=pk, then=Value(r)) for pk, r in rank.items()],
                           output_field=IntegerField()))
            changes = (StageChange.objects.filter(opportunity__in=population.values("pk"), to_stage_id__in=rank)
                       .values("opportunity").annotate(top=top).values_list("top", flat=True))
            for value in changes:
                furthest[value] += 1
        # An opportunity without recorded history still reached the stage it is at.
        for item in population.exclude(pk__in=StageChange.objects.filter(to_stage_id__in=rank)
                                       .values("opportunity")).values("stage"):
            if item["stage"] in rank:
                furthest[rank[item["stage"]]] += 1
        for stage in funnel_stages:
            rows[stage.pk].reached = sum(n for r, n in furthest.items() if r >= rank[stage.pk])

    @staticmethod
    def _groups(population, group):
        money = DecimalField(max_digits=16, decimal_places=2)
        is_open, is_won, is_lost = (Q(stage__kind=StageKind.OPEN), Q(stage__kind=StageKind.WON),
                                    Q(stage__kind=StageKind.LOST))
        aggregates = {
            "total": Count("pk"),
            "open_count": Count("pk", filter=is_open),
            "open_amount": Coalesce(Sum("amount", filter=is_open), Value(ZERO), output_field=money),
            "weighted": Coalesce(Sum(F("amount") * F("stage__probability"), filter=is_open), Value(ZERO),
                                 output_field=money),
            "won_count": Count("pk", filter=is_won),
            "won_amount": Coalesce(Sum("amount", filter=is_won), Value(ZERO), output_field=money),
            "lost_count": Count("pk", filter=is_lost),
        }
        if group is None:
            values = population.order_by().aggregate(**aggregates)
            if not values["total"]:
                return []
            items = [{**values, "key": None, "label": ""}]
        else:
            grouping = groupings()[group]
            items = [{**item, "key": item[grouping.key], "label": item[grouping.label] or "—"}
                     for item in population.order_by().values(grouping.key, grouping.label).annotate(**aggregates)]
        cycles = defaultdict(list)
        key_path = None if group is None else groupings()[group].key
        won = population.filter(is_won, closed_at__isnull=False).order_by()
        for item in won.values(*(["created_at", "closed_at"] + ([key_path] if key_path else []))):
            key = item[key_path] if key_path else None
            cycles[key].append((item["closed_at"] - item["created_at"]).total_seconds() / 86400)
        rows = []
        for item in items:
            days = cycles.get(item["key"])
            rows.append(GroupRow(
                key=item["key"], label=item["label"], total=item["total"], open_count=item["open_count"],
                open_amount=item["open_amount"], weighted_amount=(item["weighted"] / 100).quantize(Decimal("0.01")),
                won_count=item["won_count"], won_amount=item["won_amount"], lost_count=item["lost_count"],
                cycle_days=round(sum(days) / len(days), 1) if days else None,
            ))
        rows.sort(key=lambda r: (-r.won_amount, -r.total, r.label))
        return rows

    @staticmethod
    def _lost_reasons(population):
        lost = population.filter(stage__kind=StageKind.LOST).order_by()
        english = (translation.get_language() or "").startswith("en")
        label = "lost_reason__name_en" if english else "lost_reason__name_zh"
        return [(item[label] or "—", item["n"], item["amount"] or ZERO)
                for item in lost.values(label)
                .annotate(n=Count("pk"), amount=Sum("amount")).order_by("-n")]
