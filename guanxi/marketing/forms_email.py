"""Forms of the e-mail part of marketing: choices come from the user's scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.org.scopes import scoped

from .models import Campaign, Channel, EmailTemplate, JourneyCondition, Segment, StepKind
from .selectors import email as selectors


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["name", "subject", "html_body", "text_body"]
        widgets = {"html_body": forms.Textarea(attrs={"rows": 10}), "text_body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"html_body": _("Placeholders: <code>{{ customer.name }}</code>, <code>{{ contact.name }}</code>, "
                                     "<code>{{ owner.name }}</code>, <code>{{ owner.email }}</code>, "
                                     "<code>{{ unsubscribe_url }}</code>.")}


class EmailSendForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    template = forms.ModelChoiceField(label=_("Template"), queryset=EmailTemplate.objects.none())
    segment = forms.ModelChoiceField(label=_("Segment"), queryset=Segment.objects.none())
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.EMAIL)
    scheduled_at = forms.DateTimeField(label=_("Send at"), required=False,
                                       help_text=_("Leave empty to keep it as a draft."),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                  format="%Y-%m-%dT%H:%M"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = selectors.templates_visible_to(user)
        self.fields["segment"].queryset = scoped(Segment.objects.all(), user)
        self.fields["campaign"].queryset = scoped(Campaign.objects.all(), user)


class PreviewForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Preview for"), queryset=EmailTemplate.objects.none(),
                                      required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = selectors.preview_customers(user)


class SuppressionAddForm(forms.Form):
    address = forms.CharField(label=_("E-mail address"), max_length=254)


class ResubscribeForm(forms.Form):
    reason = forms.CharField(label=_("Why may this address be written to again?"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}))


class JourneyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    segment = forms.ModelChoiceField(label=_("Customers enter from the segment"), queryset=Segment.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = scoped(Segment.objects.all(), user)


class JourneyStepForm(forms.Form):
    kind = forms.ChoiceField(label=_("Step"), choices=StepKind.choices)
    template = forms.ModelChoiceField(label=_("Template"), queryset=EmailTemplate.objects.none(), required=False)
    wait_days = forms.IntegerField(label=_("Days to wait"), min_value=0, max_value=365, required=False)
    condition = forms.ChoiceField(label=_("Condition"), choices=[("", "---"), *JourneyCondition.choices],
                                  required=False)
    else_exit = forms.BooleanField(label=_("Otherwise leave the journey (else skip the next step)"),
                                   required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = selectors.templates_visible_to(user)

    def clean_wait_days(self):
        return self.cleaned_data.get("wait_days") or 0
