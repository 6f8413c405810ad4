"""Forms of commissions and pay (SAL-9)."""

from django import forms
from django.utils.translation import gettext_lazy

from guanxi.org.models import Branch
from guanxi.sales.models import CommissionBasis, CommissionMethod


class CommissionRuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    branch = forms.ModelChoiceField(label=gettext_lazy("Branch"), queryset=None, required=False,
                                    empty_label=gettext_lazy("The whole company"))
    basis = forms.ChoiceField(label=gettext_lazy("Basis"), choices=[])
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=[])
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.all()
        self.fields["basis"].choices = CommissionBasis.choices
        self.fields["method"].choices = CommissionMethod.choices


def tiers_from_post(post, rows=6):
    tiers = []
    for index in range(1, rows + 1):
        threshold, rate = post.get(f"threshold_{index}", "").strip(), post.get(f"rate_{index}", "").strip()
        if threshold or rate:
            tiers.append((threshold or "0", rate or "0"))
    return tiers
