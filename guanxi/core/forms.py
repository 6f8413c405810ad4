from django import forms
from django.utils.translation import gettext_lazy as _

from .errors import DomainError


class SavedViewForm(forms.Form):
    list_key = forms.CharField(max_length=80, widget=forms.HiddenInput)
    query = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=80)
    is_shared = forms.BooleanField(label=_("Share with colleagues"), required=False)


def run_service(form, action):
    """Call ``action(form.cleaned_data)`` and show a service's error on the form.

    Returns the action's result, or None when the form or the service rejected the
    input (the service's transaction has then rolled back: nothing changed).
    """
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except DomainError as exc:
        if exc.errors:
            for error in exc.errors:
                field = error.get("field")
                form.add_error(field if field in form.fields else None, error["message"])
        else:
            form.add_error(None, exc.message)
        return None
