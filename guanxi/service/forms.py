from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core import picklists


class TicketForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    ticket_type = forms.ModelChoiceField(label=_("Type"), queryset=None)
    severity = forms.ModelChoiceField(label=_("Severity"), queryset=None)
    description = forms.CharField(label=_("Description"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticket_type"].queryset = picklists.items("service.ticket_type")
        self.fields["severity"].queryset = picklists.items("service.severity")


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False)
    body = forms.CharField(label=_("Solution"), max_length=50000, widget=forms.Textarea(attrs={"rows": 12}))
    is_published = forms.BooleanField(label=_("Published"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = picklists.items("service.kb_category")
