"""The notification centre: the bell, the list of notices and the preferences.

The bell polls every few seconds with the newest notice id it has shown; any unread
notice newer than that arrives as a toast (an ``HX-Trigger`` the page already shows).
Nothing is kept in the web process: any number of them can answer the polls.
"""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.forms import run_service
from guanxi.core.models import Notification
from guanxi.core.notifications import (
    kind_for,
    mark_read,
    preferences_of,
    preferences_save,
    unread_count,
)
from guanxi.core.permissions import AUTHENTICATED, require

from .forms import NotificationPreferencesForm

BELL_SECONDS = 5


@require(AUTHENTICATED)
def notification_bell(request):
    notices = Notification.objects.filter(recipient=request.user)
    latest = notices.aggregate(latest=Max("pk"))["latest"] or 0
    response = render(request, "workplace/_bell.html", {
        "unread": unread_count(request.user), "latest": latest, "polled": True, "seconds": BELL_SECONDS})
    after = request.GET.get("after", "")
    if after.isdigit():
        fresh = list(notices.filter(pk__gt=int(after), read_at__isnull=True).order_by("-pk")[:3])
        if fresh:
            text = fresh[0].title if len(fresh) == 1 else _("%(title)s (and %(n)d more)") % {
                "title": fresh[0].title, "n": len(fresh) - 1}
            response["HX-Trigger"] = json.dumps({"toast": {"text": text, "level": "info"}}, ensure_ascii=True)
    return response


@require(AUTHENTICATED)
def notification_centre(request):
    if request.method == "POST":
        mark_read(request.user)
        messages.success(request, _("All marked as read."))
        return redirect("workplace:notifications")
    notices = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")
    show = request.GET.get("show", "all")
    if show == "unread":
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    for notice in page:
        kind = kind_for(notice.kind)
        notice.kind_label = kind.label if kind else notice.kind
    return render(request, "workplace/notifications.html", {"page": page, "show": show,
                                                            "unread": unread_count(request.user)})


@require(AUTHENTICATED)
@require_POST
def notification_read(request, pk):
    mark_read(request.user, [pk])
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("workplace:notifications")


@require(AUTHENTICATED)
def notification_preferences(request):
    form = NotificationPreferencesForm(request.POST or None, preferences=preferences_of(request.user))
    if request.method == "POST" and run_service(form, lambda data: preferences_save(
            actor=request.user, choices=form.choices())) is not None:
        messages.success(request, _("Preferences saved."))
        return redirect("workplace:notification_preferences")
    return render(request, "workplace/notification_preferences.html", {"form": form})
