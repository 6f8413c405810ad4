"""Custom fields (ORG-7): definitions are rows, values are validated JSON on the record.

Entities register a key ("customers.customer"); forms, detail pages, filters, imports,
exports and the API all read the definitions through this module, so a field an
administrator adds appears everywhere at once.
"""

import datetime
import decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _

from . import memo
from .errors import ValidationFailed
from .models import CustomField, CustomFieldType

_entities = {}
MAX_TEXT = 500


def register(entity, label):
    _entities[entity] = label


def entities():
    return dict(_entities)


def definitions(entity, *, active_only=True):
    """The definitions of ``entity`` in order, remembered until one changes (``core.memo``);
    a new list each call, of shared definitions: do not modify them."""
    return list(memo.remember(f"custom_fields:{entity}:{active_only}", lambda: _read(entity, active_only)))


def _read(entity, active_only):
    queryset = CustomField.objects.filter(entity=entity)
    if active_only:
        queryset = queryset.filter(is_active=True)
    return list(queryset.order_by("position", "pk"))


def _coerce(definition, value):
    """Return the stored form of ``value`` or raise ValueError with a message."""
    kind = definition.field_type
    if value in (None, "", []):
        return None
    if kind == CustomFieldType.TEXT:
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(_("At most %(n)d characters.") % {"n": MAX_TEXT})
        return text
    if kind == CustomFieldType.NUMBER:
        try:
            number = decimal.Decimal(str(value).strip().replace(",", ""))
        except decimal.InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) >= decimal.Decimal("1e15"):
            raise ValueError(_("Enter a number.")) from None
        return str(number)
    if kind == CustomFieldType.DATE:
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    options = [str(o) for o in definition.options]
    if kind == CustomFieldType.CHOICE:
        if str(value) not in options:
            raise ValueError(_("Choose one of: %(options)s.") % {"options": "、".join(options)})
        return str(value)
    values = value if isinstance(value, (list, tuple)) else [v.strip() for v in str(value).replace("，", ",").split(",")]
    values = [str(v) for v in values if str(v)]
    wrong = [v for v in values if v not in options]
    if wrong:
        raise ValueError(_("Choose from: %(options)s.") % {"options": "、".join(options)})
    return values


def clean_custom_values(model, values, existing=None, entity=None):
    """Validate custom values for a record; unknown keys and bad values are errors."""
    entity = entity or f"{model._meta.app_label}.{model._meta.model_name}"
    if not isinstance(values, dict):
        raise ValidationFailed(_("Custom fields must be an object of key: value."), field="custom")
    defs = {d.key: d for d in definitions(entity)}
    result = dict(existing or {})
    errors = []
    for key in values:
        if key not in defs:
            errors.append({"field": f"custom.{key}", "message": _("There is no custom field “%(key)s”.")
                           % {"key": key}})
    for key, definition in defs.items():
        if key in values:
            try:
                coerced = _coerce(definition, values[key])
            except ValueError as exc:
                errors.append({"field": f"custom.{key}", "message": str(exc)})
                continue
            if coerced is None:
                result.pop(key, None)
            else:
                result[key] = coerced
        if definition.required and result.get(key) in (None, "", []):
            errors.append({"field": f"custom.{key}", "message": _("This field is required.")})
    if errors:
        raise ValidationFailed(errors=errors)
    return result


def form_fields(entity):
    """Return {"custom__<key>": django form field} for an entity's active fields."""
    fields = {}
    for definition in definitions(entity):
        common = {"label": definition.label, "required": definition.required}
        kind = definition.field_type
        if kind == CustomFieldType.TEXT:
            field = forms.CharField(max_length=MAX_TEXT, **common)
        elif kind == CustomFieldType.NUMBER:
            field = forms.DecimalField(max_digits=18, decimal_places=4, **common)
        elif kind == CustomFieldType.DATE:
            field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
        elif kind == CustomFieldType.CHOICE:
            field = forms.ChoiceField(choices=[("", "—")] + [(o, o) for o in definition.options], **common)
        else:
            field = forms.MultipleChoiceField(choices=[(o, o) for o in definition.options],
                                              widget=forms.CheckboxSelectMultiple, **common)
        fields[f"custom__{definition.key}"] = field
    return fields


def values_from_form(cleaned_data):
    """Pop custom__ fields from cleaned form data into a {key: value} dict."""
    values = {}
    for name in list(cleaned_data):
        if name.startswith("custom__"):
            value = cleaned_data.pop(name)
            if isinstance(value, decimal.Decimal):
                value = str(value)
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            values[name[len("custom__"):]] = value
    return values


def initial_from(record, entity):
    return {f"custom__{d.key}": (record.custom or {}).get(d.key) for d in definitions(entity)}


def display(record, entity):
    """Return [(label, text)] for a record's custom values, for detail pages and exports."""
    rows = []
    for definition in definitions(entity):
        value = (record.custom or {}).get(definition.key)
        if isinstance(value, list):
            value = "、".join(value)
        rows.append((definition.label, value or ""))
    return rows


def filter_q(entity, key, raw):
    """Return a Q for filtering by a custom value (exact; a choice within a multi)."""

    definition = next((d for d in definitions(entity) if d.key == key), None)
    if definition is None:
        return None
    try:
        value = _coerce(definition, raw)
    except ValueError:
        return None
    if definition.field_type == CustomFieldType.MULTI:
        return Q(**{f"custom__{key}__icontains": f'"{value[0]}"'}) if value else None
    return Q(**{f"custom__{key}": value})
