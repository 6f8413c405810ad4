"""Forms of campaigns: the campaign, its status moves, links and the public lead form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core import picklists
from guanxi.org.models import User
from guanxi.org.scopes import people_in_scope, scoped
from guanxi.service.forms_intake import PublicLeadForm

from .attribution import TouchModel
from .models import Segment
from .services.campaigns import CHANNELS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40,
                           help_text=_("Letters, digits, hyphens; used as <code>utm_campaign</code> in links."))
    name = forms.CharField(label=_("Name"), max_length=160)
    channels = forms.MultipleChoiceField(label=_("Channels"), required=False, widget=forms.CheckboxSelectMultiple)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    budget = forms.DecimalField(label=_("Budget (¥)"), max_digits=14, decimal_places=2, min_value=0, initial=0)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    segment = forms.ModelChoiceField(label=_("Target segment"), queryset=Segment.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channels"].choices = [(item.code, item.name) for item in picklists.active(CHANNELS)]
        self.fields["segment"].queryset = scoped(Segment.objects.all(), user).order_by("name")
        if editing:
            del self.fields["owner"]  # the owner moves with a transfer, not an edit
        else:
            self.fields["owner"].queryset = User.objects.filter(
                pk__in=[person.pk for person in people_in_scope(user)]).order_by("display_name")
            self.fields["owner"].initial = user.pk


class LinkForm(forms.Form):
    """Link a lead, customer or opportunity to the campaign, by its exact name."""

    kind = forms.ChoiceField(label=_("What"), choices=[("customer", _("Customer")), ("lead", _("Lead")),
                                                      ("opportunity", _("Opportunity"))])
    name = forms.CharField(label=_("Exact name"), max_length=200)


class CompareForm(forms.Form):
    model = forms.ChoiceField(label=_("Attribution"), choices=TouchModel.choices, required=False)


class CampaignLeadForm(PublicLeadForm):
    """What a visitor of a campaign's page leaves (the same fields as the web-to-lead form)."""
