"""Endpoint factories for the shapes most resources share (issue 16: one way for each concern).

``list_and_get`` (``list_route`` + ``get_route``) registers the pair nearly every resource has: ``GET /things`` (a cursor page
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

from .common import ListParams, deleted, listing, patched, require_perm, with_etag

Visible = Callable[[Any], QuerySet]


def _named(func, name, doc, signature):
    func.__name__ = func.__qualname__ = name
    func.__doc__ = doc
    func.__signature__ = signature
    return func


def _params(*extra):
    request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return inspect.Signature([request, *extra])


def list_route(router: Router, path: str, *, name: str, perm: str, page: type, visible: Visible,
               filters: type = ListParams, doc: str | None = None):
    """Register ``GET path`` → ``{name}_list``: a cursor page of ``visible(user)`` filtered and
    searched as ``filters`` (a ``ListParams``) allows."""

    def view_list(request, params):
        require_perm(request, perm)
        return listing(request, visible(request.user), params)

    query = inspect.Parameter("params", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              annotation=Query[filters])  # type: ignore[misc,valid-type]  # a schema given at run time
    view_list.required_permission = perm  # type: ignore[attr-defined]
    router.get(path, response=page)(_named(view_list, f"{name}_list", doc, _params(query)))
    return view_list


def get_route(router: Router, path: str, *, name: str, perm: str, out: type, visible: Visible | None = None,
              get: Callable[[Any, int], Any] | None = None, id_name: str = "", etag: bool = False,
              doc: str | None = None):
    """Register ``GET path/{id_name}`` → ``{name}_get``: ``get(user, pk)``, or the record of
    ``visible(user)`` with that key (404 outside it); ``id_name`` defaults to ``{name}_id``;
    ``etag``: answered with its ETag (for If-Match)."""
    id_name = id_name or f"{name}_id"
    if (get is None) == (visible is None):
        raise TypeError("get_route needs exactly one of get and visible")

    def view_get(request, **kwargs):
        require_perm(request, perm)
        pk = kwargs[id_name]
        record = get(request.user, pk) if get is not None else get_object_or_404(visible(request.user), pk=pk)
        return with_etag(kwargs["response"], out.from_orm(record)) if etag else record

    key = [inspect.Parameter(id_name, inspect.Parameter.KEYWORD_ONLY, annotation=int)]
    if etag:
        key.append(inspect.Parameter("response", inspect.Parameter.KEYWORD_ONLY, annotation=HttpResponse))
    view_get.required_permission = perm  # type: ignore[attr-defined]
    router.get(f"{path}/{{{id_name}}}", response=out)(_named(view_get, f"{name}_get", doc, _params(*key)))
    return view_get


def list_and_get(router: Router, path: str, *, name: str, perm: str, page: type, out: type,
                 visible: Visible, filters: type = ListParams, get: Callable[[Any, int], Any] | None = None,
                 list_doc: str | None = None, get_doc: str | None = None, id_name: str = "", etag: bool = False):
    """``list_route`` and ``get_route`` of one resource (the record from ``get``, else from ``visible``)."""
    return (list_route(router, path, name=name, perm=perm, page=page, visible=visible, filters=filters,
                       doc=list_doc),
            get_route(router, path, name=name, perm=perm, out=out, get=get, visible=None if get else visible,
                      id_name=id_name, etag=etag, doc=get_doc))


def update_route(router: Router, path: str, *, name: str, perm: str, out: type, patch: type, visible: Visible,
                 update: Callable[[Any, Any, dict], Any], id_name: str = "", doc: str | None = None):
    """Register ``PATCH path/{id_name}`` → ``{name}_update``: lock the record of
    ``visible(user)``, refuse a stale If-Match (412), run ``update(user, record, fields sent)``
    and answer the fresh record with its ETag (``common.patched``)."""
    id_name = id_name or f"{name}_id"

    def view_update(request, **kwargs):
        require_perm(request, perm)
        data = kwargs["payload"].model_dump(exclude_unset=True)
        return patched(request, kwargs["response"], queryset=visible(request.user), pk=kwargs[id_name], out=out,
                       update=lambda record: update(request.user, record, data))

    params = [inspect.Parameter(id_name, inspect.Parameter.KEYWORD_ONLY, annotation=int),
              inspect.Parameter("payload", inspect.Parameter.KEYWORD_ONLY, annotation=patch),
              inspect.Parameter("response", inspect.Parameter.KEYWORD_ONLY, annotation=HttpResponse)]
    view_update.required_permission = perm  # type: ignore[attr-defined]
    router.patch(f"{path}/{{{id_name}}}", response=out)(_named(view_update, f"{name}_update", doc, _params(*params)))
    return view_update


def delete_route(router: Router, path: str, *, name: str, perm: str, get: Callable[[Any, int], Any],
                 delete: Callable[..., Any], kind: str = "", id_name: str = "", doc: str | None = None):
    """Register ``DELETE path/{id_name}`` → ``{name}_delete``: hand ``get(user, pk)`` (404
    outside the caller's scope) to the ``delete`` service as ``kind`` (default ``name``); 204."""
    id_name = id_name or f"{name}_id"

    def view_delete(request, **kwargs):
        require_perm(request, perm)
        return deleted(request, get, kwargs[id_name], delete, kind or name)

    key = inspect.Parameter(id_name, inspect.Parameter.KEYWORD_ONLY, annotation=int)
    view_delete.required_permission = perm  # type: ignore[attr-defined]
    router.delete(f"{path}/{{{id_name}}}", response={204: None})(
        _named(view_delete, f"{name}_delete", doc, _params(key)))
    return view_delete
