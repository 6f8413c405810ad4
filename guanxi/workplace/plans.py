"""Daily work plans (WRK-1): each employee plans the day, marks progress by the evening;
managers assign items to their people; what is left open carries over to the next day.

Completion of a day = items done / items planned for it, leaving out cancelled ones
(an item carried over counts as planned and not done on the day it was left open).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, Forbidden, ValidationFailed
from guanxi.core.notifications import notify
from guanxi.core.permissions import ensure
from guanxi.core.services import assign_fields, service, validated_save
from guanxi.org.models import User
from guanxi.org.scopes import ensure_in_scope, record_in_scope

from .models import OPEN_PLAN_STATUSES, PlanStatus, WorkPlanItem

PLAN_FIELDS = {"title", "notes", "customer", "opportunity", "day"}
MAX_DAYS_AHEAD = 92


def _check_day(day, *, today=None):
    today = today or timezone.localdate()
    if day < today:
        raise ValidationFailed(_("Plan today or a later day, not a past one."), field="day")
    if day > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed(_("Plan at most three months ahead."), field="day")


def _check_links(actor, item):
    """A linked customer or opportunity must be one the actor may see; an opportunity
    brings its customer."""
    if item.customer_id:
        ensure_in_scope(actor, item.customer)
    if item.opportunity_id:
        ensure_in_scope(actor, item.opportunity)
        if item.customer_id and item.customer_id != item.opportunity.customer_id:
            raise ValidationFailed(_("The opportunity belongs to another customer."), field="opportunity")
        item.customer_id = item.opportunity.customer_id


def _may_manage(actor, owner):
    """Whether ``actor`` may plan for ``owner``: themselves, or someone in their scope
    with the assign permission."""
    if owner.pk == actor.pk:
        return True
    return actor.has_module_perm("workplace.assign") and owner.is_active and \
        record_in_scope(actor, owner.pk, owner.branch_id)


def _in_language_of(user):
    return translation.override(user.language or settings.LANGUAGE_CODE)


@service
def plan_item_create(*, actor, title, day=None, owner=None, notes="", customer=None, opportunity=None):
    """Add an item to someone's plan: one's own, or (assign) a person in one's scope."""
    ensure(actor, "workplace.create")
    owner = owner or actor
    if not _may_manage(actor, owner):
        raise Forbidden(_("You may assign work only to people in your part of the company."))
    if owner.branch_id is None:
        raise ValidationFailed(_("%(name)s is not assigned to a branch yet.") % {"name": owner}, field="owner")
    day = day or timezone.localdate()
    _check_day(day)
    item = WorkPlanItem(owner=owner, branch_id=owner.branch_id, day=day, title=(title or "").strip(),
                        notes=(notes or "").strip(), customer=customer, opportunity=opportunity,
                        assigned_by=actor if owner.pk != actor.pk else None)
    _check_links(actor, item)
    validated_save(item)
    if item.assigned_by_id:
        with _in_language_of(owner):
            notify(owner, kind="workplace.plan_assigned",
                   title=_("%(name)s assigned you: %(title)s") % {"name": actor, "title": item.title},
                   body=_("For %(day)s.") % {"day": item.day.isoformat()}, url=item.get_absolute_url(),
                   dedupe_key=f"plan:{item.pk}:assigned")
    return item


def _editable(actor, item):
    ensure_in_scope(actor, item)
    item = WorkPlanItem.objects.select_for_update().select_related("owner").get(pk=item.pk)
    if not _may_manage(actor, item.owner):
        raise Forbidden(_("Only the employee or their manager changes this plan item."))
    if item.status == PlanStatus.CARRIED:
        raise Conflict(_("This item was carried over; change it on the day it continues."))
    return item


@service
def plan_item_update(*, actor, item, **data):
    """Change what an item is about (title, notes, links, day)."""
    ensure(actor, "workplace.edit")
    item = _editable(actor, item)
    assign_fields(item, PLAN_FIELDS, data)
    if "day" in data:
        _check_day(item.day)
    if "title" in data:
        item.title = (item.title or "").strip()
    _check_links(actor, item)
    return validated_save(item)


