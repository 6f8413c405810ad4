"""Forms of the capture part of marketing: the target-group filters, the form designer,
the public form built from a marketing form's fields, and the department forms."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from guanxi.core import picklists
from guanxi.core.phones import phone_or_none
from guanxi.customers.models import CustomerKind
from guanxi.org.models import User
from guanxi.org.selectors import branch_choices

from .audience import DIMENSIONS
from .models import Campaign, FieldType, FormKind, ReportKind
from .services.capture import KIND_FIELDS

MAX_ANSWER = 1000  # characters of one answer
MAX_FIELDS = 30


def _dimension_choices():
    return [(code, dimension.label) for code, dimension in DIMENSIONS.items()]


class AudienceForm(forms.Form):
    dimension = forms.ChoiceField(label=_("Group by"), required=False, choices=_dimension_choices)
    cross = forms.ChoiceField(label=_("Cross with"), required=False,
                              choices=lambda: [("", "—"), *_dimension_choices()])
    branch = forms.TypedChoiceField(label=_("Branch"), required=False, coerce=int, empty_value=None)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", "—"), *CustomerKind.choices])
    level = forms.TypedChoiceField(label=_("Level"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", "—"), *branch_choices()]
        self.fields["owner"].choices = [("", "—"), *User.objects.filter(is_active=True).order_by(
            "display_name").values_list("pk", "display_name")]
        self.fields["level"].choices = [("", "—"), *picklists.choices("customers.level")]

    def selection(self):
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        dimension = data.get("dimension") or "industry"
        cross = data.get("cross") or ""
        filters = {name: data.get(name) for name in ("branch", "owner", "kind", "level") if data.get(name)}
        return dimension, (cross if cross != dimension else ""), filters


# --- the form designer ------------------------------------------------------------------------
def clean_fields(raw):
    """Check a designed form's fields (a JSON list); return them normalized or raise."""
    try:
        fields = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise ValidationError(_("The fields are not valid JSON.")) from None
    if not isinstance(fields, list) or not fields or len(fields) > MAX_FIELDS:
        raise ValidationError(_("Give between 1 and %(n)s fields.") % {"n": MAX_FIELDS})
    cleaned, names = [], set()
    for item in fields:
        if not isinstance(item, dict):
            raise ValidationError(_("Each field needs a name, a label and a type."))
        name, label, kind = str(item.get("name", "")).strip(), str(item.get("label", "")).strip(), item.get("type")
        if not name.isidentifier() or len(name) > 40 or name in names or not label or len(label) > 200 \
                or kind not in FieldType.values:
            raise ValidationError(_("Each field needs a unique name (letters, digits, _), a label and a type."))
        names.add(name)
        field = {"name": name, "label": label, "type": kind, "required": bool(item.get("required"))}
        if kind == FieldType.CHOICE:
            choices = [str(c).strip()[:100] for c in item.get("choices") or [] if str(c).strip()]
            if not choices:
                raise ValidationError(_("A choice field needs its choices."))
            field["choices"] = choices[:50]
        cleaned.append(field)
    return cleaned


class MarketingFormForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FormKind.choices)
    name = forms.CharField(label=_("Name"), max_length=160)
    slug = forms.SlugField(label=_("Address"), max_length=40,
                           help_text=_("The end of the public address: letters, digits and hyphens."))
    intro = forms.CharField(label=_("Introduction"), required=False, max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}))
    schema = forms.CharField(label=_("Fields"), widget=forms.Textarea(attrs={"rows": 8}), help_text=_(
        'A JSON list, e.g. <code>[{"name": "company", "label": "Company", "type": "text", "required": true}]</code>. '
        "Types: <code>text</code>, <code>textarea</code>, <code>choice</code> (with <code>choices</code>), "
        "<code>phone</code>, <code>email</code>, <code>consent</code>."))
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    event_starts_at = forms.DateTimeField(label=_("Event starts"), required=False,
                                          widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    event_place = forms.CharField(label=_("Place"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, required=False)
    thank_you = forms.CharField(label=_("Thank-you text"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("Published"), required=False)

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        if campaigns is not None:
            self.fields["campaign"].queryset = campaigns

    def clean_schema(self):
        return clean_fields(self.cleaned_data["schema"])

    def service_data(self):
        """The cleaned data as the services take it (the schema is the form's ``fields``)."""
        data = dict(self.cleaned_data)
        data["fields"] = data.pop("schema")
        return data


def public_form_class(marketing_form):
    """A Django form with the designed fields (every answer a bounded text)."""
    attrs = {}
    for item in marketing_form.fields:
        required, label = bool(item.get("required")), item["label"]
        kind = item["type"]
        if kind == FieldType.CHOICE:
            field = forms.ChoiceField(label=label, required=required,
                                      choices=[("", "—"), *[(c, c) for c in item.get("choices", [])]])
        elif kind == FieldType.EMAIL:
            field = forms.EmailField(label=label, required=required, max_length=254)
        elif kind == FieldType.CONSENT:
            field = forms.BooleanField(label=label, required=required)
        elif kind == FieldType.TEXTAREA:
            field = forms.CharField(label=label, required=required, max_length=MAX_ANSWER,
                                    widget=forms.Textarea(attrs={"rows": 4}))
        else:
            field = forms.CharField(label=label, required=required, max_length=30 if kind == FieldType.PHONE
                                    else 200)
        attrs[item["name"]] = field
        if kind == FieldType.PHONE:
            attrs[f"clean_{item['name']}"] = _phone_cleaner(item["name"])
    return type("PublicMarketingForm", (forms.Form,), attrs)


def _phone_cleaner(name):
    def clean(self):
        value = self.cleaned_data.get(name, "")
        if value and not phone_or_none(value):
            raise ValidationError(_("Enter a valid phone number."))
        return value

    return clean


# --- department forms (MKT-7) -------------------------------------------------------------------
class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    title = forms.CharField(label=_("Title"), max_length=160)
    period = forms.DateField(label=_("Month"), widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("Any day of the month."))


def report_content_form(kind, *args, **kwargs):
    """The form of a department form's content: the fields of its kind."""
    from_kind = {}
    for name, label, multiline in KIND_FIELDS[kind]:
        widget = forms.Textarea(attrs={"rows": 4}) if multiline else None
        from_kind[name] = forms.CharField(label=label, required=False, max_length=4000 if multiline else 200,
                                          widget=widget)
    return type("ReportContentForm", (forms.Form,), from_kind)(*args, **kwargs)

