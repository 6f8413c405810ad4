"""Business hours: the clock service levels run on (SRV-2).

Working days and hours come from ``ServiceSettings`` (Monday to Friday, 9:00–18:00 by
default), broken by the company calendar's holidays and make-up working days (调休,
``core.business_calendar``), in the company's time zone (Asia/Shanghai by default).
A target of 4 business hours set at 17:00 on a Friday falls due at 12:00 on Monday.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from guanxi.core import business_calendar

from .models import ServiceSettings

MAX_DAYS = 3660  # a target never reaches further than ten years of working days


@dataclass(frozen=True)
class Hours:
    work_days: frozenset
    starts: datetime.time
    ends: datetime.time
    holidays: frozenset
    workdays: frozenset = frozenset()  # make-up working days outside the weekly rule

    @classmethod
    def from_settings(cls, settings=None):
        settings = settings or ServiceSettings.current()
        days = frozenset(int(d) for d in str(settings.work_days).replace(" ", "").split(",") if d.isdigit())
        holidays, workdays = business_calendar.exceptions()
        starts, ends = settings.day_starts, settings.day_ends
        if isinstance(starts, str):
            starts = datetime.time.fromisoformat(starts)
        if isinstance(ends, str):
            ends = datetime.time.fromisoformat(ends)
        return cls(days or frozenset({1, 2, 3, 4, 5}), starts, ends, holidays, workdays)

    def is_working_day(self, day):
        if day in self.workdays:
            return True
        return day.isoweekday() in self.work_days and day not in self.holidays

    def _window(self, day):
        zone = timezone.get_current_timezone()
        return (datetime.datetime.combine(day, self.starts, tzinfo=zone),
                datetime.datetime.combine(day, self.ends, tzinfo=zone))

    def add(self, start, hours):
        """The moment ``hours`` business hours after ``start`` (aware)."""
        left = datetime.timedelta(seconds=float(Decimal(str(hours)) * 3600))
        moment = timezone.localtime(start)
        day = moment.date()
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin = max(moment, opens)
                if begin < closes:
                    available = closes - begin
                    if left <= available:
                        return begin + left
                    left -= available
            day += datetime.timedelta(days=1)
            moment = self._window(day)[0]
        raise ValueError("no working time in the next ten years")

    def between(self, start, end):
        """Business hours (as a Decimal with two places) from ``start`` to ``end``."""
        if end <= start:
            return Decimal("0")
        total = datetime.timedelta()
        day = timezone.localtime(start).date()
        last = timezone.localtime(end).date()
        while day <= last:
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin, finish = max(opens, start), min(closes, end)
                if finish > begin:
                    total += finish - begin
            day += datetime.timedelta(days=1)
        return (Decimal(total.total_seconds()) / 3600).quantize(Decimal("0.01"))
