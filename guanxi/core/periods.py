"""Reporting periods: months, quarters, years and the presets report forms offer.

A period is a half-open date range ``[start, end)``; ``aware_range`` turns it into
timezone-aware datetimes in the current time zone (Asia/Shanghai by default), so a
day means the local day whatever the database stores.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # exclusive

    @property
    def last_day(self):
        return self.end - datetime.timedelta(days=1)

    @property
    def days(self):
        return (self.end - self.start).days

    def aware_range(self):
        return aware(self.start), aware(self.end)

    def months(self):
        """The first days of the months the period touches."""
        return month_starts(self.start, self.end)

    def __str__(self):
        return f"{self.start.isoformat()} – {self.last_day.isoformat()}"


def parse_range(raw):
    """``"2026-11-01..2026-11-30"`` (a list filter's value) → (first day, day after the
    last), or None when it is not one."""
    start, _sep, last = str(raw).partition("..")
    try:
        start, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(last)
    except ValueError:
        return None
    return (start, last + datetime.timedelta(days=1)) if start <= last else None


def range_value(period):
    """The period as a list filter's value (``parse_range`` reads it)."""
    return f"{period.start.isoformat()}..{period.last_day.isoformat()}"


def aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def month_start(day):
    return day.replace(day=1)


def add_months(day, months):
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_starts(start, end):
    found, month = [], month_start(start)
    while month < end:
        found.append(month)
        month = add_months(month, 1)
    return found


def month(year, number):
    first = datetime.date(year, number, 1)
    return Period(first, add_months(first, 1))


def year(number):
    return Period(datetime.date(number, 1, 1), datetime.date(number + 1, 1, 1))


PRESETS = [
    ("this_month", _("This month")), ("last_month", _("Last month")), ("this_quarter", _("This quarter")),
    ("last_quarter", _("Last quarter")), ("this_year", _("This year")), ("last_year", _("Last year")),
    ("last_12_months", _("Last 12 months")), ("custom", _("From … to …")),
]


def preset(name, today=None):
    today = today or timezone.localdate()
    this_month = month_start(today)
    quarter = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    periods = {
        "this_month": (this_month, add_months(this_month, 1)),
        "last_month": (add_months(this_month, -1), this_month),
        "this_quarter": (quarter, add_months(quarter, 3)),
        "last_quarter": (add_months(quarter, -3), quarter),
        "this_year": (datetime.date(today.year, 1, 1), datetime.date(today.year + 1, 1, 1)),
        "last_year": (datetime.date(today.year - 1, 1, 1), datetime.date(today.year, 1, 1)),
        "last_12_months": (add_months(this_month, -11), add_months(this_month, 1)),
    }
    return Period(*periods[name])


class PeriodForm(forms.Form):
    """A preset or a custom range; ``selected()`` is always a valid Period."""

    period = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False, initial="this_month")
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    default_preset = "this_month"
    max_days = 3660

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both dates of the period."))
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days > self.max_days:
                raise forms.ValidationError(_("Choose a period of at most ten years."))
        return data

    def selected(self):
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        name = data.get("period") or self.default_preset
        if name == "custom":
            return Period(data["start"], data["end"] + datetime.timedelta(days=1))
        return preset(name)
