"""Sales configuration (ORG-7): pipelines with their stages, and the rules per branch
(large-deal threshold, discount limit, delivery reminders). Configuration is data."""

from decimal import Decimal, InvalidOperation

from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.permissions import ensure
from guanxi.core.services import service, validated_save

from .models import Pipeline, SalesSettings, Stage, StageKind, WinOn


@service
def pipeline_save(*, actor, name, stages, pipeline=None, is_default=False):
    """Create or change a pipeline; ``stages`` in order: [{"pk"?, "name_zh", "name_en",
    "probability", "kind"}]. It needs open stages, one won and one lost stage; a stage
    that opportunities are at cannot be removed."""
    ensure(actor, "sales.manage")
    errors = []
    cleaned = []
    for index, stage in enumerate(stages, start=1):
        zh, en = (stage.get("name_zh") or "").strip(), (stage.get("name_en") or "").strip()
        try:
            probability = int(stage.get("probability"))
        except (TypeError, ValueError):
            probability = -1
        if not zh:
            errors.append({"field": f"stages.{index}.name_zh", "message": _("Name the stage.")})
        if not 0 <= probability <= 100:
            errors.append({"field": f"stages.{index}.probability", "message": _("A probability from 0 to 100.")})
        if stage.get("kind") not in StageKind.values:
            errors.append({"field": f"stages.{index}.kind", "message": _("Choose open, won or lost.")})
        cleaned.append({"pk": stage.get("pk"), "name_zh": zh[:40], "name_en": (en or zh)[:40],
                        "probability": probability, "kind": stage.get("kind")})
    kinds = [s["kind"] for s in cleaned]
    if not errors and (StageKind.OPEN not in kinds or kinds.count(StageKind.WON) != 1
                       or kinds.count(StageKind.LOST) != 1):
        errors.append({"field": "stages", "message": _("A pipeline has open stages, one won and one lost stage.")})
    if not (name or "").strip():
        errors.append({"field": "name", "message": _("Name the pipeline.")})
    if errors:
        raise ValidationFailed(errors=errors)
    pipeline = Pipeline.objects.select_for_update().get(pk=pipeline.pk) if pipeline else Pipeline()
    pipeline.name = name.strip()[:100]
    if is_default:
        Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk).update(is_default=False)
    pipeline.is_default = is_default or pipeline.is_default or not Pipeline.objects.exists()
    validated_save(pipeline)
    existing = {s.pk: s for s in pipeline.stages.all()} if pipeline.pk else {}
    kept = set()
    for position, data in enumerate(cleaned):
        stage = existing.get(int(data["pk"])) if str(data.get("pk") or "").isdigit() else None
        stage = stage or Stage(pipeline=pipeline)
        stage.name_zh, stage.name_en, stage.probability, stage.kind = (data["name_zh"], data["name_en"],
                                                                       data["probability"], data["kind"])
        stage.position = position
        validated_save(stage)
        kept.add(stage.pk)
    for pk, stage in existing.items():
        if pk not in kept:
            try:
                stage.delete()
            except ProtectedError as exc:
                raise Conflict(_("Opportunities are at the stage “%(stage)s”; move them before removing it.")
                               % {"stage": stage.name_zh}) from exc
    return pipeline


@service
def sales_settings_save(*, actor, branch, large_deal_threshold, discount_limit_percent, delivery_reminder_days,
                        win_opportunity_on=None):
    """The rules of one branch (``branch`` None: the company default); ``win_opportunity_on``
    None keeps the branch's rule."""
    ensure(actor, "sales.manage")
    if win_opportunity_on is not None and win_opportunity_on not in WinOn.values:
        raise ValidationFailed(_("Choose when an opportunity is won."), field="win_opportunity_on")
    try:
        threshold = Decimal(str(large_deal_threshold))
        limit = Decimal(str(discount_limit_percent))
        days = int(delivery_reminder_days)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(_("Enter numbers."))
    if threshold < 0 or not 0 <= limit <= 100 or not 0 <= days <= 60:
        raise ValidationFailed(_("Threshold from 0, discount limit 0–100 %, reminders 0–60 days."))
    settings = SalesSettings.objects.select_for_update().filter(branch=branch).first() or SalesSettings(
        branch=branch)
    settings.large_deal_threshold, settings.discount_limit_percent = threshold.quantize(Decimal("0.01")), limit
    settings.delivery_reminder_days = days
    if win_opportunity_on is not None:
        settings.win_opportunity_on = win_opportunity_on
    return validated_save(settings)
