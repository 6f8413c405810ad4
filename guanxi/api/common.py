"""What every router shares: permission checks, cursor lists, ETags, id lookups."""

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict

from guanxi.core.errors import PreconditionFailed, ValidationFailed
from guanxi.core.pagination import keyset_page

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class InputSchema(Schema):
    """Request bodies: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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


def locked(queryset, pk):
    """Return the row locked for update (only this table's row), or raise Http404."""
    from django.http import Http404

    obj = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj
