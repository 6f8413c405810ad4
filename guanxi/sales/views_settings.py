"""Sales configuration screens: pipelines and stages, the rules per branch."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError
from guanxi.core.forms import branch_rules_posted
from guanxi.core.permissions import require
from guanxi.org.models import Branch

from .configuration import pipeline_save, sales_settings_save
from .models import Pipeline, SalesSettings, StageKind, WinOn


@require("sales.manage")
def settings_index(request):
    branches = [None, *Branch.objects.order_by("-is_headquarters", "name")]
    if request.method == "POST":
        saved = branch_rules_posted(
            request, branches, lambda branch, posted: sales_settings_save(
                actor=request.user, branch=branch, large_deal_threshold=posted("threshold"),
                discount_limit_percent=posted("discount"), delivery_reminder_days=posted("days"),
                win_opportunity_on=posted("win") or None),
            own=lambda posted: posted("threshold") != "", done="sales:settings")
        if saved is not None:
            return saved
    rows, default = SalesSettings.rows_for(branches)
    return render(request, "sales/settings.html", {
        "pipelines": Pipeline.objects.prefetch_related("stages"),
        "rows": rows, "default": default, "win_choices": WinOn.choices,
    })


@require("sales.manage")
def pipeline_edit(request, pk=None):
    pipeline = get_object_or_404(Pipeline, pk=pk) if pk else None
    errors = []
    if request.method == "POST":
        stages = []
        for index in range(1, 21):
            row = {k: request.POST.get(f"{k}_{index}", "").strip() for k in ("pk", "name_zh", "name_en",
                                                                              "probability", "kind")}
            if row["name_zh"] or row["name_en"] or (row["pk"] and request.POST.get(f"keep_{index}")):
                stages.append(row)
        try:
            saved = pipeline_save(actor=request.user, pipeline=pipeline, name=request.POST.get("name", ""),
                                  stages=stages, is_default=request.POST.get("is_default") == "1")
            messages.success(request, _("Pipeline saved."))
            return redirect("sales:pipeline_edit", pk=saved.pk)
        except DomainError as exc:
            errors = [e["message"] for e in exc.errors] or [exc.message]
    stages = list(pipeline.stages.order_by("position")) if pipeline else []
    rows = [(i, stages[i - 1] if i <= len(stages) else None) for i in range(1, max(len(stages) + 3, 8))]
    return render(request, "sales/pipeline_form.html", {"pipeline": pipeline, "rows": rows, "errors": errors,
                                                        "kinds": StageKind.choices})
