"""What every router shares, in one place: permission checks, list parameters and cursor
pages, ETags and the If-Match PATCH, id and pick-list lookups, money out, error field names.
"""

import hashlib
import json
import operator
from contextlib import contextmanager
from decimal import Decimal
from functools import reduce
from typing import Annotated, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.throttling import AnonRateThrottle, AuthRateThrottle
from pydantic import BeforeValidator, ConfigDict, PlainSerializer

from guanxi.core import picklists
from guanxi.core.errors import PreconditionFailed, ValidationFailed
from guanxi.core.money import fen
from guanxi.core.pagination import keyset_page

DEFAULT_LIMIT = 50
# A month as YYYY-MM that always names a real month (the fuzzer sent 0000-01 and 2026-13).
MONTH_PATTERN = r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$"
MAX_LIMIT = 200


class InputSchema(Schema):
    """Request bodies: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# Money leaves as a decimal string with two places ("1234.50"), never a float.
Money = Annotated[Decimal, PlainSerializer(lambda value: str(fen(value)), return_type=str)]


def _as_code(value):
    return value if value is None or isinstance(value, str) else value.code


# A pick-list item leaves as its code (null for none); a code given as it is stays as it is.
PickCode = Annotated[str | None, BeforeValidator(_as_code)]


# A cursor page: each list's page schema adds its ``items``.
class Page(Schema):
    next_cursor: str | None


# A file attached to a record (a directive's document, a ticket's attachment); no
# docstring: it would become the schema's description in the OpenAPI document.
class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int

    @staticmethod
    def resolve_name(obj):
        return obj.original_name


class ReasonIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=300)


class ListParams(Schema):
    """What every list takes. Subclasses may name their allow-lists for ``listing``:
    ``lookups`` (query parameter → ORM lookup), ``search`` (the fields ``q`` looks in),
    ``sorts`` and the default ``sort``."""

    limit: int | None = Field(None, description="1–200, default 50")
    cursor: str | None = None
    ordering: str | None = Field(None, description="a sortable field; prefix `-` for descending")
    q: str | None = Field(None, max_length=100)

    lookups: ClassVar[dict[str, str]] = {}
    search: ClassVar[tuple[str, ...]] = ()
    sorts: ClassVar[set[str]] = {"id", "created_at"}
    sort: ClassVar[str] = "-created_at"


def require_perm(request, code):
    if not request.user.has_module_perm(code):
        raise PermissionDenied


def cursor_list(request, queryset, *, sort, allowed_sorts, ordering=None, cursor=None, limit=None):
    """Return ``{"items", "next_cursor"}`` for a keyset page of ``queryset``."""
    if ordering:
        if ordering.lstrip("-") not in allowed_sorts:
            raise ValidationFailed(
                _("Sort by one of: %(fields)s.") % {"fields": ", ".join(sorted(allowed_sorts))}, field="ordering"
            )
        sort = ordering
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(_("limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT}, field="limit")
    page = keyset_page(queryset, sort=sort, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


def etag_of(schema_obj):
    payload = json.dumps(schema_obj.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return '"' + hashlib.sha256(payload.encode()).hexdigest()[:32] + '"'


def with_etag(response, schema_obj):
    response["ETag"] = etag_of(schema_obj)
    return schema_obj


def check_if_match(request, schema_obj):
    """Raise 412 when the client's If-Match names an older version of the record."""
    expected = request.headers.get("If-Match")
    if expected and expected.strip() != "*" and etag_of(schema_obj) not in [e.strip() for e in expected.split(",")]:
        raise PreconditionFailed()


def get_or_invalid(queryset, pk, field):
    """Resolve a referenced id, or a 422 naming the field."""
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed(_("No such record: %(id)s.") % {"id": pk}, field=field)
    return obj


def resolved(data, **references):
    """Turn the ids of a request body into records: ``references`` names each one without
    its ``_id`` (``parent=Branch.objects.all()`` for ``parent_id``) with the queryset it is
    looked up in (the caller's scope). An unknown id is a 422 naming the body's field; a
    null stays None; a field the body did not give stays absent (PATCH)."""
    for name, queryset in references.items():
        field = f"{name}_id"
        if field in data:
            data[name] = get_or_invalid(queryset, data.pop(field), field)
    return data


def locked(queryset, pk):
    """Return the row locked for update (only this table's row), or raise Http404."""
    obj = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def page(request, queryset, params, *, allowed, sort="-created_at"):
    """One cursor page of ``queryset`` in the order the caller asked for (of ``allowed``)."""
    return cursor_list(request, queryset, sort=sort, allowed_sorts=set(allowed), ordering=params.ordering,
                       cursor=params.cursor, limit=params.limit)


