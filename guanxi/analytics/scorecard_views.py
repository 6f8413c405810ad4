"""ANA-7: scorecards (list, edit, evaluation with a ranking chart) and the period statistics
of customer forms: satisfaction surveys and feedback."""

from decimal import Decimal

from django import forms
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.charts import bar_chart
from guanxi.core.exports import export_response
from guanxi.core.forms import form_page
from guanxi.core.permissions import require
from guanxi.customers.models import Feedback, FeedbackStatus
from guanxi.org.models import Branch, Department
from guanxi.org.scopes import scoped

from . import measures, satisfaction
from .forms import PresetPeriodForm
from .scorecard_models import Scorecard, ScorecardLevel
from .scorecards import evaluate, scorecard_save

ROWS = 8


class ScorecardForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    level = forms.ChoiceField(label=gettext_lazy("Evaluates"), choices=ScorecardLevel.choices)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, user, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(m.code, m.label) for m in measures.available(user)
                                 if {"branch", "department"} & set(m.groups)]
        current = list(instance.indicators.all()) if instance else []
        if instance:
            self.initial.update(name=instance.name, level=instance.level, is_active=instance.is_active)
        for index in range(ROWS):
            self.fields[f"measure_{index}"] = forms.ChoiceField(label=_("Indicator %(n)s") % {"n": index + 1},
                                                                choices=choices, required=False)
            self.fields[f"weight_{index}"] = forms.DecimalField(label=_("Weight %"), required=False, min_value=0,
                                                                max_value=100, decimal_places=2)
            self.fields[f"target_{index}"] = forms.DecimalField(label=_("Target"), required=False,
                                                                min_value=Decimal("0.01"), decimal_places=2)
            if index < len(current):
                item = current[index]
                self.initial.update({f"measure_{index}": item.measure, f"weight_{index}": item.weight,
                                     f"target_{index}": item.target})

    def clean(self):
        data = super().clean()
        indicators = []
        for index in range(ROWS):
            code, weight, target = (data.get(f"{part}_{index}") for part in ("measure", "weight", "target"))
            if not code:
                continue
            if weight is None or target is None:
                self.add_error(f"measure_{index}", _("Give the weight and the target of this indicator."))
                continue
            indicators.append((code, weight, target))
        data["indicators"] = indicators
        return data


@require("analytics.view")
def scorecard_list(request):
    return render(request, "analytics/scorecard_list.html", {
        "scorecards": Scorecard.objects.prefetch_related("indicators"),
        "can_manage": request.user.has_module_perm("analytics.manage")})


@require("analytics.manage")
def scorecard_edit(request, pk=None):
    instance = get_object_or_404(Scorecard, pk=pk) if pk else None
    form = ScorecardForm(request.POST or None, user=request.user, instance=instance)

    def save(data):
        return scorecard_save(actor=request.user, scorecard=instance, name=data["name"], level=data["level"],
                              is_active=data["is_active"], indicators=data["indicators"])

    return form_page(request, form, save, title=_("Scorecard"), saved_message=_("Scorecard saved."),
                     success_url=lambda saved: saved.get_absolute_url(), cancel_url="analytics:scorecards")


class EvaluationForm(PresetPeriodForm):
    default_preset = "last_month"


@require("analytics.view")
def scorecard(request, pk):
    card = get_object_or_404(Scorecard, pk=pk)
    form = EvaluationForm(request.GET or None)
    period = form.selected()
    rows, indicators = evaluate(request.user, card, period)
    headers = [_("Rank"), _("Name"), _("Score"), *[f"{m.label} ({item.weight}%)" for item, m in indicators]]
    table = [[r.rank, r.label, r.score, *r.values] for r in rows]
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx") and request.user.has_module_perm("analytics.export"):
        return export_response(fmt, headers, table, f"scorecard-{card.pk}")
    chart = bar_chart([r.label for r in rows[:20]], [(_("Score"), [r.score for r in rows[:20]])],
                      title=_("Ranking")) if rows else ""
    return render(request, "analytics/scorecard.html", {
        "card": card, "form": form, "period": period, "indicators": indicators, "chart": chart,
        "rows": [(r, list(zip(r.values, r.attainments, strict=True))) for r in rows],
        "can_manage": request.user.has_module_perm("analytics.manage"),
        "can_export": request.user.has_module_perm("analytics.export")})


def form_statistics(user, period, level):
    """Satisfaction surveys and customer feedback of the period per branch or department."""
    start, end = period.aware_range()
    survey_key = "branch_id" if level == "branch" else "department_id"
    surveys = satisfaction.summary(satisfaction.answered(user, period), survey_key)
    feedback_key = "customer__branch_id" if level == "branch" else "department_id"
    feedback = {}
    visible = scoped(Feedback.objects.filter(created_at__gte=start, created_at__lt=end), user).order_by()
    for row in visible.values(feedback_key, "status").annotate(n=Count("pk")):
        feedback.setdefault(row[feedback_key], {})[row["status"]] = row["n"]
    keys = set(surveys) | set(feedback)
    model = Branch if level == "branch" else Department
    names = dict(model.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
    rows = []
    for key in sorted(keys, key=lambda k: str(names.get(k, ""))):
        answered, happy, average = surveys.get(key, (0, 0, None))
        counts = feedback.get(key, {})
        rows.append({"label": names.get(key) or _("Not given"), "answered": answered, "satisfied": happy,
                     "rate": satisfaction.rate(happy, answered),
                     "average": None if average is None else round(Decimal(average), 2),
                     "feedback": sum(counts.values()),
                     "open": counts.get(FeedbackStatus.OPEN, 0)})
    return rows


@require("analytics.view")
def forms_report(request):
    form = EvaluationForm(request.GET or None)
    period = form.selected()
    level = request.GET.get("level") if request.GET.get("level") in ("branch", "department") else "branch"
    rows = form_statistics(request.user, period, level)
    chart = bar_chart([r["label"] for r in rows[:20]], [(_("Satisfaction rate"), [r["rate"] or 0 for r in rows[:20]])],
                      title=_("Satisfaction rate (%)")) if rows else ""
    return render(request, "analytics/forms_report.html", {"form": form, "period": period, "rows": rows,
                                                           "chart": chart, "level": level})
