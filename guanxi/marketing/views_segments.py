"""Pages of segments (MKT-3): the list, the form with its rule builder (HTMX rows and a
live count), the segment with its members (paged, exportable), static lists."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import DomainError
from guanxi.core.exports import export_response
from guanxi.core.forms import act, run_service
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.pagination import BadCursor, keyset_page
from guanxi.core.permissions import require

from . import segment_rules, segment_templates
from .forms_segments import (
    ChooseListForm,
    MemberUploadForm,
    SegmentForm,
    condition_from,
    conditions_from,
    row_context,
    row_indexes,
)
from .lists_segments import SegmentList
from .models import SegmentKind
from .selectors import segments as selectors
from .services import segments as services

segment_list = ListPageView.as_view(spec=SegmentList)
MEMBERS_PAGE = 25


def _builder_context(form, rules):
    conditions = (rules or {}).get("conditions") or []
    return {"rows": [row_context(i, c) for i, c in enumerate(conditions)] or [row_context(0)],
            "next_row": max(len(conditions), 1), "templates": segment_templates.TEMPLATES}


def _form_page(request, form, rules, save, *, title, segment=None):
    if request.method == "POST":
        saved = run_service(form, save)
        if saved is not None:
            messages.success(request, _("Segment saved."))
            return redirect("marketing:segment_detail", saved.pk)
        rules = {"conditions": [condition_from(request.POST, i) for i in row_indexes(request.POST)]}
    return render(request, "marketing/segment_form.html", {
        "form": form, "title": title, "segment": segment, **_builder_context(form, rules)})


@require("marketing.create")
def segment_create(request):
    chosen = segment_templates.template(request.GET.get("template", ""))
    rules = chosen.rules() if chosen else {"match": "all", "conditions": []}
    initial = {"match": rules.get("match", "all"), "kind": SegmentKind.DYNAMIC,
               **({"name": str(chosen.name), "description": str(chosen.description)} if chosen else {})}
    form = SegmentForm(request.POST or None, initial=initial)
    return _form_page(request, form, rules, lambda data: services.segment_create(
        actor=request.user, name=data["name"], description=data["description"], kind=data["kind"],
        rules=data["rules"]), title=_("New segment"))


@require("marketing.edit")
def segment_edit(request, pk):
    segment = selectors.segment_get(request.user, pk)
    initial = {"name": segment.name, "description": segment.description,
               "match": (segment.rules or {}).get("match", "all")}
    form = SegmentForm(request.POST or None, initial=initial, editing=True)

    def save(data):
        changes = {"name": data["name"], "description": data["description"]}
        if segment.kind == SegmentKind.DYNAMIC:
            changes["rules"] = data["rules"]
        return services.segment_update(actor=request.user, segment=segment, **changes)

    return _form_page(request, form, segment.rules, save, title=_("Edit segment"), segment=segment)


@require("marketing.view")
def segment_rule_row(request):
    """One row of the rule builder: a new one, or one redrawn for a changed field or operator."""
    i = request.GET.get("i", "0")
    i = int(i) if i.isdigit() and int(i) < 1000 else 0
    condition = {"field": request.GET.get(f"field-{i}", ""), "op": request.GET.get(f"op-{i}", "")}
    if request.GET.get("changed") != "field":
        condition = condition_from(request.GET, i)
    return render(request, "marketing/_segment_rule_row.html", {
        "row": row_context(i, condition), "add_button": bool(request.GET.get("add")), "next_row": i + 1})


@require("marketing.view")
def segment_rule_row_remove(request):
    """Nothing: the row asking is replaced by it (a GET that changes nothing)."""
    return HttpResponse("")


@require("marketing.view")
def segment_preview(request):
    """The live count of the rules being built, in the viewer's scope."""
    rules = {"match": request.GET.get("match") if request.GET.get("match") in ("all", "any") else "all",
             "conditions": conditions_from(request.GET)}
    try:
        count, capped = selectors.rules_preview_count(request.user, rules)
    except DomainError as exc:
        return render(request, "marketing/_segment_preview.html", {"error": exc.message})
    return render(request, "marketing/_segment_preview.html", {"count": count, "capped": capped})


@require("marketing.view")
def segment_count(request, pk):
    count, capped = selectors.segment_member_count(request.user, selectors.segment_get(request.user, pk))
    return render(request, "marketing/_segment_count.html", {"count": count, "capped": capped})


