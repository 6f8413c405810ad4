from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from . import search as global_search
from .forms import SavedViewForm
from .models import SavedView
from .permissions import AUTHENTICATED, PUBLIC, require


@require(AUTHENTICATED)
def home(request):
    from guanxi.core.navigation import menu_for

    return render(request, "core/home.html", {"sections": menu_for(request.user)})


@require(AUTHENTICATED)
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    hits = global_search.search_all(request.user, q, limit=8) if q else []
    template = "core/_search_results.html" if request.htmx else "core/search.html"
    return render(request, template, {"q": q, "hits": hits})


@require(PUBLIC)
def set_language(request):
    """Switch the language (cookie for everyone, saved on the profile when signed in)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in {"zh-hans", "en"}:
        from guanxi.org.services import employee_set_language

        employee_set_language(actor=request.user, user=request.user, language=language)
    return response


def _safe_next(request, fallback="core:home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return redirect(fallback).url


@require(AUTHENTICATED)
@require_POST
def saved_view_create(request):
    form = SavedViewForm(request.POST)
    if form.is_valid():
        from .services import saved_view_save

        saved_view_save(actor=request.user, **form.cleaned_data)
        messages.success(request, _("View saved."))
    else:
        for error in form.errors.values():
            messages.error(request, error[0])
    return redirect(_safe_next(request))


@require(AUTHENTICATED)
@require_POST
def saved_view_delete(request, pk):
    view = get_object_or_404(SavedView, pk=pk, owner=request.user)
    from .services import saved_view_delete as delete

    delete(actor=request.user, view=view)
    messages.success(request, _("View deleted."))
    return redirect(_safe_next(request))


def _error(request, status, title):
    if request.path.startswith("/api/"):
        from guanxi.api.problems import problem_response

        return problem_response(request, status, title, title)
    return render(request, "core/error.html", {"status": status, "title": title}, status=status)


def page_not_found(request, exception=None):
    return _error(request, 404, _("Not found."))


def permission_denied(request, exception=None):
    return _error(request, 403, _("You do not have permission to open this page."))


def server_error(request):
    return _error(request, 500, _("Something went wrong. It has been logged."))


def bad_request(request, exception=None):
    return _error(request, 400, _("The request was too large or not valid. Nothing was saved."))


@require(AUTHENTICATED)
def notification_count(request):
    from .notifications import unread_count

    return render(request, "core/_bell.html", {"unread": unread_count(request.user)})


@require(AUTHENTICATED)
def notification_list(request):
    from .notifications import mark_read, recent_for

    if request.method == "POST":
        mark_read(request.user)
        return redirect("core:notifications")
    return render(request, "core/notifications.html", {"notices": recent_for(request.user, limit=100)})


@require(AUTHENTICATED)
def notification_open(request, pk):
    from .models import Notification
    from .notifications import mark_read

    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    mark_read(request.user, [notice.pk])
    target = notice.url if url_has_allowed_host_and_scheme(notice.url, {request.get_host()}) else ""
    return redirect(target or "core:notifications")
