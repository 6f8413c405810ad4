"""Sales configuration screens: pipelines and stages, the rules per branch."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError
from guanxi.core.forms import report_error
from guanxi.core.permissions import require
from guanxi.org.models import Branch

from .configuration import pipeline_save, sales_settings_save
from .models import Pipeline, SalesSettings, StageKind, WinOn


@require("sales.manage")
def settings_index(request):
    branches = [None, *Branch.objects.order_by("-is_headquarters", "name")]
    if request.method == "POST":
        try:
            for branch in branches:
                key = branch.pk if branch else "default"
                if request.POST.get(f"threshold_{key}", "") == "" and branch is not None:
                    continue  # a branch without its own rules follows the company default
                sales_settings_save(actor=request.user, branch=branch,
                                    large_deal_threshold=request.POST.get(f"threshold_{key}", ""),
                                    discount_limit_percent=request.POST.get(f"discount_{key}", ""),
                                    delivery_reminder_days=request.POST.get(f"days_{key}", ""),
                                    win_opportunity_on=request.POST.get(f"win_{key}") or None)
            messages.success(request, _("Saved."))
            return redirect("sales:settings")
        except DomainError as exc:
            report_error(request, exc)
    own = {s.branch_id: s for s in SalesSettings.objects.all()}
    return render(request, "sales/settings.html", {
        "pipelines": Pipeline.objects.prefetch_related("stages"),
        "rows": [(branch, own.get(branch.pk if branch else None)) for branch in branches],
        "default": own.get(None) or SalesSettings(), "win_choices": WinOn.choices,
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
