"""One person's calendar as iCalendar (RFC 5545) for phone calendars: appointments as
timed events in UTC (every client shows them in its own zone, Asia/Shanghai for ours),
plan items as all-day events on their day."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .calendar import plans_between, schedules_between
from .models import PlanStatus

PAST_DAYS = 60
FUTURE_DAYS = 370


def _escape(text):
    return (str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", ""))


def _fold(line):
    """Lines of at most 75 octets, continued with a space (RFC 5545 §3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_for(user, *, host="guanxi", now=None):
    """Return the text of ``user``'s feed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = today - datetime.timedelta(days=PAST_DAYS)
    span = PAST_DAYS + FUTURE_DAYS
    stamp = _utc(now)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Guanxi CRM//Calendar//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(_('Guanxi: %(name)s') % {'name': user})}",
             f"X-WR-TIMEZONE:{timezone.get_current_timezone_name()}"]
    for schedule in schedules_between(user, start, span):
        lines += ["BEGIN:VEVENT", f"UID:schedule-{schedule.pk}@{host}", f"DTSTAMP:{stamp}",
                  f"DTSTART:{_utc(schedule.starts_at)}", f"DTEND:{_utc(schedule.ends_at)}",
                  f"SUMMARY:{_escape(schedule.title)}"]
        if schedule.location:
            lines.append(f"LOCATION:{_escape(schedule.location)}")
        details = [str(schedule.customer)] if schedule.customer_id else []
        if schedule.notes:
            details.append(schedule.notes)
        if details:
            lines.append(f"DESCRIPTION:{_escape(chr(10).join(details))}")
        if schedule.done:
            lines.append("STATUS:CONFIRMED")
        lines.append("END:VEVENT")
    for item in plans_between(user, start, span, [user.pk]):
        mark = "✓ " if item.status == PlanStatus.DONE else ""
        lines += ["BEGIN:VEVENT", f"UID:plan-{item.pk}@{host}", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{item.day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{item.day + datetime.timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{_escape(mark + _('Plan: %(title)s') % {'title': item.title})}",
                  "TRANSP:TRANSPARENT"]
        if item.customer_id:
            lines.append(f"DESCRIPTION:{_escape(item.customer)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
