"""Forms of intake: the public web forms (what a visitor types) and their configuration."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from guanxi.core import picklists
from guanxi.org.models import Branch, User

from .models import WebForm

phone_validator = RegexValidator(r"^[0-9０-９+\-\s().#转xX]{5,30}$",
                                 _("Enter a phone number (digits, spaces, + - ( ) only)."))


class PublicTicketForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.EmailField(label=_("Your e-mail"), max_length=254)
    phone = forms.CharField(label=_("Your phone"), max_length=30, required=False, validators=[phone_validator])
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(label=_("What happened?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))


class PublicLeadForm(forms.Form):
    company = forms.CharField(label=_("Company"), max_length=200)
    name = forms.CharField(label=_("Your name"), max_length=60)
    title = forms.CharField(label=_("Job title"), max_length=60, required=False)
    phone = forms.CharField(label=_("Mobile"), max_length=30, required=False, validators=[phone_validator])
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    message = forms.CharField(label=_("How can we help?"), max_length=3000, required=False,
                              widget=forms.Textarea(attrs={"rows": 5}))

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Give a mobile number or an e-mail address so that we can reach you."))
        return data


def public_form_class(web_form):
    return PublicLeadForm if web_form.kind == WebForm.Kind.LEAD else PublicTicketForm


class WebFormForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    slug = forms.SlugField(label=_("Address"), max_length=40,
                           help_text=_("The last part of the form's address: letters, digits and hyphens."))
    kind = forms.ChoiceField(label=_("Kind"), choices=WebForm.Kind.choices)
    ticket_type = forms.ModelChoiceField(label=_("Type of the tickets"), queryset=None, required=False)
    severity = forms.ModelChoiceField(label=_("Severity of the tickets"), queryset=None, required=False)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)
    owner = forms.ModelChoiceField(label=_("Who receives them"), queryset=None,
                                   help_text=_("Tickets are assigned to them; leads are theirs."))
    thank_you = forms.CharField(label=_("Thank-you text"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticket_type"].queryset = picklists.items("service.ticket_type")
        self.fields["severity"].queryset = picklists.items("service.severity")
        self.fields["branch"].queryset = Branch.objects.filter(is_active=True).order_by("name")
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("display_name")
