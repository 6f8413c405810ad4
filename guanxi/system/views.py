from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from guanxi.core import recycle
from guanxi.core.history import ACTIONS as ACTION_LABELS
from guanxi.core.history import changed_field_names, field_label
from guanxi.core.listing import Column, Filter, ListPageView, ListSpec, period_filters
from guanxi.core.permissions import PUBLIC, require

from .health import readiness


@require(PUBLIC)
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@require(PUBLIC)
@never_cache
def readyz(request):
    ok, checks = readiness()
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)


ACTIONS = [(str(value), ACTION_LABELS.get(value, label)) for value, label in LogEntry.Action.choices]


def _content_types(request):
    return [(ct.pk, ct.name if ct.model_class() else f"{ct.app_label}.{ct.model}") for ct in ContentType.objects.filter(
        pk__in=LogEntry.objects.values("content_type").distinct())]


def _changed_fields(entry):
    """The labels of the fields an entry changed ("标签、分支机构", not "tags, branches")."""
    if not isinstance(entry.changes_dict, dict):
        return ""
    model = entry.content_type.model_class()
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(str(field_label(model, name)) for name in changed_field_names(entry, model))


class AuditLogList(ListSpec):
    key = "system.audit"
    title = gettext_lazy("Audit log")
    permission = "system.audit"
    export_permission = "system.audit"
    export_name = "audit-log"
    default_sort = "-timestamp"
    page_size = 50
    columns = [
        Column("timestamp", gettext_lazy("When"), sortable=True),
        Column("actor", gettext_lazy("Who"), value=lambda e: str(e.actor) if e.actor else _("system")),
        Column("action", gettext_lazy("Action"), value=lambda e: ACTION_LABELS.get(e.action, e.get_action_display())),
        Column("content_type", gettext_lazy("Record type"), value=lambda e: e.content_type.name),
        Column("object_repr", gettext_lazy("Record"), value=lambda e: _(e.object_repr) if e.object_repr else ""),
        Column("changes", gettext_lazy("Changes"), value=_changed_fields),
        Column("remote_addr", gettext_lazy("IP address")),
    ]
    filters = [
        Filter("action", gettext_lazy("Action"), choices=ACTIONS),
        Filter("type", gettext_lazy("Record type"), lookup="content_type_id", choices=_content_types),
        *period_filters("timestamp", gettext_lazy("From"), gettext_lazy("To")),
    ]
    search_fields = ["object_repr", "actor__username", "actor__display_name"]

    def queryset(self, request):
        return LogEntry.objects.select_related("actor", "content_type")

    def detail_url(self, obj):
        return None


audit_log = ListPageView.as_view(spec=AuditLogList)


@require("system.recycle")
def recycle_bin(request):
    kind_code = request.GET.get("kind")
    sections = []
    for kind in recycle.kinds():
        if kind_code and kind.code != kind_code:
            continue
        records = list(kind.deleted_for(request.user).order_by("-deleted_at")[:100])
        sections.append({"kind": kind, "records": records})
    return render(request, "system/recycle_bin.html", {
        "sections": sections, "can_purge": request.user.has_module_perm("system.purge"),
    })


def _deleted_record(request, code, pk):
    kind = recycle.kind(code)
    if kind is None:
        raise Http404
    record = kind.deleted_for(request.user).filter(pk=pk).first()
    if record is None:
        raise Http404
    return kind, record


@require("system.recycle")
@require_POST
def recycle_restore(request, code, pk):
    kind, record = _deleted_record(request, code, pk)
    kind.restore(actor=request.user, record=record)
    messages.success(request, _("“%(record)s” was restored.") % {"record": record})
    return redirect("system:recycle_bin")


@require("system.purge")
@require_POST
def recycle_purge(request, code, pk):
    kind, record = _deleted_record(request, code, pk)
    label = str(record)
    kind.purge(actor=request.user, record=record)
    messages.success(request, _("“%(record)s” was deleted for good.") % {"record": label})
    return redirect("system:recycle_bin")
