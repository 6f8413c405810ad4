"""Day and week views of a personal calendar (ACT-2)."""

import datetime

from django.utils import timezone

from guanxi.org.scopes import scoped

from .models import Schedule


def week_start(day):
    return day - datetime.timedelta(days=day.weekday())


def schedules_between(user, start_day, days, owner=None):
    start = timezone.make_aware(datetime.datetime.combine(start_day, datetime.time.min))
    end = start + datetime.timedelta(days=days)
    queryset = scoped(Schedule.objects.filter(starts_at__lt=end, ends_at__gte=start), user).select_related(
        "customer", "owner").order_by("starts_at")
    return queryset.filter(owner=owner or user)


def calendar_days(user, start_day, days):
    """Return [(date, [schedules])] for ``days`` days from ``start_day``."""
    items = list(schedules_between(user, start_day, days))
    result = []
    for offset in range(days):
        day = start_day + datetime.timedelta(days=offset)
        result.append((day, [s for s in items if timezone.localtime(s.starts_at).date() <= day
                             <= timezone.localtime(s.ends_at).date()]))
    return result
