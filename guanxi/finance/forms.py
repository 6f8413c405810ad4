from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core import picklists


class DebtForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0.01)
    issued_on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    due_on = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                             help_text=_("Empty: from the payment terms."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class MovementForm(forms.Form):
    """Money received or paid: the date's and the counterpart's labels come from the screen."""

    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0.01)
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    method = forms.ModelChoiceField(label=_("Method"), queryset=None, required=False)
    counterpart = forms.CharField(label=_("Payer"), max_length=200, required=False)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False,
                                help_text=_("Bank slip, transaction or cheque number."))
    notes = forms.CharField(label=_("Remarks"), max_length=500, required=False)
    allocate = forms.ChoiceField(label=_("Allocate"), initial="oldest", choices=[
        ("oldest", _("To the oldest debts first")), ("manual", _("As entered below")),
        ("none", _("Not now (keep as credit)"))], widget=forms.RadioSelect)

    def __init__(self, *args, date_label=None, counterpart_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].queryset = picklists.items("finance.payment_method")
        if date_label:
            self.fields["on"].label = date_label
        if counterpart_label:
            self.fields["counterpart"].label = counterpart_label


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=400)
