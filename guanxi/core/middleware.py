"""Malformed input answered in one place, as 400 (or the error's own status), never 500;
a read whose database connection was lost answered from a new connection."""

import json
import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connections
from django.utils.translation import gettext as _

from .errors import DomainError
from .problems import error_response

logger = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _has_nul(querydict):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in querydict.lists())


def _holds_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _json_has_nul(request):
    if request.content_type != "application/json":
        return False
    try:
        body = request.body
    except RequestDataTooBig:
        return False  # the endpoint answers 413 as it always has
    if b"\x00" in body:
        return True
    if b"u0000" not in body.lower():  # the cheap test first: most bodies never get parsed twice
        return False
    try:
        return _holds_nul(json.loads(body))
    except ValueError:
        return False  # not JSON: the endpoint says so


def _form_has_nul(request):
    if request.method != "POST" or request.content_type not in ("application/x-www-form-urlencoded",
                                                                "multipart/form-data"):
        return False
    # Reading the form here raises what the view would have raised (too large, too many
    # fields), answered by the 400 handler as before; Django would not raise it twice.
    return _has_nul(request.POST)


class BadInputMiddleware:
    """Refuse a NUL character in the query string, a posted form or a JSON body
    (PostgreSQL cannot store or compare it, so it would fail deep in a query), and turn a
    service error that a view let through (a tampered page cursor, a template that cannot
    be printed) into a page or problem+json with its status instead of a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET):
            return error_response(request, 400, _("The request is not valid."),
                                  _("The address contains a NUL character; remove it and try again."))
        if _form_has_nul(request) or _json_has_nul(request):
            return error_response(request, 400, _("The request is not valid."),
                                  _("The data sent contains a NUL character; remove it and try again."))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return error_response(request, exception.status, exception.message)
        return None


def connection_lost(exception):
    """Whether ``exception`` came from a database connection that no longer works (its
    backend was terminated, the server restarted or failed over); an error on a connection
    that still answers (a lock timeout, bad SQL) is not."""
    if not isinstance(exception, DatabaseError):
        return False
    # The server said so (SQLSTATE class 08 "connection exception", 57P "operator intervention":
    # admin or crash shutdown), or the connection is closed or no longer answers.
    state = getattr(exception.__cause__, "sqlstate", None) or ""
    if state.startswith(("08", "57P")):
        return True
    return any(_dead(conn) for conn in connections.all(initialized_only=True))


def _dead(conn):
    if conn.connection is None:
        return False
    return bool(getattr(conn.connection, "closed", False)) or (conn.errors_occurred and not conn.is_usable())


def may_retry(request, exception):
    """A read that lost its connection, not retried yet (GET never writes, so running it
    again is safe; writes are retried by the client with its Idempotency-Key)."""
    return request.method in SAFE_METHODS and not getattr(request, "_connection_retried", False) and (
        connection_lost(exception))


class LostConnectionRetryMiddleware:
    """Run a read once more, on new connections, when its database connection was lost
    mid-request (persistent connections are health-checked before a request, but a backend
    can be terminated during one: bench/faults.py, docs/benchmarks.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not may_retry(request, exception):
            return lost_connection_response(request, exception)
        request._connection_retried = True
        _close_lost()
        logger.warning("database connection lost during %s %s; running it again", request.method, request.path)
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        return response.render() if callable(getattr(response, "render", None)) else response


def _close_lost():
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()


def lost_connection_response(request, exception):
    """A write (or a read already run twice) that lost its database connection: its
    transaction died with the connection, so nothing was written. 503 with Retry-After
    asks the client to send it again (an API write with its Idempotency-Key); None when
    the connection was not lost (a real server error)."""
    if not connection_lost(exception):
        return None
    _close_lost()
    logger.warning("database connection lost during %s %s; answered 503", request.method, request.path)
    response = error_response(request, 503, _("The database connection was lost."),
                              _("Nothing was saved. Send the request again."))
    response["Retry-After"] = "1"
    return response
