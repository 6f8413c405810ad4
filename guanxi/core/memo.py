"""Configuration read on every request, kept in process memory and checked against one
stamp in the shared cache (issue 15: a customer list read the custom field definitions
three times, six pick-lists, the settings row, the user's roles and saved views — a
dozen queries before its rows).

The truth stays in the database. Every node keeps what it built together with the
*generation* it built it under; the generation is one key in the shared cache (Redis in
production, the database cache in the embedded layout), read once per request. Saving or
deleting any watched row (``watch`` in ``AppConfig.ready``) replaces the generation, at
once and again when the transaction commits, so every process rebuilds on its next
request: one that rebuilt between the two from rows not yet committed is corrected by
the second stamp. A lost or evicted key only costs a rebuild.

Changes that bypass model signals (``QuerySet.update``, raw SQL) call ``changed()``.
Values are shared between requests and threads: callers must not modify them.
"""

import contextlib
import contextvars
import threading
import uuid

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from django.db.models.signals import m2m_changed, post_delete, post_save

KEY = "gx:config-generation"
_OUTSIDE = object()  # not inside a request: read the generation on every use
_UNREAD = object()  # inside a request, not read yet

_request_generation = contextvars.ContextVar("gx_config_generation", default=_OUTSIDE)
_values: dict = {}  # name -> value, all built under _built_under
_built_under = None
_lock = threading.Lock()


def generation():
    current = _request_generation.get()
    if current is not _OUTSIDE and current is not _UNREAD:
        return current
    stamp = cache.get(KEY)
    if stamp is None:
        cache.add(KEY, uuid.uuid4().hex, timeout=None)
        stamp = cache.get(KEY) or uuid.uuid4().hex
    if current is _UNREAD:
        _request_generation.set(stamp)
    return stamp


def remember(name, build):
    """The value ``build()`` returns, built once per generation in this process."""
    global _built_under
    stamp = generation()
    with _lock:
        if _built_under != stamp:
            _values.clear()
            _built_under = stamp
        if name in _values:
            return _values[name]
    value = build()
    with _lock:
        if _built_under == stamp:
            _values[name] = value
    return value


def _bump():
    cache.set(KEY, uuid.uuid4().hex, timeout=None)
    if _request_generation.get() is not _OUTSIDE:
        _request_generation.set(_UNREAD)
    with _lock:
        _values.clear()


def changed(**kwargs):
    """A watched row changed: every process rebuilds what it remembered."""
    _bump()
    transaction.on_commit(_bump)


def _saved(ignore_fields):
    def receiver(update_fields=None, **kwargs):
        if not (ignore_fields and update_fields and set(update_fields) <= ignore_fields):
            changed()
    return receiver


def watch(*models, ignore_fields=()):
    for model in models:
        uid = f"memo.{model._meta.label}"
        post_save.connect(_saved(frozenset(ignore_fields)), sender=model, dispatch_uid=uid + ".save", weak=False)
        post_delete.connect(changed, sender=model, dispatch_uid=uid + ".delete", weak=False)
        if model._meta.auto_created:
            m2m_changed.connect(changed, sender=model, dispatch_uid=uid + ".m2m", weak=False)


@contextlib.contextmanager
def one_generation():
    """Read the generation at most once inside the block (a request, a task), not on
    every use; a change made inside the block is still seen."""
    token = _request_generation.set(_UNREAD)
    try:
        yield
    finally:
        _request_generation.reset(token)


class RequestGenerationMiddleware:
    """One generation read per request, on first use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with one_generation():
            return self.get_response(request)


# --- directories: small tables list rows point to (people, branches, pick-list items) ---
_directories: dict = {}  # model -> name


def directory(model, *, ignore_fields=()):
    """Keep every row of a small ``model`` by primary key (``rows``), so list pages take
    the owner, branch or pick-list item of their rows from memory instead of a prefetch
    query per relation. ``ignore_fields``: saves touching only these do not count as
    changes (a user's ``last_login``)."""
    _directories[model] = f"directory:{model._meta.label}"
    watch(model, ignore_fields=ignore_fields)
    for other in apps.get_models():
        for field in other._meta.concrete_fields:
            if (field.many_to_one and field.related_model is model and field.target_field.primary_key
                    and type(other.__dict__.get(field.name)) is ForwardManyToOneDescriptor):
                setattr(other, field.name, _FromDirectory(field))


class _FromDirectory(ForwardManyToOneDescriptor):
    """``record.owner`` (a foreign key to a directory model) read from memory when the
    row was not fetched with the record: templates and services follow these links
    everywhere, one query each before."""

    def get_object(self, instance):
        value = getattr(instance, self.field.attname)
        found = rows(self.field.related_model).get(value)
        return found if found is not None else super().get_object(instance)


def rows(model):
    return remember(_directories[model], lambda: model._base_manager.in_bulk())


def known(model, pks):
    """{pk: row} of the ``pks`` a directory ``model`` holds ({} for other models)."""
    if model not in _directories:
        return {}
    table = rows(model)
    return {pk: table[pk] for pk in pks if pk in table}


def fill(objs, lookups):
    """Set the relations ``lookups`` (prefetch_related lookups) on ``objs``: forward
    relations to a directory model from memory, everything else by prefetch queries."""
    rest = []
    for lookup in lookups:
        if not (isinstance(lookup, str) and _fill_path(objs, lookup.split("__"))):
            rest.append(lookup)
    if rest and objs:
        prefetch_related_objects(objs, *rest)


def _fill_path(objs, parts):
    if not objs:
        return True
    field = _forward_field(type(objs[0]), parts[0])
    if field is None or field.related_model not in _directories:
        return False
    table = rows(field.related_model)
    missing = [obj for obj in objs if getattr(obj, field.attname) is not None
               and getattr(obj, field.attname) not in table]
    if missing:  # a row newer than the directory: read normally
        return False
    related = {}
    for obj in objs:
        value = getattr(obj, field.attname)
        target = table.get(value) if value is not None else None
        field.set_cached_value(obj, target)
        if target is not None:
            related[value] = target
    return len(parts) == 1 or _fill_path(list(related.values()), parts[1:]) or _prefetch_rest(related, parts)


def _prefetch_rest(related, parts):
    prefetch_related_objects(list(related.values()), "__".join(parts[1:]))
    return True


def _forward_field(model, name):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.is_relation and (field.many_to_one or field.one_to_one) and field.concrete else None
