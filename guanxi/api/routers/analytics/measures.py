"""GET /analytics/measures, /analytics/measures/{code} and /analytics/dashboard."""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from guanxi.analytics import dashboard, measures
from guanxi.core.errors import ValidationFailed
from guanxi.core.money import fen
from guanxi.core.periods import PRESETS, Period, preset

router = Router()

Figure = str | int | None
PeriodName = Literal[tuple(name for name, _label in PRESETS)]  # type: ignore[valid-type]  # the presets, listed in the schema


def figure(value):
    """Money and rates leave as decimal strings with two places ("1234.50", "83.30" %), counts
    as numbers, days as ISO dates."""
    if isinstance(value, Decimal):
        return str(fen(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value if value is None or isinstance(value, int) else str(value)


def require_measure(request, code):
    """The measure ``code`` if the user's roles grant its permission (else 403; unknown: 404)."""
    try:
        measure = measures.get(code)
    except KeyError:
        raise Http404 from None
    if not measure.visible_to(request.user):
        raise PermissionDenied
    return measure


class MeasureOut(Schema):
    code: str
    label: str
    unit: str = Field(description="money (decimal string, CNY), count or percent (decimal string)")
    definition: str
    better: str = Field(description="up: more is better; down: less is")
    balance: bool = Field(description="A balance as of the period's end (today at most), not a sum over it")
    groups: list[str] = Field(description="The splits ``by`` accepts")


class GroupOut(Schema):
    key: int | None
    value: Figure
    previous: Figure
    last_year: Figure
    url: str | None = Field(description="The list behind the figure, in the web application")


class MeasureValueOut(Schema):
    code: str
    start: datetime.date
    end: datetime.date = Field(description="The period's last day")
    previous_start: datetime.date
    last_year_start: datetime.date
    value: Figure
    previous: Figure
    last_year: Figure
    url: str | None
    by: str | None
    groups: list[GroupOut]


class WidgetOut(Schema):
    code: str
    label: str
    data: dict


class DashboardOut(Schema):
    role: str
    as_of: datetime.datetime
    widgets: list[WidgetOut]


def _measure_out(measure):
    return MeasureOut(code=measure.code, label=str(measure.label), unit=measure.unit, definition=str(measure.definition),
                      better=measure.better, balance=measure.balance, groups=list(measure.groups))


@router.get("/analytics/measures", response=list[MeasureOut])
def analytics_measure_list(request):
    """The measures the caller's roles let them read, with their definitions."""
    return [_measure_out(measure) for measure in measures.available(request.user)]


@router.get("/analytics/measures/{code}", response=MeasureValueOut)
def analytics_measure_value(request, code: str, period: PeriodName = "this_month", by: str | None = None,  # type: ignore[valid-type]
                            start: datetime.date | None = None, end: datetime.date | None = None):
    """A measure over ``period`` (a preset, or ``custom`` with ``start`` and ``end``, both days
    included), in total or split ``by`` branch, department or owner, with the previous period
    and the same period a year before. Scoped: the figures of the caller's records only."""
    measure = require_measure(request, code)
    if by is not None and by not in measure.groups:
        raise ValidationFailed(_("This measure cannot be split by %(by)s.") % {"by": by}, field="by")
    if period == "custom":
        if start is None or end is None or end < start or (end - start).days > 3660:
            raise ValidationFailed(_("Give both dates of the period, at most ten years apart."), field="start")
        chosen = Period(start, end + datetime.timedelta(days=1))
    else:
        chosen = preset(period)
    total = measures.compared(measure, request.user, chosen).get(None, (measure.zero,) * 3)
    figures = measures.compared(measure, request.user, chosen, by) if by is not None else {}
    return MeasureValueOut(
        code=measure.code, start=chosen.start, end=chosen.last_day,
        previous_start=measures.previous_period(chosen).start, last_year_start=measures.year_before(chosen).start,
        value=figure(total[0]), previous=figure(total[1]), last_year=figure(total[2]),
        url=measure.drill_url(chosen), by=by,
        groups=[GroupOut(key=key, value=figure(now), previous=figure(before), last_year=figure(year),
                         url=measure.drill_url(chosen, by, key)) for key, (now, before, year) in figures.items()])


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return figure(value)


@router.get("/analytics/dashboard", response=DashboardOut)
def analytics_dashboard(request):
    """The caller's home dashboard: their widgets in order, each with its figures (as the
    web page shows them, for the current month)."""
    user, today = request.user, timezone.localdate()
    widgets = [dashboard.get_widget(code) for code in dashboard.layout_of(user)]
    return DashboardOut(role=dashboard.role_of(user), as_of=timezone.now(), widgets=[
        WidgetOut(code=widget.code, label=str(widget.label), data=_plain(dashboard.widget_data(user, widget, today)))
        for widget in widgets])
