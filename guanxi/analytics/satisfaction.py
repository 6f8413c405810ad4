"""Satisfaction (ANA-6, ANA-7): the one definition of the satisfaction rate of service surveys.

A survey is counted in the period it was answered; the **satisfaction rate** is the share of
answered surveys rated 4 or 5 (of 5). Read through the viewer's scope (the survey's agent
and branch), split by branch, department or agent.
"""

from decimal import Decimal

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext_lazy as _

from guanxi.core.periods import Period
from guanxi.service.selectors import surveys_visible_to

from . import measures
from .measures import COUNT_UNIT, PERCENT_UNIT, Measure

SATISFIED = Q(rating__gte=4)
KEYS = {"branch": "branch_id", "department": "department_id", "owner": "agent_id"}


def answered(user, period: Period):
    start, end = period.aware_range()
    return surveys_visible_to(user).filter(answered_at__gte=start, answered_at__lt=end, rating__isnull=False)


def rate(satisfied, total):
    return (Decimal(100) * satisfied / total).quantize(Decimal("0.01")) if total else None


def summary(queryset, key=None):
    """``{key: (answered, satisfied, average rating)}`` of answered surveys grouped by an ORM path."""
    aggregates = {"n": Count("pk"), "happy": Count("pk", filter=SATISFIED), "average": Avg("rating")}
    if key is None:
        row = queryset.order_by().aggregate(**aggregates)
        return {None: (row["n"], row["happy"], row["average"])}
    return {row[key]: (row["n"], row["happy"], row["average"])
            for row in queryset.order_by().values(key).annotate(**aggregates)}


def _satisfaction_rate(user, period, by):
    return {key: rate(happy, n) for key, (n, happy, _avg) in summary(answered(user, period), KEYS.get(by)).items()}


def _surveys_answered(user, period, by):
    return {key: n for key, (n, _happy, _avg) in summary(answered(user, period), KEYS.get(by)).items()}


measures.register(Measure(
    "satisfaction_rate", _("Satisfaction rate"), PERCENT_UNIT, _satisfaction_rate, permission="service.view",
    tags=("service",), definition=_("Answered service surveys rated 4 or 5 (of 5), over the surveys answered in "
                                    "the period.")))
measures.register(Measure(
    "surveys_answered", _("Surveys answered"), COUNT_UNIT, _surveys_answered, permission="service.view",
    tags=("service",), definition=_("Service satisfaction surveys answered in the period.")))
