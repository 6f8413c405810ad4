import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.forms import form_page
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import PUBLIC, require
from guanxi.org.scopes import get_scoped

from . import feeds, ics, selectors, services
from .calendar import calendar_days, department_people, week_start
from .forms import NoteForm, ScheduleForm
from .lists import NoteList
from .models import Schedule

note_list = ListPageView.as_view(spec=NoteList)


@require("workplace.view")
def note_detail(request, pk):
    note = selectors.note_get(request.user, pk)
    if request.htmx and request.GET.get("tab") == "history":
        return render(request, "core/_history.html", {"entries": history_for(note)})
    return render(request, "workplace/note_detail.html", {
        "note": note, "record": note,
        "can_edit": request.user.has_module_perm("workplace.edit"),
        "can_delete": request.user.has_module_perm("workplace.delete"),
        "tab": request.GET.get("tab", "details"),
        "entries": history_for(note) if request.GET.get("tab") == "history" else None,
    })


@require("workplace.create")
def note_create(request):
    return form_page(
        request, NoteForm(request.POST or None),
        lambda data: services.note_create(actor=request.user, **data),
        title=_("New note"), saved_message=_("Note saved."),
        success_url=lambda note: note, cancel_url="workplace:note_list",
    )


@require("workplace.edit")
def note_edit(request, pk):
    note = selectors.note_get(request.user, pk)
    return form_page(
        request, NoteForm(request.POST or None, instance=note),
        lambda data: services.note_update(actor=request.user, note=note, **data),
        title=_("Edit note"), saved_message=_("Note saved."), success_url=note, cancel_url=note,
    )


@require("workplace.delete")
@require_POST
def note_delete(request, pk):
    note = selectors.note_get(request.user, pk)
    services.note_delete(actor=request.user, note=note)
    messages.success(request, _("Note moved to the recycle bin."))
    return redirect("workplace:note_list")


# --- calendar (ACT-2) --------------------------------------------------------------
@require("workplace.view")
def calendar_view(request):
    view = "day" if request.GET.get("view") == "day" else "week"
    who = "department" if request.GET.get("who") == "department" else "me"
    day = parse_date(request.GET.get("date", "") or "") or timezone.localdate()
    start = day if view == "day" else week_start(day)
    length = 1 if view == "day" else 7
    step = datetime.timedelta(days=length)
    owners = department_people(request.user) if who == "department" else None
    return render(request, "workplace/calendar.html", {
        "view": view, "who": who, "days": calendar_days(request.user, start, length, owners=owners), "day": day,
        "previous": (start - step).isoformat(), "next": (start + step).isoformat(),
        "today": timezone.localdate(),
    })


@require("workplace.view")
def calendar_feed_settings(request):
    """The secret address of one's calendar feed: make (shown once), replace, revoke."""

    secret = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            feeds.calendar_feed_revoke(actor=request.user)
            messages.success(request, _("The calendar address no longer works."))
            return redirect("workplace:calendar_feed")
        _feed, secret = feeds.calendar_feed_create(actor=request.user)
    feed = feeds.calendar_feed_active(request.user)
    url = request.build_absolute_uri(reverse("workplace:calendar_ics", args=[secret])) if secret else None
    return render(request, "workplace/calendar_feed.html", {"feed": feed, "url": url})


@require(PUBLIC)
def calendar_ics(request, secret):
    """The feed a phone calendar subscribes to: no login, the secret is the key."""

    owner = feeds.calendar_feed_owner(secret)
    if owner is None:
        raise Http404
    response = HttpResponse(ics.calendar_for(owner, host=request.get_host().split(":")[0]),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="guanxi.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require("workplace.create")
def schedule_create(request):
    initial = {}
    if request.GET.get("customer", "").isdigit():
        initial["customer"] = int(request.GET["customer"])
    form = ScheduleForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request, form, lambda data: services.schedule_create(actor=request.user, **data),
        title=_("New appointment"), saved_message=_("Appointment saved."),
        success_url="workplace:calendar", cancel_url="workplace:calendar",
    )


@require("workplace.edit")
def schedule_edit(request, pk):
    schedule = get_scoped(Schedule.objects.all(), request.user, pk=pk, owner=request.user)
    form = ScheduleForm(request.POST or None, instance=schedule, user=request.user)
    return form_page(
        request, form, lambda data: services.schedule_update(actor=request.user, schedule=schedule, **data),
        title=_("Edit appointment"), saved_message=_("Appointment saved."),
        success_url="workplace:calendar", cancel_url="workplace:calendar",
        context={"delete_url": f"/work/calendar/{schedule.pk}/delete/"},
    )


@require("workplace.delete")
@require_POST
def schedule_delete(request, pk):
    schedule = get_scoped(Schedule.objects.all(), request.user, pk=pk, owner=request.user)
    services.schedule_delete(actor=request.user, schedule=schedule)
    messages.success(request, _("Appointment deleted."))
    return redirect("workplace:calendar")