@service
def plan_item_progress(*, actor, item, progress=None, status=None, result=None):
    """Record how far an item got: a percentage, a status, a note of the result.

    100 % means done and done means 100 %; anything between is in progress.
    """
    ensure(actor, "workplace.edit")
    item = _editable(actor, item)
    if status is not None and status not in (PlanStatus.PLANNED, PlanStatus.IN_PROGRESS, PlanStatus.DONE,
                                             PlanStatus.CANCELLED):
        raise ValidationFailed(_("Choose planned, in progress, done or cancelled."), field="status")
    if progress is not None:
        if not 0 <= int(progress) <= 100:
            raise ValidationFailed(_("Progress is between 0 and 100 %."), field="progress")
        item.progress = int(progress)
        if status is None:
            status = PlanStatus.DONE if item.progress == 100 else (
                PlanStatus.IN_PROGRESS if item.progress else PlanStatus.PLANNED)
    if status is not None:
        item.status = status
        if status == PlanStatus.DONE:
            item.progress = 100
        elif item.progress == 100:
            item.progress = 90
    if result is not None:
        item.result = result.strip()
    item.completed_at = timezone.now() if item.is_done else None
    return validated_save(item)


@service
def plan_item_delete(*, actor, item):
    """Remove an item: one's own, or an assigned one by a manager who may assign."""
    ensure(actor, "workplace.delete")
    item = _editable(actor, item)
    if item.assigned_by_id and actor.pk == item.owner_id and not actor.has_module_perm("workplace.assign"):
        raise Forbidden(_("Work your manager assigned is removed by your manager."))
    item.delete()


def plans_carry_over(today=None, owner=None):
    """Close the items left open before ``today`` as carried over, each continuing as a
    new item today. Safe to run twice and from two processes at once (one continuation
    per item, enforced by the database)."""
    today = today or timezone.localdate()
    due = WorkPlanItem.objects.filter(day__lt=today, status__in=OPEN_PLAN_STATUSES)
    if owner is not None:
        due = due.filter(owner=owner)
    carried = 0
    for pk in list(due.order_by("pk").values_list("pk", flat=True)[:5000]):
        with transaction.atomic():
            item = WorkPlanItem.objects.select_for_update(skip_locked=True).filter(
                pk=pk, status__in=OPEN_PLAN_STATUSES).first()
            if item is None:
                continue
            item.status = PlanStatus.CARRIED
            item.save(update_fields=["status", "updated_at"])
            WorkPlanItem.objects.create(
                owner_id=item.owner_id, branch_id=item.branch_id, day=today, title=item.title, notes=item.notes,
                customer_id=item.customer_id, opportunity_id=item.opportunity_id, progress=item.progress,
                status=PlanStatus.IN_PROGRESS if item.progress else PlanStatus.PLANNED, result=item.result,
                assigned_by_id=item.assigned_by_id, carried_from=item, carry_count=item.carry_count + 1)
            carried += 1
    return carried


def plans_remind_unfinished(day=None):
    """In the evening, remind everyone with open items today to record their progress."""

    day = day or timezone.localdate()
    counts = dict(WorkPlanItem.objects.filter(day=day, status__in=OPEN_PLAN_STATUSES).order_by()
                  .values("owner_id").annotate(n=Count("pk")).values_list("owner_id", "n"))
    sent = 0
    for user in User.objects.filter(pk__in=list(counts), is_active=True):
        with _in_language_of(user):
            created = notify(user, kind="workplace.plan_evening",
                             title=_("%(n)d items of today's plan are still open: record your progress")
                             % {"n": counts[user.pk]},
                             url=reverse("workplace:my_day") + f"?date={day.isoformat()}", dedupe_key=f"plan-evening:{day.isoformat()}")
        sent += created is not None
    return sent


def completion(items):
    """(done, planned) of a day's items, cancelled ones left out."""
    planned = [i for i in items if i.status != PlanStatus.CANCELLED]
    return sum(1 for i in planned if i.status == PlanStatus.DONE), len(planned)


def completion_by_owner(queryset):
    """{owner id: (done, planned)} for a queryset of plan items, in one query."""
    rows = queryset.exclude(status=PlanStatus.CANCELLED).order_by().values("owner_id").annotate(
        planned=Count("pk"), done=Count("pk", filter=Q(status=PlanStatus.DONE)))
    return {row["owner_id"]: (row["done"], row["planned"]) for row in rows}
