"""The history tab of every detail page, read from the audit log (CUS-10)."""

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

# django-auditlog's own words are not in our catalogues.
ACTIONS = {LogEntry.Action.CREATE: _("created"), LogEntry.Action.UPDATE: _("changed"),
           LogEntry.Action.DELETE: _("deleted"), LogEntry.Action.ACCESS: _("viewed")}


def history_for(obj, limit=200):
    """Return the object's audit entries, newest first, with field labels resolved."""
    entries = (
        LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp", "-pk")[:limit]
    )
    return [_describe(entry, type(obj)) for entry in entries]


def _label(model, name):
    try:
        return getattr(model._meta.get_field(name), "verbose_name", name)
    except FieldDoesNotExist:
        return name


def _is_reverse_relation(model, name):
    """django-auditlog writes reverse relations (an order's lines, its shipments) into
    creation entries as "app.Model.None"; they are not the record's own fields."""
    try:
        return model._meta.get_field(name).auto_created and not model._meta.get_field(name).concrete
    except FieldDoesNotExist:
        return False


def _describe(entry, model):
    changes = entry.changes_dict if isinstance(entry.changes_dict, dict) else {}
    rows = []
    for name, values in changes.items():
        if name in ("updated_at", "password", "last_login") or _is_reverse_relation(model, name):
            continue
        old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
        rows.append({"field": _label(model, name), "old": old, "new": new})
    return {"entry": entry, "changes": rows, "action": ACTIONS.get(entry.action, entry.get_action_display())}
