"""Personal and department calendars (ACT-2, WRK-1): appointments and plan items per
day, for one person or the people of a department, as far as the viewer's scope goes."""

import datetime

from django.utils import timezone

from guanxi.org.models import User
from guanxi.org.scopes import scoped

from .models import PlanStatus, Schedule, WorkPlanItem


def week_start(day):
    return day - datetime.timedelta(days=day.weekday())


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def schedules_between(user, start_day, days, owner=None, owners=None):
    start = _day_start(start_day)
    end = start + datetime.timedelta(days=days)
    queryset = scoped(Schedule.objects.filter(starts_at__lt=end, ends_at__gte=start), user).select_related(
        "customer", "owner").order_by("starts_at")
    if owners is not None:
        return queryset.filter(owner__in=owners)
    return queryset.filter(owner=owner or user)


def plans_between(user, start_day, days, owners):
    return scoped(WorkPlanItem.objects.filter(day__gte=start_day, day__lt=start_day + datetime.timedelta(days=days),
                                              owner__in=owners), user).exclude(
        status=PlanStatus.CANCELLED).select_related("owner", "customer").order_by("day", "pk")


def department_people(user):
    """The active people of the user's department and its sub-departments."""
    if not user.department_id:
        return [user]
    return list(User.objects.filter(is_active=True, department__path__startswith=user.department.path)
                .order_by("display_name"))


def calendar_days(user, start_day, days, owners=None):
    """Return [(date, [schedules], [plan items])] for ``days`` days from ``start_day``:
    the user's own, or those of ``owners`` the user may see."""
    owner_ids = [o.pk for o in owners] if owners is not None else [user.pk]
    items = list(schedules_between(user, start_day, days, owners=owner_ids))
    plans = list(plans_between(user, start_day, days, owner_ids))
    result = []
    for offset in range(days):
        day = start_day + datetime.timedelta(days=offset)
        result.append((day, [s for s in items if timezone.localtime(s.starts_at).date() <= day
                             <= timezone.localtime(s.ends_at).date()], [p for p in plans if p.day == day]))
    return result