def _export_headers():
    return [_("Name"), _("Category"), _("Owner"), _("Branch"), _("Region"), _("Industry"), _("Value tier"),
            _("Phone")]


def _member_row(customer):
    return [customer.name, customer.get_category_display(),
            customer.owner.display_name if customer.owner_id else _("Public pool"), customer.branch.name,
            customer.region_name, customer.industry.name if customer.industry_id else "", customer.value_tier,
            customer.phone_display]


@require("marketing.view")
def segment_detail(request, pk):
    segment = selectors.segment_get(request.user, pk)
    if request.htmx and request.GET.get("tab") == "history":
        return render(request, "core/_history.html", {"entries": history_for(segment)})
    members = selectors.segment_members(request.user, segment)
    if request.GET.get("export") == "xlsx":
        if not request.user.has_module_perm("marketing.export"):
            return HttpResponse(status=403)
        rows = (_member_row(c) for c in members.order_by("name", "pk").iterator(chunk_size=2000))
        return export_response("xlsx", _export_headers(), rows, "segment", segment.name[:30])
    status, error = 200, ""
    try:
        page = keyset_page(members, sort="name", cursor=request.GET.get("cursor") or None, limit=MEMBERS_PAGE)
    except BadCursor as exc:
        status, error = 400, exc.message
        page = keyset_page(members, sort="name", limit=MEMBERS_PAGE)
    return render(request, "marketing/segment_detail.html", {
        "segment": segment, "page": page, "error": error, "conditions": segment_rules.describe(segment.rules),
        "match": (segment.rules or {}).get("match", "all"),
        "is_static": segment.kind == SegmentKind.STATIC, "upload_form": MemberUploadForm(),
    }, status=status)


@require("marketing.edit")
@require_POST
def segment_members_upload(request, pk):
    segment = selectors.segment_get(request.user, pk)
    form = MemberUploadForm(request.POST, request.FILES)
    added = run_service(form, lambda data: services.segment_members_import(
        actor=request.user, segment=segment, text=data["text"]))
    if added is None:
        for error in form.errors.values():
            messages.error(request, error[0])
    else:
        messages.success(request, _("%(n)d customers added.") % {"n": added})
    return redirect("marketing:segment_detail", segment.pk)


def _ids(request):
    raw = ",".join(request.POST.getlist("ids"))
    return sorted({int(i) for i in raw.split(",") if i.strip().isdigit()})[:5000]


@require("marketing.edit")
@require_POST
def segment_members_remove(request, pk):
    segment = selectors.segment_get(request.user, pk)
    return act(request, lambda: services.segment_members_remove(actor=request.user, segment=segment,
                                                                customer_ids=_ids(request)),
               done=lambda removed: _("%(n)d customers removed.") % {"n": removed}, back=segment)


@require("marketing.edit")
@require_POST
def segment_freeze(request, pk):
    segment = selectors.segment_get(request.user, pk)
    return act(request, lambda: services.segment_freeze(actor=request.user, segment=segment),
               done=_("The segment is now a static list of its current customers."), back=segment)


@require("marketing.delete")
@require_POST
def segment_delete(request, pk):
    segment = selectors.segment_get(request.user, pk)
    return act(request, lambda: services.segment_delete(actor=request.user, segment=segment),
               done=_("Moved to the recycle bin."), back=segment, then="marketing:segment_list")


@require("marketing.edit")
@require_POST
def segment_add_selection(request):
    """Customers ticked on the customer list go onto a static segment the user chooses."""
    ids = _ids(request)
    lists = selectors.static_segments_editable_by(request.user)
    form = ChooseListForm(request.POST if "confirm" in request.POST else None, segments=lists)
    if "confirm" in request.POST:
        chosen = lists.filter(pk=request.POST.get("segment") or 0).first()
        added = run_service(form, lambda data: services.segment_members_add(
            actor=request.user, segment=chosen, customer_ids=ids)) if chosen else None
        if added is not None:
            messages.success(request, _("%(n)d customers added.") % {"n": added})
            return redirect("marketing:segment_detail", chosen.pk)
    if not ids:
        messages.error(request, _("Tick at least one customer."))
        return redirect(reverse("customers:customer_list"))
    return render(request, "marketing/segment_add_selection.html", {
        "form": form, "ids": ",".join(map(str, ids)), "count": len(ids), "has_lists": lists.exists()})
