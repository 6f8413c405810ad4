from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.periods import PeriodForm
from guanxi.org.models import Branch
from guanxi.org.scopes import departments_in_scope
from guanxi.sales.models import Pipeline

from . import measures
from .alert_models import AlertRule
from .lifecycle import SETTINGS_FIELDS
from .lifecycle_models import LifecycleSettings

GROUPS = [("person", _("person")), ("department", _("department")), ("branch", _("branch"))]


class PresetPeriodForm(PeriodForm):
    """A period form whose first view shows ``default_preset``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].initial = self.default_preset


class FunnelForm(PeriodForm):
    default_preset = "this_year"
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=None, required=False, empty_label=None)
    group = forms.ChoiceField(label=_("Per"), choices=GROUPS, required=False, initial="person")
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].initial = "this_year"
        self.fields["pipeline"].queryset = Pipeline.objects.all()


class ForecastForm(forms.Form):
    months = forms.TypedChoiceField(label=_("Months ahead"), coerce=int, required=False, initial=6,
                                    choices=[(3, "3"), (6, "6"), (12, "12")])
    mine = forms.BooleanField(label=_("Only mine"), required=False)


class PerformanceForm(PeriodForm):
    group = forms.ChoiceField(label=_("Per"), choices=GROUPS, required=False, initial="person")
    sort = forms.ChoiceField(label=_("Rank by"), required=False, initial="order_amount", choices=[
        ("order_amount", _("Order amount")), ("received_amount", _("Money received")),
        ("won_amount", _("Won amount")), ("won_count", _("Opportunities won")),
        ("new_customers", _("New customers")), ("interactions", _("Interactions"))])


class CompetitionForm(PeriodForm):
    default_preset = "this_year"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].initial = "this_year"


class LifecycleSettingsForm(forms.ModelForm):
    class Meta:
        model = LifecycleSettings
        fields = SETTINGS_FIELDS


class AlertRuleForm(forms.ModelForm):
    """ANA-8: a quality alert rule; the figures, branches and departments offered are those
    the user may read and oversee (the service checks again)."""

    measure = forms.ChoiceField(label=_("Figure"))

    class Meta:
        model = AlertRule
        fields = ["name", "measure", "condition", "threshold", "history", "period", "unit", "branch", "department",
                  "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [(m.code, m.label) for m in measures.available(user)]
        self.fields["branch"].queryset = Branch.objects.filter(is_active=True)
        self.fields["department"].queryset = departments_in_scope(user).filter(is_active=True).select_related(
            "branch")
        self.fields["department"].label_from_instance = lambda d: f"{d.branch.name} · {d.name}"
