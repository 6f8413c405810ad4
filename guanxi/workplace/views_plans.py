"""Pages of the daily work plans (WRK-1) and the staff's day (WRK-5)."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.forms import act, form_page, report_message, run_service
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import require
from guanxi.org.models import User
from guanxi.org.scopes import record_in_scope

from . import plans, selectors
from .calendar import schedules_between
from .forms import PlanAssignForm, PlanItemForm, PlanProgressForm
from .lists import PlanList

plan_list = ListPageView.as_view(spec=PlanList)


def _day_from(request):
    return parse_date(request.GET.get("date", "") or request.POST.get("date", "") or "") or timezone.localdate()


def _day_url(day, person=None):
    query = f"?date={day.isoformat()}" + (f"&person={person.pk}" if person is not None else "")
    return reverse("workplace:my_day") + query


def _person_from(request):
    """The person whose day is shown: oneself, or someone in one's scope (else 404)."""

    raw = request.GET.get("person", "")
    if not raw.isdigit() or int(raw) == request.user.pk:
        return request.user
    person = User.objects.filter(pk=int(raw), is_active=True).select_related("department").first()
    if person is None or not record_in_scope(request.user, person.pk, person.branch_id):
        raise Http404
    return person


@require("workplace.view")
def my_day(request):
    """WRK-1: a person's plan for a day, with the day's appointments and what waits."""
    day = _day_from(request)
    person = _person_from(request)
    own = person.pk == request.user.pk
    items = selectors.day_plan(request.user, person, day)
    done, planned = plans.completion(items)
    may_plan = request.user.has_module_perm("workplace.create") and (
        own or request.user.has_module_perm("workplace.assign"))
    # From a customer's page: the add form starts with that customer (one's own only).
    initial = {"day": day}
    if own and request.GET.get("customer", "").isdigit():
        initial["customer"] = int(request.GET["customer"])
    return render(request, "workplace/my_day.html", {
        "day": day, "person": person, "own": own, "items": items, "done": done, "planned": planned,
        "percent": round(100 * done / planned) if planned else None,
        "form": PlanItemForm(user=request.user, initial=initial) if may_plan else None,
        "progress_choices": PlanProgressForm.PROGRESS,
        "schedules": list(schedules_between(request.user, day, 1, owner=person)),
        "awaiting": selectors.directives_awaiting(request.user) if own else [],
        "news": list(selectors.news_visible_to(request.user).order_by("-published_at")[:5]) if own else [],
        "previous": day - datetime.timedelta(days=1), "next": day + datetime.timedelta(days=1),
        "today": timezone.localdate(), "past": day < timezone.localdate(),
    })


@require("workplace.create")
@require_POST
def plan_add(request):
    """Add an item to one's own plan, or (with assign) to the person's whose day it is."""

    day = _day_from(request)
    owner = request.user
    if request.POST.get("owner", "").isdigit():
        owner = User.objects.filter(pk=int(request.POST["owner"])).first() or request.user
    form = PlanItemForm(request.POST, user=request.user)
    item = run_service(form, lambda data: plans.plan_item_create(actor=request.user, owner=owner, **data))
    if item is None:
        for error in [*form.non_field_errors(), *[e for f in form for e in f.errors]]:
            messages.error(request, error)
    else:
        messages.success(request, _("Added to the plan."))
        day = item.day
    return redirect(_day_url(day, owner if owner.pk != request.user.pk else None))


@require("workplace.edit")
@require_POST
def plan_progress(request, pk):
    """Record progress from the day page; HTMX gets the row back."""
    item = selectors.plan_item_get(request.user, pk)
    form = PlanProgressForm(request.POST)
    updated = run_service(form, lambda cleaned: plans.plan_item_progress(
        actor=request.user, item=item, progress=cleaned.get("progress"),
        status=cleaned.get("status") or None, result=cleaned.get("result") if "result" in request.POST else None))
    if request.htmx:
        context = {"item": updated or item, "progress_choices": PlanProgressForm.PROGRESS, "editable": True,
                   "errors": form.errors.get("__all__") or [e for errs in form.errors.values() for e in errs]}
        response = render(request, "workplace/_plan_row.html", context)
        if updated is not None:
            response["HX-Trigger"] = '{"plan-changed": true}'
        return response
    if updated is None:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs) or _("Not saved."))
    return redirect(_day_url(item.day, item.owner if item.owner_id != request.user.pk else None))


@require("workplace.view")
def plan_detail(request, pk):
    item = selectors.plan_item_get(request.user, pk)
    if request.htmx and request.GET.get("tab") == "history":
        return render(request, "core/_history.html", {"entries": history_for(item)})
    return render(request, "workplace/plan_detail.html", {
        "item": item, "record": item, "tab": request.GET.get("tab", "details"),
        "entries": history_for(item) if request.GET.get("tab") == "history" else None,
        "continued": getattr(item, "carried_to", None) if item.status == "carried" else None,
        "can_edit": request.user.has_module_perm("workplace.edit") and item.is_open,
        "can_delete": request.user.has_module_perm("workplace.delete"),
    })


@require("workplace.edit")
def plan_edit(request, pk):
    item = selectors.plan_item_get(request.user, pk)
    form = PlanItemForm(request.POST or None, user=item.owner, initial={
        "title": item.title, "day": item.day, "customer": item.customer_id, "opportunity": item.opportunity_id,
        "notes": item.notes})
    return form_page(
        request, form, lambda data: plans.plan_item_update(actor=request.user, item=item, **data),
        title=_("Edit plan item"), saved_message=_("Plan item saved."), success_url=item, cancel_url=item)


@require("workplace.delete")
@require_POST
def plan_delete(request, pk):
    item = selectors.plan_item_get(request.user, pk)
    return act(request, lambda: plans.plan_item_delete(actor=request.user, item=item), done=_("Plan item removed."),
               back=item, then=_day_url(item.day), report=report_message)


@require("workplace.assign")
def team_plans(request):
    """WRK-1: a manager's people, their plans for the day and how far they got; assign."""
    day = _day_from(request)
    form = PlanAssignForm(request.POST or None, user=request.user, initial={"day": day})
    if request.method == "POST":
        item = run_service(form, lambda data: plans.plan_item_create(actor=request.user, **data))
        if item is not None:
            messages.success(request, _("Assigned to %(name)s.") % {"name": item.owner})
            return redirect(reverse("workplace:team_plans") + f"?date={item.day.isoformat()}")
    rows = [row for row in selectors.team_day(request.user, day) if row[0].pk != request.user.pk]
    done = sum(r[2] for r in rows)
    planned = sum(r[3] for r in rows)
    return render(request, "workplace/team_plans.html", {
        "day": day, "rows": rows, "form": form, "done": done, "planned": planned,
        "percent": round(100 * done / planned) if planned else None,
        "previous": day - datetime.timedelta(days=1), "next": day + datetime.timedelta(days=1),
        "today": timezone.localdate(),
    })
