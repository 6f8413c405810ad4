"""Lost to competitors (ANA-12): the opportunities closed in a period that named a
competitor, per competitor: lost to them, won against them, the win rate and why we
lost. Read through the viewer's scope, like every report."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from guanxi.sales.models import StageKind
from guanxi.sales.selectors import opportunities_visible_to

from .runner import ReportRunner, ratio

ZERO = Decimal("0")


@dataclass
class CompetitorRow:
    competitor_id: int
    name: str
    lost_count: int = 0
    lost_amount: Decimal = ZERO
    won_count: int = 0
    won_amount: Decimal = ZERO
    reasons: list = field(default_factory=list)  # [(label, count)], most common first

    @property
    def win_rate(self):
        return ratio(self.won_count, self.won_count + self.lost_count)


@dataclass
class CompetitionResult:
    rows: list
    lost_count: int = 0  # every lost opportunity of the period, with or without a competitor
    lost_amount: Decimal = ZERO
    lost_to_competitors: int = 0

    @property
    def competitor_share(self):
        return ratio(self.lost_to_competitors, self.lost_count)


class CompetitionReport(ReportRunner):
    """``CompetitionReport(user, period=…).run()``"""

    def closed(self):
        start, end = self.params["period"].aware_range()
        return opportunities_visible_to(self.user).filter(
            closed_at__gte=start, closed_at__lt=end, stage__kind__in=[StageKind.WON, StageKind.LOST])

    def calculate(self):
        closed = self.closed().order_by()
        lost, won = Q(stage__kind=StageKind.LOST), Q(stage__kind=StageKind.WON)
        totals = closed.filter(lost).aggregate(n=Count("pk"), amount=Sum("amount"))
        rows = {}
        for item in closed.filter(competitor__isnull=False).values("competitor_id", "competitor__name").annotate(
                lost_count=Count("pk", filter=lost), lost_amount=Sum("amount", filter=lost),
                won_count=Count("pk", filter=won), won_amount=Sum("amount", filter=won)):
            rows[item["competitor_id"]] = CompetitorRow(
                competitor_id=item["competitor_id"], name=item["competitor__name"],
                lost_count=item["lost_count"], lost_amount=item["lost_amount"] or ZERO,
                won_count=item["won_count"], won_amount=item["won_amount"] or ZERO)
        reasons = closed.filter(lost, competitor__isnull=False).values(
            "competitor_id", "lost_reason__name_zh", "lost_reason__name_en").annotate(n=Count("pk")).order_by("-n")
        for item in reasons:
            rows[item["competitor_id"]].reasons.append((self._label(item), item["n"]))
        ordered = sorted(rows.values(), key=lambda r: (-r.lost_count, -r.lost_amount, r.name))
        return CompetitionResult(rows=ordered, lost_count=totals["n"] or 0, lost_amount=totals["amount"] or ZERO,
                                 lost_to_competitors=sum(r.lost_count for r in ordered))

    @staticmethod
    def _label(item):
        english = (translation.get_language() or "").startswith("en")
        label = item["lost_reason__name_en"] if english else item["lost_reason__name_zh"]
        return label or _("No reason given")
