"""Keyset (cursor) pagination for every list, in the UI and the API.

Rows are ordered by (sort field, id); a cursor carries the last row's values, so the
database seeks with an index instead of counting past OFFSET rows: page 10,000 costs
what page 1 costs. Counts are capped ("10,000+") for the same reason.
"""

import base64
import binascii
import datetime
import decimal
import json
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .errors import BadRequest, ValidationFailed

COUNT_CAP = 10_000


class BadCursor(ValidationFailed):
    # Malformed rather than a field to correct (API.md: 400); still a ValidationFailed for
    # callers that catch those.
    status = BadRequest.status
    code = "bad_cursor"
    default_message = _("The page cursor is not valid; start again from the first page.")


def _encode_value(value):
    if isinstance(value, datetime.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"dec": str(value)}
    return value


def _decode_value(value):
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.datetime.fromisoformat(value["dt"])
        if "d" in value:
            return datetime.date.fromisoformat(value["d"])
        if "dec" in value:
            return decimal.Decimal(value["dec"])
        raise ValueError("unknown cursor value")
    return value


def encode_cursor(sort, value, pk, direction):
    raw = json.dumps({"s": sort, "v": _encode_value(value), "id": pk, "dir": direction}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor, sort):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if data["s"] != sort or data["dir"] not in ("next", "prev") or not isinstance(data["id"], int):
            raise ValueError("cursor for another ordering")
        return _decode_value(data["v"]), data["id"], data["dir"]
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
        raise BadCursor(field="cursor") from None


@dataclass
class Page:
    items: list
    next_cursor: str | None
    prev_cursor: str | None


def keyset_page(queryset, *, sort, cursor=None, limit=50):
    """Return one Page of ``queryset`` ordered by ``sort`` ("field" or "-field"), then id.

    The sort field must be non-null and come from an allow-list (never from raw input).
    """
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    direction = "next"
    if cursor:
        value, pk, direction = decode_cursor(cursor, sort)
        forward = (direction == "next") != descending  # seek to larger values?
        op = "gt" if forward else "lt"
        # "field <= v AND (field < v OR id < pk)": the first term gives the index a range
        # to seek to, which a bare OR would hide from the planner.
        queryset = queryset.filter(
            Q(**{f"{field}__{op}e": value}) & (Q(**{f"{field}__{op}": value}) | Q(**{f"pk__{op}": pk}))
        )
    reverse = direction == "prev"
    order_desc = descending != reverse
    ordering = [f"-{field}", "-pk"] if order_desc else [field, "pk"]
    rows = list(queryset.order_by(*ordering)[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    if reverse:
        rows.reverse()
    next_cursor = prev_cursor = None
    if rows:
        first, last = rows[0], rows[-1]
        # Going forward, more rows mean a next page and a cursor means a page before;
        # going back, it is the other way round.
        more_after = True if reverse else has_more
        more_before = has_more if reverse else bool(cursor)
        if more_after:
            next_cursor = encode_cursor(sort, _value(last, field), last.pk, "next")
        if more_before:
            prev_cursor = encode_cursor(sort, _value(first, field), first.pk, "prev")
    return Page(rows, next_cursor, prev_cursor)


def _value(obj, field):
    for part in field.split("__"):
        obj = getattr(obj, part)
    return obj


def capped_count(queryset, cap=COUNT_CAP):
    """Return (count, capped): an exact count up to ``cap``, else (cap, True)."""
    count = queryset.order_by()[: cap + 1].count()
    return (cap, True) if count > cap else (count, False)
