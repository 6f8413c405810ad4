"""The sales forecast (SAL-11): a weighted pipeline by month, a projection from history,
a blend of the two, and a back-test that reports how wrong each would have been.

The method, in full in docs/analytics.md:
- *Actual* sales of a month = the amount of the opportunities won (closed) in it.
- *Weighted pipeline* of a month = Σ amount × stage probability over the open
  opportunities expected to close in it (overdue ones count in the current month).
- *History projection* = the mean of the three months before the forecast is made; with
  two years of history or more, times the month's seasonal index (its average share of
  its year).
- *Blend* = w · weighted + (1 − w) · projection, with w (0, 0.1, …, 1) the value that
  gave the smallest error in the back-test.
- *Back-test*: for each of the last ``backtest_months`` months, both methods are
  recomputed as they would have been on the first day of that month (the pipeline as it
  stood then, rebuilt from the stage history with the amounts recorded at each change)
  and compared with what was won. Error = WAPE, Σ|forecast − actual| / Σ actual.
  The expected close date is today's value (its history is not kept), which flatters the
  pipeline method a little; the report says so.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from guanxi.core.periods import add_months, aware, month_start
from guanxi.sales.models import Opportunity, Stage, StageChange, StageKind

from .runner import ReportRunner

ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass
class MonthRow:
    month: datetime.date
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO
    projection: Decimal = ZERO
    blend: Decimal = ZERO


@dataclass
class BacktestRow:
    month: datetime.date
    actual: Decimal
    weighted: Decimal
    projection: Decimal
    blend: Decimal = ZERO


@dataclass
class ForecastResult:
    months: list
    history: list  # [(month, won amount)]
    backtest: list
    weight: Decimal  # of the weighted pipeline in the blend
    errors: dict = field(default_factory=dict)  # method -> WAPE in % (None without actuals)


def wape(pairs):
    """Σ|forecast − actual| / Σ actual, in %, over (forecast, actual) pairs."""
    actual = sum((a for _f, a in pairs), ZERO)
    if not actual:
        return None
    return round(float(sum((abs(f - a) for f, a in pairs), ZERO) / actual * 100), 1)


class ForecastReport(ReportRunner):
    """``ForecastReport(user, months_ahead=6, history_months=24, backtest_months=6,
    owner=None, today=None).run()``"""

    def opportunities(self):
        queryset = Opportunity.objects.all()
        if self.params.get("owner") is not None:
            queryset = queryset.filter(owner=self.params["owner"])
        return self.scoped(queryset)

    def calculate(self):
        today = self.params.get("today") or timezone.localdate()
        this_month = month_start(today)
        ahead = self.params.get("months_ahead", 6)
        history_months = self.params.get("history_months", 24)
        backtest_months = self.params.get("backtest_months", 6)
        visible = self.opportunities()
        won = self._won_by_month(visible, add_months(this_month, -history_months - 12), this_month)
        history = [(m, won.get(m, ZERO)) for m in self._months(add_months(this_month, -history_months), this_month)]

        backtest = []
        for origin in self._months(add_months(this_month, -backtest_months), this_month):
            backtest.append(BacktestRow(month=origin, actual=won.get(origin, ZERO),
                                        weighted=self._weighted_as_of(visible, origin),
                                        projection=self._projection(won, origin, origin)))
        weight = self._best_weight(backtest)
        for row in backtest:
            row.blend = self._blend(weight, row.weighted, row.projection)

        months = [MonthRow(month=m) for m in self._months(this_month, add_months(this_month, ahead))]
        by_month = {row.month: row for row in months}
        open_now = visible.filter(stage__kind=StageKind.OPEN, expected_close_on__isnull=False,
                                  expected_close_on__lt=add_months(this_month, ahead))
        for item in open_now.values("expected_close_on", "amount", "stage__probability"):
            row = by_month[max(month_start(item["expected_close_on"]), this_month)]
            row.count += 1
            row.amount += item["amount"]
            row.weighted += item["amount"] * item["stage__probability"] / 100
        for row in months:
            row.weighted = row.weighted.quantize(CENT)
            row.projection = self._projection(won, this_month, row.month)
            row.blend = self._blend(weight, row.weighted, row.projection)
        errors = {
            "weighted": wape([(r.weighted, r.actual) for r in backtest]),
            "projection": wape([(r.projection, r.actual) for r in backtest]),
            "blend": wape([(r.blend, r.actual) for r in backtest]),
        }
        return ForecastResult(months=months, history=history, backtest=backtest, weight=weight, errors=errors)

    @staticmethod
    def _months(start, end):
        found, month = [], start
        while month < end:
            found.append(month)
            month = add_months(month, 1)
        return found

    @staticmethod
    def _won_by_month(visible, start, end):
        rows = (visible.filter(stage__kind=StageKind.WON, closed_at__gte=aware(start), closed_at__lt=aware(end))
                .annotate(month=TruncMonth("closed_at")).order_by().values("month").annotate(total=Sum("amount")))
        found = {}
        for row in rows:
            month = row["month"]
            month = timezone.localtime(month).date() if isinstance(month, datetime.datetime) else month
            found[month_start(month)] = row["total"] or ZERO
        return found

    @staticmethod
    def _projection(won, origin, month):
        """What history says of ``month`` when asked on the first day of ``origin``."""
        base = sum((won.get(add_months(origin, -i), ZERO) for i in (1, 2, 3)), ZERO) / 3
        indices = []
        for years_back in (1, 2):
            window = [won.get(add_months(origin, -12 * years_back + i), ZERO) for i in range(12)]
            mean = sum(window, ZERO) / 12
            if mean:
                indices.append(won.get(add_months(month, -12 * years_back), ZERO) / mean)
        if len(indices) == 2:  # seasonality only from two full years, one is noise
            base *= sum(indices) / 2
        return base.quantize(CENT)

    def _weighted_as_of(self, visible, origin):
        """The weighted pipeline for ``origin``'s month as it stood on its first day."""
        moment = aware(origin)
        end = add_months(origin, 1)
        candidates = visible.filter(created_at__lt=moment, expected_close_on__gte=origin,
                                    expected_close_on__lt=end).exclude(closed_at__lt=moment)
        probability = dict(Stage.objects.values_list("pk", "probability"))
        kinds = dict(Stage.objects.values_list("pk", "kind"))
        latest = {}
        changes = (StageChange.objects.filter(opportunity__in=candidates.values("pk"), created_at__lt=moment)
                   .order_by("opportunity_id", "created_at", "pk").values_list("opportunity_id", "to_stage_id",
                                                                                "amount"))
        for opportunity_id, stage_id, amount in changes:
            latest[opportunity_id] = (stage_id, amount)
        total = ZERO
        for stage_id, amount in latest.values():
            if kinds.get(stage_id) == StageKind.OPEN:
                total += amount * probability[stage_id] / 100
        return total.quantize(CENT)

    @staticmethod
    def _blend(weight, weighted, projection):
        return (weight * weighted + (1 - weight) * projection).quantize(CENT)

    @classmethod
    def _best_weight(cls, backtest):
        best, best_error = Decimal("0.5"), None
        for step in range(11):
            weight = Decimal(step) / 10
            error = wape([(cls._blend(weight, r.weighted, r.projection), r.actual) for r in backtest])
            if error is not None and (best_error is None or error < best_error):
                best, best_error = weight, error
        return best

