"""The history tab of every detail page, read from the audit log (CUS-10).

django-auditlog stores every value as the string the database saw ("approved",
"2001", "2026-12-04 01:30:15.123456+00:00"). ``history_for`` turns them back into
what people read on the rest of the page: field labels, choice labels, the related
record's name, local times and "—" for nothing.
"""

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import memo

# django-auditlog's own words are not in our catalogues.
ACTIONS = {LogEntry.Action.CREATE: pgettext_lazy("history", "created"), LogEntry.Action.UPDATE: _("changed"),
           LogEntry.Action.DELETE: _("deleted"), LogEntry.Action.ACCESS: _("viewed")}
EMPTY = "—"
HIDDEN = ("id", "updated_at", "password", "last_login")


def history_for(obj, limit=200):
    """Return the object's audit entries, newest first, with fields and values in words."""
    entries = list(
        LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp", "-pk")[:limit]
    )
    model = type(obj)
    raw = [(entry, _raw_changes(entry, model)) for entry in entries]
    names = _related_names(model, [changes for _entry, changes in raw], loaded=_loaded_relations(obj))
    return [{"entry": entry, "action": ACTIONS.get(entry.action, entry.get_action_display()),
             "changes": [{"field": _label(model, name), "old": _display(model, name, old, names),
                          "new": _display(model, name, new, names)} for name, old, new in changes
                         if not (_is_empty(old) and _is_empty(new))]}
            for entry, changes in raw]


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model, name):
    """Return a field's label in the current language.

    A field without an explicit verbose name gets Django's "created by" from its name;
    that is still the catalogue's msgid, so it is looked up there too.
    """
    field = _field(model, name) if model is not None else None
    label = getattr(field, "verbose_name", None) or name.replace("_", " ")
    if not isinstance(label, str):
        return label
    translated = gettext(label)
    if translated != label:
        return translated
    capitalised = capfirst(label)  # "reverses" is in the catalogue as "Reverses"
    translated = gettext(capitalised)
    return translated if translated != capitalised else label


_label = field_label


def _is_reverse_relation(field):
    """django-auditlog writes reverse relations (an order's lines, its shipments) into
    creation entries as "app.Model.None"; they are not the record's own fields."""
    return field is not None and field.auto_created and not field.concrete


def _raw_changes(entry, model):
    changes = entry.changes_dict if isinstance(entry.changes_dict, dict) else {}
    rows = []
    for name, values in changes.items():
        if name in HIDDEN or _is_reverse_relation(_field(model, name)):
            continue
        if isinstance(values, dict):  # many-to-many: {"type": "m2m", "operation": …, "objects": […]}
            objects = "、".join(str(value) for value in values.get("objects", []))
            old, new = (objects, None) if values.get("operation") == "delete" else (None, objects)
        elif isinstance(values, list):
            old, new = (values + [None, None])[:2]
        else:
            old, new = None, values
        rows.append((name, old, new))
    return rows


def changed_field_names(entry, model):
    """The names of the record's own fields an audit entry changed (no reverse relations)."""
    return [name for name, _old, _new in _raw_changes(entry, model)]


def _is_empty(value):
    return value is None or value in ("None", "")


def _loaded_relations(obj):
    """The records ``obj`` holds already (select_related): their names cost no query."""
    loaded = defaultdict(dict)
    for field in type(obj)._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.is_cached(obj):
            related = field.get_cached_value(obj)
            if related is not None:
                loaded[field.related_model][related.pk] = related
    return loaded


def _related_names(model, all_changes, loaded=None):
    """Return {(related model, pk): str(record)}, one query per related model whose
    records are neither ``loaded`` (``{model: {pk: record}}``) nor in memory."""
    wanted = defaultdict(set)
    for changes in all_changes:
        for name, old, new in changes:
            field = _field(model, name)
            if isinstance(field, models.ForeignKey):
                for value in (old, new):
                    if not _is_empty(value):
                        try:
                            wanted[field.related_model].add(field.related_model._meta.pk.to_python(value))
                        except ValidationError:
                            continue
    names = {}
    for related, pks in wanted.items():
        # People, branches and pick-list items from memory (core.memo); _base_manager: a
        # record in the recycle bin still has a name in old history.
        found = {pk: record for pk, record in (loaded or {}).get(related, {}).items() if pk in pks}
        found.update(memo.known(related, pks - found.keys()))
        if len(found) < len(pks):
            found.update(related._base_manager.in_bulk(pks - found.keys()))
        for pk, record in found.items():
            names[(related, str(pk))] = str(record)
    return names


def _display(model, name, value, names):
    if _is_empty(value):
        return EMPTY
    field = _field(model, name)
    if field is None:
        return value
    if field.choices:
        return str(dict(field.flatchoices).get(_as_choice_key(field, value), value))
    if isinstance(field, models.ForeignKey):
        return names.get((field.related_model, str(value)), f"#{value}")
    if isinstance(field, models.BooleanField):
        return _("Yes") if value in ("True", True) else _("No")
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, datetime.UTC)
            return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    elif isinstance(field, models.DateField):
        day = parse_date(str(value)[:10])
        if day is not None:
            return date_format(day, "SHORT_DATE_FORMAT")
    elif isinstance(field, models.DecimalField):
        try:
            return number_format(Decimal(str(value)), decimal_pos=field.decimal_places, force_grouping=True)
        except InvalidOperation:
            return value
    return value


def _as_choice_key(field, value):
    try:
        return field.to_python(value)
    except ValidationError:
        return value
