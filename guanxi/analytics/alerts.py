"""Quality alerts (ANA-8): rules on any registered measure, checked on each finished
period, notify the heads of the unit they watch.

A rule watches one measure (``measures.py``) for the company, a branch or a department,
per month or per week. Conditions (``value`` = the measure for the unit over the period
that just ended, the "last" period = the one before it):

- above / below: value > threshold / value < threshold;
- rise / drop: (value − last) / last ≥ threshold % (drop: (last − value) / last), only
  when last > 0;
- anomaly: |value − mean| > k · σ over the ``history`` periods before (k = threshold;
  σ the population standard deviation); with σ = 0, any value ≠ mean; at least 3
  periods of history.

``alerts_evaluate`` (Celery beat, daily) writes at most one alert per rule and period
(a unique constraint), so running it again fires nothing twice. Who is told: the
decision tier for the company, the branch head for a branch, the department manager
(else the branch head) for a department, and only those allowed to read the measure.
The measure is computed as a viewer who sees everything, then split by the unit.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import notifications
from guanxi.core.errors import Forbidden, ValidationFailed
from guanxi.core.periods import Period
from guanxi.core.permissions import ensure
from guanxi.core.services import service, validated_save
from guanxi.org.models import DataScope, Tier, User
from guanxi.org.scopes import departments_in_scope, user_scopes

from . import measures
from .alert_models import Alert, AlertCondition, AlertPeriod, AlertRule, AlertUnit

NOTICE_KIND = "analytics.alert"
MIN_HISTORY, MAX_HISTORY = 3, 36
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
RULE_FIELDS = ("name", "measure", "condition", "threshold", "history", "period", "unit", "branch", "department",
               "is_active")


# --- periods ---------------------------------------------------------------------------
def _shift(kind, period, steps):
    """The period ``steps`` before ``period`` (months or weeks)."""
    if kind == AlertPeriod.WEEK:
        start = period.start - datetime.timedelta(weeks=steps)
        return Period(start, start + datetime.timedelta(weeks=1))
    index = period.start.year * 12 + period.start.month - 1 - steps
    start = datetime.date(index // 12, index % 12 + 1, 1)
    return Period(start, datetime.date((index + 1) // 12, (index + 1) % 12 + 1, 1))


def finished_period(kind, today):
    """The last whole month or week (Monday to Sunday) before ``today``."""
    if kind == AlertPeriod.WEEK:
        monday = today - datetime.timedelta(days=today.weekday())
        return Period(monday - datetime.timedelta(weeks=1), monday)
    first = today.replace(day=1)
    return _shift(kind, Period(first, first), 1)


# --- conditions ------------------------------------------------------------------------
def _sqrt(value):
    return value.sqrt() if value > 0 else Decimal(0)


def check(condition, threshold, value, history):
    """(fired, reference) for ``value`` against ``history`` (oldest first, the period just
    before last); reference is what ``value`` was compared with."""
    value, threshold = Decimal(value), Decimal(threshold)
    history = [Decimal(x) for x in history]
    if condition in (AlertCondition.ABOVE, AlertCondition.BELOW):
        fired = value > threshold if condition == AlertCondition.ABOVE else value < threshold
        return fired, threshold
    if condition in (AlertCondition.RISE, AlertCondition.DROP):
        last = history[-1] if history else None
        if last is None or last <= 0:
            return False, last
        change = (value - last) / last * HUNDRED
        return (change >= threshold if condition == AlertCondition.RISE else -change >= threshold), last
    if len(history) < MIN_HISTORY:
        return False, None
    mean = sum(history) / len(history)
    sigma = _sqrt(sum((x - mean) ** 2 for x in history) / len(history))
    fired = abs(value - mean) > threshold * sigma if sigma else value != mean
    return fired, mean


def _history_length(rule):
    return {AlertCondition.ANOMALY: rule.history, AlertCondition.RISE: 1, AlertCondition.DROP: 1}.get(
        rule.condition, 0)


# --- evaluation ------------------------------------------------------------------------
def _everything_viewer():
    """An unsaved viewer whose scope is everything: the unit's figure, not a person's view."""
    return User(username="alerts", is_active=True, is_superuser=True)


def unit_value(rule, period, viewer=None):
    measure = measures.get(rule.measure)
    viewer = viewer or _everything_viewer()
    if rule.unit == AlertUnit.COMPANY:
        return measure.total(viewer, period)
    key = rule.branch_id if rule.unit == AlertUnit.BRANCH else rule.department_id
    return measure.value(viewer, period, rule.unit).get(key, measure.zero)


def heads(rule):
    """Who is told: the heads of the rule's unit who may read its measure."""
    if rule.unit == AlertUnit.COMPANY:
        people = list(User.objects.filter(is_active=True, tier=Tier.DECISION))
    else:
        head = rule.branch.head if rule.unit == AlertUnit.BRANCH else (
            rule.department.manager or rule.department.branch.head)
        people = [head] if head is not None and head.is_active else []
    measure = measures.get(rule.measure)
    return [person for person in people if measure.visible_to(person)]


def _message(rule, period, value, reference):
    return _("%(rule)s: %(measure)s of %(unit)s was %(value)s in %(period)s (compared with %(reference)s).") % {
        "rule": rule.name, "measure": measures.get(rule.measure).label, "unit": rule.subject,
        "value": f"{value:,}", "period": period, "reference": "—" if reference is None else f"{reference:,.2f}"}


