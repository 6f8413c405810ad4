"""Demo quality alerts (ANA-8) and rollups (issue 12.11): the rollups built once, two alert
rules — the branch whose sales moved most last month, watched for such a move, and the company's
money received watched for anomalies — and the alert the first one fires."""

import math

from django.utils import timezone

from guanxi.org.models import Branch, User

from . import alerts, measures
from .alert_models import AlertCondition, AlertRule, AlertUnit
from .rollups import rollups_rebuild


def _largest_change(viewer, today):
    """(branch, change in %) of the branch whose sales moved most last month on the month before."""
    period = alerts.finished_period("month", today)
    before = alerts.finished_period("month", period.start)
    sales = measures.get("sales")
    now, then = sales.value(viewer, period, "branch"), sales.value(viewer, before, "branch")
    changes = [((now.get(pk, 0) - then[pk]) / then[pk] * 100, pk) for pk in then if then[pk] > 0]
    change, pk = max(changes, key=lambda c: abs(c[0]), default=(0, None))
    return (Branch.objects.filter(pk=pk).first() if pk else Branch.objects.filter(is_active=True).first()), change


def build(stdout=None, seed=None):
    if AlertRule.objects.exists():
        return
    run = rollups_rebuild()
    chairman = User.objects.filter(username="chenzhiqiang").first()
    if chairman is None:
        return
    today = timezone.localdate()
    branch, change = _largest_change(chairman, today)
    size = abs(change)
    threshold = max(1, math.floor(size / 5) * 5 if size >= 5 else math.floor(size))
    alerts.alert_rule_save(actor=chairman, name=f"{branch.name}销售环比{'下滑' if change < 0 else '大涨'}",
                           measure="sales", condition=AlertCondition.DROP if change < 0 else AlertCondition.RISE,
                           threshold=threshold, unit=AlertUnit.BRANCH, branch=branch)
    alerts.alert_rule_save(actor=chairman, name="全公司回款异常", measure="received",
                           condition=AlertCondition.ANOMALY, threshold=2, history=6, unit=AlertUnit.COMPANY)
    fired = alerts.alerts_evaluate(today)
    if stdout is not None:
        stdout.write(f"Demo rollups: {run.rows} rows; alert rules: 2, alerts fired: {len(fired)}\n")
