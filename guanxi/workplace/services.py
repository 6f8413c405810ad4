
from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Forbidden, ValidationFailed
from guanxi.core.errors import ValidationFailed as Invalid
from guanxi.core.notifications import notify
from guanxi.core.permissions import ensure
from guanxi.core.services import assign_fields, service, soft_delete, validated_save
from guanxi.org.scopes import ensure_in_scope
from guanxi.org.scopes import ensure_in_scope as in_scope
from guanxi.org.services import purge_in_scope, restore_in_scope

from .models import Note, Schedule

if TYPE_CHECKING:
    from guanxi.org.models import User


NOTE_FIELDS = {"title", "body", "category"}


@service
def note_create(*, actor: User, title: str, body: str = "", category: str = "general") -> Any:
    ensure(actor, "workplace.create")
    if actor.branch_id is None:
        raise ValidationFailed(_("You are not assigned to a branch yet; ask an administrator."))
    note = Note(title=title, body=body, category=category, owner=actor, branch_id=actor.branch_id,
                created_by=actor)
    return validated_save(note)


@service
def note_update(*, actor: User, note: Note, **data: Any) -> Any:
    ensure(actor, "workplace.edit")
    ensure_in_scope(actor, note)
    note = Note.objects.select_for_update().get(pk=note.pk)
    assign_fields(note, NOTE_FIELDS, data)
    return validated_save(note)


@service
def note_delete(*, actor: User, note: Note) -> None:
    ensure(actor, "workplace.delete")
    ensure_in_scope(actor, note)
    soft_delete(note, actor=actor)


@service
def note_restore(*, actor: User, note: Note) -> Any:
    return restore_in_scope(actor, note)


@service
def note_purge(*, actor: User, note: Note) -> None:
    purge_in_scope(actor, note)


# --- appointments (ACT-2) ----------------------------------------------------------
SCHEDULE_FIELDS = {"title", "starts_at", "ends_at", "location", "customer", "notes", "remind_minutes_before",
                   "remind_by_email", "done"}


def _schedule_rules(schedule: Schedule) -> None:
    if schedule.ends_at and schedule.starts_at and schedule.ends_at < schedule.starts_at:
        raise Invalid(_("An appointment cannot end before it starts."), field="ends_at")
    if schedule.remind_minutes_before is not None and schedule.remind_minutes_before > 60 * 24 * 30:
        raise Invalid(_("Remind at most 30 days before."), field="remind_minutes_before")
    if schedule.remind_minutes_before is None:
        schedule.remind_at = None
    else:
        schedule.remind_at = schedule.starts_at - datetime.timedelta(minutes=schedule.remind_minutes_before)
    schedule.reminded_at = None


@service
def schedule_create(*, actor: User, title: str, starts_at: datetime.datetime, ends_at: datetime.datetime | None = None, **data: Any) -> Any:
    ensure(actor, "workplace.create")
    if actor.branch_id is None:
        raise ValidationFailed(_("You are not assigned to a branch yet; ask an administrator."))
    customer = data.get("customer")
    if customer is not None:
        in_scope(actor, customer)
    schedule = Schedule(owner=actor, branch_id=actor.branch_id, title=title, starts_at=starts_at,
                        ends_at=ends_at or starts_at + datetime.timedelta(hours=1))
    assign_fields(schedule, SCHEDULE_FIELDS - {"title"}, data)
    _schedule_rules(schedule)
    return validated_save(schedule)


@service
def schedule_update(*, actor: User, schedule: Schedule, **data: Any) -> Any:
    ensure(actor, "workplace.edit")
    ensure_in_scope(actor, schedule)
    if schedule.owner_id != actor.pk:
        raise Forbidden(_("Only the owner changes an appointment."))
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    assign_fields(schedule, SCHEDULE_FIELDS, data)
    _schedule_rules(schedule)
    return validated_save(schedule)


@service
def schedule_delete(*, actor: User, schedule: Schedule) -> None:
    ensure(actor, "workplace.delete")
    ensure_in_scope(actor, schedule)
    if schedule.owner_id != actor.pk:
        raise Forbidden(_("Only the owner deletes an appointment."))
    schedule.delete()


def schedules_send_reminders(now: datetime.datetime | None = None) -> int:
    """Deliver due appointment reminders once each (in-app, and by e-mail if asked)."""

    now = now or timezone.now()
    sent = 0
    due = Schedule.objects.filter(remind_at__lte=now, reminded_at__isnull=True, done=False).order_by("remind_at")
    for pk in list(due.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            schedule = Schedule.objects.select_for_update(skip_locked=True).filter(
                pk=pk, reminded_at__isnull=True).select_related("owner").first()
            if schedule is None:
                continue
            start = timezone.localtime(schedule.starts_at)
            notify(schedule.owner, kind="workplace.reminder",
                   title=_("%(time)s %(title)s") % {"time": start.strftime("%m-%d %H:%M"), "title": schedule.title},
                   body=schedule.location, url=schedule.get_absolute_url(), email=schedule.remind_by_email,
                   dedupe_key=f"schedule:{schedule.pk}:{schedule.remind_at:%Y%m%d%H%M}")
            schedule.reminded_at = now
            schedule.save(update_fields=["reminded_at"])
            sent += 1
    return sent
