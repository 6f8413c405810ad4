"""The home dashboard's pages: the frame, each widget by its own URL (HTMX, cached per
user), and the layout editor (plain forms: keyboard and phone usable)."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.permissions import AUTHENTICATED, require

from . import dashboard
from .report_models import DecisionReport


def _widgets(user):
    catalog = dashboard.catalog()
    return [catalog[code] for code in dashboard.layout_of(user)]


@require(AUTHENTICATED)
def home(request):
    return render(request, "analytics/home.html", {
        "widgets": _widgets(request.user), "role": dashboard.ROLE_LABELS[dashboard.role_of(request.user)]})


def cache_key(user, code, today):
    return f"dashboard:v1:{user.pk}:{code}:{get_language()}:{today.isoformat()}"


def widget_body(request, widget, refresh=False):
    """(the body's HTML, when it was computed), from the cache unless ``refresh``."""
    today = timezone.localdate()
    key = cache_key(request.user, widget.code, today)
    found = None if refresh else cache.get(key)
    if found is None:
        context = widget.build(request.user, today)
        found = (render_to_string(widget.template, {**context, "widget": widget}, request=request), timezone.now())
        cache.set(key, found, dashboard.CACHE_SECONDS)
    return found


@require(AUTHENTICATED)
def widget(request, code):
    found = dashboard.get_widget(code)
    if found is None:
        raise Http404
    if not found.visible_to(request.user):
        raise PermissionDenied
    body, as_of = widget_body(request, found, refresh=request.GET.get("refresh") == "1")
    return render(request, "analytics/widgets/_frame.html", {"widget": found, "body": body, "as_of": as_of})


@require(AUTHENTICATED)
def customize(request):
    current = _widgets(request.user)
    chosen = {w.code for w in current}
    return render(request, "analytics/dashboard_customize.html", {
        "current": current, "addable": [w for w in dashboard.available(request.user) if w.code not in chosen],
        "role": dashboard.ROLE_LABELS[dashboard.role_of(request.user)]})


@require(AUTHENTICATED)
@require_POST
def customize_change(request):
    action = request.POST.get("action", "")
    if action not in ("add", "remove", "up", "down", "reset"):
        raise Http404
    dashboard.dashboard_layout_change(actor=request.user, action=action, code=request.POST.get("code", ""))
    if action == "reset":
        messages.success(request, _("Your home page shows your role's default widgets again."))
    return redirect("analytics:dashboard_customize")


@require("analytics.view")
def report_list(request):
    """The archive of decision-support reports (ANA-9)."""
    reports = DecisionReport.objects.defer("pdf")[:200]
    return render(request, "analytics/decision_reports.html", {"reports": reports})


@require("analytics.view")
def report_download(request, pk):
    report = get_object_or_404(DecisionReport, pk=pk)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="decision-report-{report.kind}-{report.start:%Y%m%d}.pdf"'
    return response
