"""Endpoint factories for the shapes most resources share (issue 16: one way for each concern).

``list_and_get`` registers the pair nearly every resource has: ``GET /things`` (a cursor page
of the records the caller may see, filtered by the resource's filter schema) and
``GET /things/{thing_id}`` (one of them, 404 outside the caller's scope), both behind one
permission. The endpoints are ordinary view functions: their names are the operationIds
(``thing_list``, ``thing_get``), their docstrings the descriptions, so the OpenAPI document
is the one hand-written endpoints gave. Each made function keeps its permission in
``required_permission``; the permission tests read it, and walk the endpoints as a user
without the module (403 everywhere).
"""

import inspect
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from .common import ListParams, listing, require_perm, with_etag

Visible = Callable[[Any], QuerySet]


def _named(func, name, doc, signature):
    func.__name__ = func.__qualname__ = name
    func.__doc__ = doc
    func.__signature__ = signature
    return func


def _params(*extra):
    request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return inspect.Signature([request, *extra])


def list_and_get(router: Router, path: str, *, name: str, perm: str, page: type, out: type,
                 visible: Visible, filters: type = ListParams, get: Callable[[Any, int], Any] | None = None,
                 list_doc: str | None = None, get_doc: str | None = None, id_name: str = "", etag: bool = False):
    """Register ``GET path`` → ``{name}_list`` and ``GET path/{id_name}`` → ``{name}_get``.

    ``visible(user)`` is the scoped selector of the records; ``get(user, pk)`` the record
    (default: the one of ``visible(user)`` with that key, else 404); ``id_name`` the path's
    key (default ``{name}_id``); ``etag``: the record is answered with its ETag (for If-Match)."""
    id_name = id_name or f"{name}_id"

    def view_list(request, params):
        require_perm(request, perm)
        return listing(request, visible(request.user), params)

    def view_get(request, **kwargs):
        require_perm(request, perm)
        pk = kwargs[id_name]
        record = get(request.user, pk) if get is not None else get_object_or_404(visible(request.user), pk=pk)
        return with_etag(kwargs["response"], out.from_orm(record)) if etag else record

    query = inspect.Parameter("params", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              annotation=Query[filters])  # type: ignore[misc,valid-type]  # a schema given at run time
    key = [inspect.Parameter(id_name, inspect.Parameter.KEYWORD_ONLY, annotation=int)]
    if etag:
        key.append(inspect.Parameter("response", inspect.Parameter.KEYWORD_ONLY, annotation=HttpResponse))
    view_list.required_permission = view_get.required_permission = perm  # type: ignore[attr-defined]
    router.get(path, response=page)(_named(view_list, f"{name}_list", list_doc, _params(query)))
    router.get(f"{path}/{{{id_name}}}", response=out)(_named(view_get, f"{name}_get", get_doc, _params(*key)))
    return view_list, view_get
