from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.navigation import menu_for

from . import homepage, imports
from . import search as global_search
from .errors import DomainError
from .forms import SavedViewForm
from .import_jobs import (
    error_report,
    import_preview,
    import_start,
    import_upload,
    job_for,
    owner_question,
    unknown_values,
)
from .import_jobs import import_cancel as cancel
from .models import ImportJob, ImportStatus, Notification, SavedView
from .notifications import mark_read, recent_for, unread_count
from .permissions import AUTHENTICATED, require
from .problems import error_response
from .services import saved_view_delete as delete
from .services import saved_view_save


@require(AUTHENTICATED)
def home(request):
    """The registered home page (the dashboard), else the module links."""
    view = homepage.provider()
    return view(request) if view is not None else links(request)


@require(AUTHENTICATED)
def links(request):
    return render(request, "core/home.html", {"sections": menu_for(request.user)})


@require(AUTHENTICATED)
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    groups = global_search.search_grouped(request.user, q, limit=8) if q else []
    template = "core/_search_results.html" if request.htmx else "core/search.html"
    return render(request, template, {"q": q, "groups": groups})


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

    delete(actor=request.user, view=view)
    messages.success(request, _("View deleted."))
    return redirect(_safe_next(request))


def _error(request, status, title):
    return error_response(request, status, title)


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
    return render(request, "core/_bell.html", {"unread": unread_count(request.user)})


@require(AUTHENTICATED)
def notification_list(request):
    if request.method == "POST":
        mark_read(request.user)
        return redirect("core:notifications")
    return render(request, "core/notifications.html", {"notices": recent_for(request.user, limit=100)})


@require(AUTHENTICATED)
def notification_open(request, pk):
    """Go to the notice's page. The lists' links POST here through htmx, which marks the
    notice read first; a plain GET (a link followed without htmx) only redirects."""
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    target = notice.url if url_has_allowed_host_and_scheme(notice.url, {request.get_host()}) else ""
    target = target or resolve_url("core:notifications")
    if request.method != "POST":
        return redirect(target)
    mark_read(request.user, [notice.pk])
    if request.htmx:
        return HttpResponse(headers={"HX-Redirect": target})
    return redirect(target)


# --- imports -----------------------------------------------------------------------
def _importer_or_404(request, entity):
    importer = imports.importer_for(entity)
    if importer is None:
        raise Http404
    if not request.user.has_module_perm(importer.permission):
        raise PermissionDenied
    return importer


@require(AUTHENTICATED)
def import_new(request, entity):
    importer = _importer_or_404(request, entity)
    error = None
    if request.method == "POST":
        try:
            job = import_upload(actor=request.user, entity=entity, upload=request.FILES.get("file"))
            return redirect("core:import_detail", pk=job.pk)
        except DomainError as exc:
            error = exc.message
    recent = ImportJob.objects.filter(created_by=request.user, entity=entity).order_by("-created_at")[:10]
    return render(request, "core/import_new.html", {"importer": importer, "error": error, "recent": recent},
                  status=400 if error else 200)


@require(AUTHENTICATED)
def import_detail(request, pk):
    job = job_for(request.user, pk)
    importer = _importer_or_404(request, job.entity)
    if job.status != ImportStatus.UPLOADED:
        return render(request, "core/import_progress.html", {"job": job, "importer": importer})
    mapping = {str(i): request.POST.get(f"column_{i}", job.mapping.get(str(i), "")) for i in range(len(job.header))}
    options = {"on_duplicate": request.POST.get("on_duplicate", "skip"),
               "default_owner": request.POST.get("default_owner", ""),
               "default_branch": request.POST.get("default_branch", "")}
    errors, preview, unknown = [], [], []
    try:
        unknown = unknown_values(job, {k: v for k, v in mapping.items() if v in {f.key for f in importer.fields}})
        options["choices"] = {}
        for target, values in unknown:
            for n, (value, _count) in enumerate(values):
                decision = request.POST.get(f"choice_{target.key}_{n}")
                if decision:
                    options["choices"].setdefault(target.key, {})[value] = decision
        if request.method == "POST" and "start" in request.POST:
            import_start(actor=request.user, job=job, mapping=mapping, options=options,
                         save_as=request.POST.get("save_as", "").strip())
            return redirect("core:import_detail", pk=job.pk)
        preview = import_preview(actor=request.user, job=job, mapping=mapping, options=options)
    except DomainError as exc:
        errors = [e["message"] for e in exc.errors] or [exc.message]
    columns = [(i, header, mapping.get(str(i), "")) for i, header in enumerate(job.header)]
    decided = options.get("choices", {})
    unknown_rows = [
        (target, [(n, value, count, decided.get(target.key, {}).get(value, "empty")) for n, (value, count)
                  in enumerate(values)], target.add is not None and request.user.has_module_perm(target.permission))
        for target, values in unknown
    ]
    return render(request, "core/import_map.html", {
        "job": job, "importer": importer, "columns": columns, "preview": preview, "errors": errors,
        "options": options, "mapped_keys": [mapping.get(str(i), "") for i in range(len(job.header))],
        "unknown": unknown_rows, "owner_question": owner_question(job, request.user),
    })


@require(AUTHENTICATED)
def import_progress(request, pk):
    job = job_for(request.user, pk)
    return render(request, "core/_import_progress.html", {"job": job})


@require(AUTHENTICATED)
def import_errors(request, pk):
    job = job_for(request.user, pk)
    response = HttpResponse("\ufeff" + error_report(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require(AUTHENTICATED)
@require_POST
def import_cancel(request, pk):
    job = job_for(request.user, pk)
    cancel(actor=request.user, job=job)
    messages.success(request, _("Import cancelled; batches already imported stay."))
    return redirect("core:import_detail", pk=pk)