def rule_evaluate(rule, today=None):
    """Check ``rule`` on its last finished period; the alert it fired, or None (also when
    it fired before for that period)."""
    period = finished_period(rule.period, today or timezone.localdate())
    if rule.measure not in {m.code for m in measures.all_measures()}:
        return None
    if Alert.objects.filter(rule=rule, period_start=period.start).exists():
        return None
    viewer = _everything_viewer()
    value = Decimal(unit_value(rule, period, viewer)).quantize(CENT)
    history = [unit_value(rule, _shift(rule.period, period, steps), viewer)
               for steps in range(_history_length(rule), 0, -1)]
    fired, reference = check(rule.condition, rule.threshold, value, history)
    if not fired:
        return None
    recipients = heads(rule)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=rule, period_start=period.start, period_end=period.end, value=value,
                reference=None if reference is None else reference.quantize(CENT),
                message=_message(rule, period, value, reference)[:300], unit=rule.unit,
                branch_id=rule.branch_id if rule.unit == AlertUnit.BRANCH else (
                    rule.department.branch_id if rule.unit == AlertUnit.DEPARTMENT else None),
                department_id=rule.department_id, fired_at=timezone.now(), notified=len(recipients))
            notifications.notify_many(recipients, kind=NOTICE_KIND, title=alert.message, url="/analytics/alerts/",
                                      dedupe_key=f"analytics.alert:{alert.pk}")
    except IntegrityError:  # another worker fired it for this period meanwhile
        return None
    return alert


def alerts_evaluate(today=None):
    """Check every active rule (the beat task); returns the alerts fired."""
    fired = []
    for rule in AlertRule.objects.filter(is_active=True).select_related("branch__head", "department__manager",
                                                                        "department__branch__head"):
        alert = rule_evaluate(rule, today)
        if alert is not None:
            fired.append(alert)
    return fired


# --- who sees and manages which rules and alerts ----------------------------------------
def unit_q(user, prefix=""):
    """The rules or alerts whose unit ``user``'s scope covers (None: all of them)."""
    scopes = user_scopes(user) if user is not None and user.is_authenticated else set()
    if DataScope.ALL in scopes:
        return None
    q = Q(**{f"{prefix}unit": AlertUnit.DEPARTMENT, f"{prefix}department__in": departments_in_scope(user)})
    if DataScope.BRANCH in scopes and user.branch_id:
        q |= Q(**{f"{prefix}unit": AlertUnit.BRANCH, f"{prefix}branch_id": user.branch_id})
    return q


def rules_visible_to(user):
    q = unit_q(user)
    rules = AlertRule.objects.select_related("branch", "department")
    return rules if q is None else rules.filter(q)


def alerts_visible_to(user):
    q = unit_q(user)
    alerts = Alert.objects.select_related("rule", "branch", "department")
    return alerts if q is None else alerts.filter(q)


def _unit_allowed(actor, data):
    """Whether the actor's scope covers the unit (everything for the company)."""
    scopes = user_scopes(actor)
    if DataScope.ALL in scopes:
        return True
    if data["unit"] == AlertUnit.BRANCH:
        return DataScope.BRANCH in scopes and data["branch"].pk == actor.branch_id
    if data["unit"] == AlertUnit.DEPARTMENT:
        return departments_in_scope(actor).filter(pk=data["department"].pk).exists()
    return False


def _clean(actor, data):
    measure = {m.code: m for m in measures.all_measures()}.get(data.get("measure"))
    if measure is None or not measure.visible_to(actor):
        raise ValidationFailed(_("Choose a figure you may read."), field="measure")
    unit = data.get("unit")
    if unit not in AlertUnit.values:
        raise ValidationFailed(_("Choose what the rule watches."), field="unit")
    if unit != AlertUnit.COMPANY and unit not in measure.groups:
        raise ValidationFailed(_("This figure cannot be split that way."), field="unit")
    if unit == AlertUnit.BRANCH and not data.get("branch"):
        raise ValidationFailed(_("Choose the branch."), field="branch")
    if unit == AlertUnit.DEPARTMENT and not data.get("department"):
        raise ValidationFailed(_("Choose the department."), field="department")
    data["branch"] = data.get("branch") if unit == AlertUnit.BRANCH else None
    data["department"] = data.get("department") if unit == AlertUnit.DEPARTMENT else None
    data["history"] = data.get("history") or 6
    if data.get("condition") == AlertCondition.ANOMALY and not MIN_HISTORY <= data["history"] <= MAX_HISTORY:
        raise ValidationFailed(_("Between 3 and 36 periods."), field="history")
    if data.get("threshold") is not None and data["threshold"] < 0:
        raise ValidationFailed(_("The threshold cannot be negative."), field="threshold")
    if not _unit_allowed(actor, data):
        raise Forbidden(_("You may set alerts only for the units you oversee."))
    return data


@service
def alert_rule_save(*, actor, rule=None, **data):
    """Create a rule (``rule=None``) or change one the actor may manage."""
    ensure(actor, "analytics.manage")
    if rule is not None and not rules_visible_to(actor).filter(pk=rule.pk).exists():
        raise Forbidden()
    base = rule or AlertRule()
    data = _clean(actor, {name: data.get(name, getattr(base, name)) for name in RULE_FIELDS})
    rule = rule or AlertRule(created_by=actor)
    for name, value in data.items():
        setattr(rule, name, value)
    validated_save(rule)
    return rule


@service
def alert_rule_delete(*, actor, rule):
    ensure(actor, "analytics.manage")
    if not rules_visible_to(actor).filter(pk=rule.pk).exists():
        raise Forbidden()
    rule.delete()
