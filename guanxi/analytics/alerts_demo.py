"""Demo quality alerts (ANA-8) and rollups (issue 12.11): the rollups built once, two alert
rules — a branch's sales watched for a drop (or a low month) and the company's
money received watched for anomalies — and the alert the first one fires."""

import math

from django.utils import timezone

from guanxi.org.models import Branch, User

from . import alerts, measures
from .alert_models import AlertCondition, AlertRule, AlertUnit
from .rollups import rollups_rebuild


def _branch_rule(viewer, today):
    """The demo's branch rule: a drop of 5 % or more on the month before for the branch that
    fell most; when none fell that much, sales below last month's figure plus 10 % (rounded
    up to ¥10,000) for the branch that did worst — so the demo shows one fired alert."""
    period = alerts.finished_period("month", today)
    before = alerts.finished_period("month", period.start)
    sales = measures.get("sales")
    now, then = sales.value(viewer, period, "branch"), sales.value(viewer, before, "branch")
    changes = sorted(((now.get(pk, 0) - then[pk]) / then[pk] * 100, pk) for pk in then if then[pk] > 0)
    change, pk = changes[0] if changes else (0, None)
    branch = Branch.objects.filter(pk=pk).first() if pk else Branch.objects.filter(is_active=True).first()
    if change <= -5:
        return {"name": f"{branch.name}销售环比下滑", "condition": AlertCondition.DROP,
                "threshold": math.floor(-change / 5) * 5, "branch": branch}
    limit = math.ceil(float(now.get(branch.pk, 0)) * 1.1 / 10_000 + 1e-9) * 10_000
    return {"name": f"{branch.name}月销售偏低", "condition": AlertCondition.BELOW, "threshold": limit, "branch": branch}


def build(stdout=None, seed=None):
    if AlertRule.objects.exists():
        return
    run = rollups_rebuild()
    chairman = User.objects.filter(username="chenzhiqiang").first()
    if chairman is None:
        return
    today = timezone.localdate()
    alerts.alert_rule_save(actor=chairman, measure="sales", unit=AlertUnit.BRANCH, **_branch_rule(chairman, today))
    alerts.alert_rule_save(actor=chairman, name="全公司回款异常", measure="received",
                           condition=AlertCondition.ANOMALY, threshold=2, history=6, unit=AlertUnit.COMPANY)
    fired = alerts.alerts_evaluate(today)
    if stdout is not None:
        stdout.write(f"Demo rollups: {run.rows} rows; alert rules: 2, alerts fired: {len(fired)}\n")