def filtered(queryset, **lookups):
    """Apply the filters the caller gave; the lookups are named here, never taken from the query string."""
    return queryset.filter(**{lookup: value for lookup, value in lookups.items() if value is not None})


def searched(queryset, q, *fields):
    """The records where any of ``fields`` (lookups: ``name__icontains``) matches ``q``; all
    of them without a ``q``."""
    if not q or not fields:
        return queryset
    return queryset.filter(reduce(operator.or_, (Q(**{field: q}) for field in fields)))


def listing(request, queryset, params):
    """Filter ``queryset`` by the parameters given (lookups from the schema's allow-list,
    never from the query string), search it with ``q``, return one cursor page."""
    queryset = filtered(queryset, **{lookup: getattr(params, name) for name, lookup in params.lookups.items()})
    queryset = searched(queryset, params.q, *params.search)
    return cursor_list(request, queryset, sort=params.sort, allowed_sorts=params.sorts, ordering=params.ordering,
                       cursor=params.cursor, limit=params.limit)


def pick(list_key, code, field):
    """The active pick-list item of ``code`` (None for none), or a 422 naming ``field``."""
    item = picklists.items(list_key).filter(code=code).first() if code else None
    if code and item is None:
        raise ValidationFailed(_("Unknown value “%(code)s”.") % {"code": code}, field=field)
    return item


def picked(data, fields):
    """Turn the pick-list codes in ``data`` ({field: list key}) into their items."""
    for field, list_key in fields.items():
        if field in data:
            data[field] = pick(list_key, data[field], field)
    return data


def code_of(item):
    return item.code if item is not None else None


def by_id(record):
    return record.pk


@contextmanager
def fields_named(names):
    """Report a service's field names as the body names them: ``names`` maps service →
    body names, or is a function of the service's name."""
    rename = names if callable(names) else (lambda field: names.get(field, field))
    try:
        yield
    except ValidationFailed as exc:
        exc.errors = [{**error, "field": rename(error.get("field"))} for error in exc.errors]
        raise


def patched(request, response, *, queryset, pk, out, update):
    """PATCH: lock the record, refuse a stale If-Match (412, nothing changed), apply
    ``update(record)``; answer the fresh record with its new ETag."""
    with transaction.atomic():
        record = locked(queryset, pk)
        check_if_match(request, out.from_orm(record))
        updated = update(record)
    # read again (annotations, related names); a change that took the record out of the
    # caller's scope (a new owner) answers what was saved
    fresh = queryset.filter(pk=pk).first() or updated or record
    return with_etag(response, out.from_orm(fresh))


def acted(request, get, pk, service, name, **arguments):
    """Run ``service`` on the record ``get(user, pk)`` finds in the caller's scope (404
    outside it), handed over as ``name``; answer the record as it is now."""
    service(actor=request.user, **{name: get(request.user, pk)}, **arguments)
    return get(request.user, pk)


def deleted(request, get, pk, service, name):
    """DELETE: hand the record ``get(user, pk)`` finds in the caller's scope (404 outside it)
    to the ``service`` as ``name`` (to the recycle bin, mostly); answer 204 with no body."""
    service(actor=request.user, **{name: get(request.user, pk)})
    return Status(204, None)


def path_operations(router):
    """(path, path view) of every endpoint of ``router`` and of the routers added to it
    (a domain's package adds one router per resource module)."""
    yield from router.path_operations.items()
    for _prefix, child, *_rest in router._routers:
        yield from path_operations(child)


def domain_router(tag, *routers):
    """One domain's router: its resources' routers (one file each) under one OpenAPI tag."""
    router = Router(tags=[tag])
    for resource in routers:
        router.add_router("", resource, tags=[tag])
    return router


class _FromSetting:
    """A rate limit that follows its setting at request time (a changed setting, or
    ``override_settings`` in a test, applies at once; the counts live in the shared cache)."""

    setting: str

    def allow_request(self, request):
        rate = getattr(settings, self.setting)
        if rate != self.rate:
            self.rate = rate
            self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)


class AnonRateFromSetting(_FromSetting, AnonRateThrottle):
    def __init__(self, setting):
        self.setting = setting
        super().__init__(getattr(settings, setting))


class AuthRateFromSetting(_FromSetting, AuthRateThrottle):
    def __init__(self, setting):
        self.setting = setting
        super().__init__(getattr(settings, setting))
