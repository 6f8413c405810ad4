"""The company's calendar of working days: the weekly rule (a module's own setting, e.g.
Monday to Friday for service levels) broken by dated exceptions administrators edit —
public holidays and make-up working days (调休) — kept as ``CalendarDay`` rows.

China's public holidays and make-up days are loaded per year from the ``chinesecalendar``
package (the State Council's yearly notice, as data), and may be edited afterwards.
"""

import datetime

from chinese_calendar import constants as china
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .errors import ValidationFailed
from .models import CalendarDay
from .permissions import ensure

# The names the package gives, for translation.
HOLIDAY_NAMES = [gettext_noop("New Year's Day"), gettext_noop("Spring Festival"), gettext_noop("Tomb-sweeping Day"),
                 gettext_noop("Labour Day"), gettext_noop("Dragon Boat Festival"), gettext_noop("National Day"),
                 gettext_noop("Mid-autumn Festival"), gettext_noop("Anti-Fascist 70th Day")]


def exceptions():
    """(holidays, make-up working days) as two frozensets of dates."""
    holidays, workdays = set(), set()
    for day, is_working in CalendarDay.objects.values_list("day", "is_working"):
        (workdays if is_working else holidays).add(day)
    return frozenset(holidays), frozenset(workdays)


def days_of(year):
    return list(CalendarDay.objects.filter(day__year=year))


def china_years():
    return sorted({day.year for day in china.holidays} | {day.year for day in china.workdays})


@transaction.atomic
def day_set(*, actor, day, is_working, name=""):
    ensure(actor, "system.configure")
    if not isinstance(day, datetime.date):
        raise ValidationFailed(_("Enter a date (YYYY-MM-DD)."), field="day")
    row, _created = CalendarDay.objects.update_or_create(day=day, defaults={
        "is_working": bool(is_working), "name": (name or "").strip()[:50]})
    return row


@transaction.atomic
def day_delete(*, actor, day):
    ensure(actor, "system.configure")
    return CalendarDay.objects.filter(day=day).delete()[0]


@transaction.atomic
def load_china(*, actor, year):
    """Write China's public holidays and make-up working days of ``year``; a date already
    in the calendar keeps what an administrator set. Returns the number of dates added."""
    ensure(actor, "system.configure")
    if year not in china_years():
        raise ValidationFailed(_("China's holidays for %(year)s are not known yet: enter them by hand.") % {
            "year": year}, field="year")
    known = set(CalendarDay.objects.filter(day__year=year).values_list("day", flat=True))
    rows = [CalendarDay(day=day, is_working=False, name=str(getattr(holiday, "value", holiday))) for day, holiday in china.holidays.items()
            if day.year == year and day not in known]
    rows += [CalendarDay(day=day, is_working=True, name=str(getattr(holiday, "value", holiday))) for day, holiday in china.workdays.items()
             if day.year == year and day not in known]
    CalendarDay.objects.bulk_create(rows)
    return len(rows)
