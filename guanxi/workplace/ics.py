"""One person's calendar as iCalendar (RFC 5545) for phone calendars, written by the
``icalendar`` library (escaping, line folding, dates): appointments as timed events in UTC
(every client shows them in its own zone, Asia/Shanghai for ours), plan items as all-day
events on their day."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .calendar import plans_between, schedules_between

PAST_DAYS = 60
FUTURE_DAYS = 370


def _utc(moment):
    return moment.astimezone(datetime.UTC)


def calendar_for(user, *, host="guanxi", now=None):
    """Return the text of ``user``'s feed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = today - datetime.timedelta(days=PAST_DAYS)
    span = PAST_DAYS + FUTURE_DAYS
    stamp = _utc(now)
    calendar = Calendar()
    calendar.add("prodid", "-//Guanxi CRM//Calendar//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Guanxi: %(name)s") % {"name": user})
    calendar.add("x-wr-timezone", timezone.get_current_timezone_name())
    for schedule in schedules_between(user, start, span):
        event = Event()
        event.add("uid", f"schedule-{schedule.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(schedule.starts_at))
        event.add("dtend", _utc(schedule.ends_at))
        event.add("summary", schedule.title)
        if schedule.location:
            event.add("location", schedule.location)
        details = [str(schedule.customer)] if schedule.customer_id else []
        if schedule.notes:
            details.append(schedule.notes)
        if details:
            event.add("description", "\n".join(details))
        if schedule.done:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    for item in plans_between(user, start, span, [user.pk]):
        mark = "✓ " if item.is_done else ""
        event = Event()
        event.add("uid", f"plan-{item.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + datetime.timedelta(days=1))
        event.add("summary", mark + _("Plan: %(title)s") % {"title": item.title})
        event.add("transp", "TRANSPARENT")
        if item.customer_id:
            event.add("description", str(item.customer))
        calendar.add_component(event)
    return calendar.to_ical().decode()
