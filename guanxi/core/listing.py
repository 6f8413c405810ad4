"""The list page every module reuses: search, filters, sorting, keyset pages, saved
views, an empty state and export, all over a queryset that is already scoped.

A module describes its list once::

    class NoteList(ListSpec):
        key = "workplace.notes"
        title = _("Notes")
        permission = "workplace.view"
        columns = [Column("title", _("Title"), sortable=True, link=True), ...]
        filters = [Filter("category", _("Category"), choices=NoteCategory.choices)]
        search_fields = ["title", "body"]

        def queryset(self, request):
            return selectors.notes_visible_to(request.user)

and routes ``ListPageView.as_view(spec=NoteList)``. Only allow-listed fields ever reach
the ORM (SECURITY.md: no ``**request.GET``).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views import View

from . import memo
from .exports import export_response
from .imports import importer_for
from .models import SavedView
from .pagination import BadCursor, capped_count, keyset_page
from .permissions import PermissionMixin, allows, may_open


@dataclass
class Column:
    field: str
    label: Any
    sortable: bool = False
    link: bool = False
    value: Callable | None = None  # obj -> value shown and exported
    export: bool = True
    css: str = ""
    code: bool = False  # an identifier shown as is (a role's code), in <code>
    overdue: Callable | None = None  # obj -> True when the date in this cell is past and still matters

    def get(self, obj):
        if self.value is not None:
            return self.value(obj)
        value = obj
        for part in self.field.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        display = getattr(obj, f"get_{self.field}_display", None)
        return display() if display else value


@dataclass
class BulkAction:
    """An action on the rows a user ticks: posts ``ids`` to ``url_name``."""

    code: str
    label: Any
    permission: str
    url_name: str


@dataclass
class Filter:
    name: str
    label: Any
    lookup: str = ""
    choices: Any = None  # list of (value, label) or callable(request) -> list
    kind: str = "choice"  # choice | date_from | date_to | number_min | number_max | boolean | text | custom
    apply_func: Callable | None = None  # custom: (queryset, raw, request) -> queryset or None

    def __post_init__(self):
        self.lookup = self.lookup or self.name

    def options(self, request):
        choices = self.choices(request) if callable(self.choices) else self.choices
        return [(str(value), label) for value, label in (choices or [])]

    def apply(self, queryset, raw, request):
        """Return the filtered queryset, or None when ``raw`` is not an allowed value."""
        if self.kind == "choice":
            if raw not in {value for value, _label in self.options(request)}:
                return None
            return queryset.filter(**{self.lookup: raw})
        if self.kind == "boolean":
            if raw not in ("1", "0"):
                return None
            return queryset.filter(**{self.lookup: raw == "1"})
        if self.kind == "text":
            return queryset.filter(**{self.lookup: raw[:100]})
        if self.kind == "custom":
            if self.choices is not None and raw not in {value for value, _label in self.options(request)}:
                return None
            return self.apply_func(queryset, raw[:100], request)
        if self.kind in ("number_min", "number_max"):
            number = _decimal(raw)
            if number is None:
                return None
            return queryset.filter(**{f"{self.lookup}__{'gte' if self.kind == 'number_min' else 'lte'}": number})
        day = parse_date(raw) if len(raw) == 10 else None
        if day is None:
            return None
        if self.kind == "date_from":
            return queryset.filter(**{f"{self.lookup}__gte": day})
        return queryset.filter(**{f"{self.lookup}__lt": day + datetime.timedelta(days=1)})


def period_filters(lookup, from_label, to_label, *, prefix=""):
    """The two filters of a period on one date field: ``<prefix>from`` (that day on) and
    ``<prefix>to`` (up to that day, all of it)."""
    return [Filter(f"{prefix}from", from_label, lookup=lookup, kind="date_from"),
            Filter(f"{prefix}to", to_label, lookup=lookup, kind="date_to")]


def _decimal(raw):
    try:
        number = Decimal(raw.replace(",", "").strip()[:20])
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@dataclass
class ListState:
    q: str = ""
    sort: str = ""
    cursor: str = ""
    filters: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def query(self, **changes):
        params = {"q": self.q, "sort": self.sort, **self.filters}
        params.update(changes)
        return urlencode({k: v for k, v in params.items() if v})


class ListSpec:
    key = ""
    title: str | Promise = ""
    permission = ""
    export_permission: str | None = None
    create_url_name: str | None = None
    create_permission: str | None = None
    columns: list = []
    filters: list = []
    search_fields: list = []
    default_sort = "-created_at"
    page_size = 25
    empty_text: str | Promise = _("Nothing here yet.")
    export_name = "export"
    bulk_actions: list = []
    import_entity: str | None = None  # a registered importer (core.imports): shows an Import button
    # the selector of the records the user may see (``selectors.x_visible_to``, scope first);
    # a list whose records come otherwise overrides ``queryset``
    visible_to: ClassVar[Callable[[Any], Any] | None] = None

    @property
    def export_columns(self):
        return [c for c in self.columns if c.export]

    def queryset(self, request):
        visible_to = type(self).visible_to
        if visible_to is None:
            raise NotImplementedError
        return visible_to(request.user)

    def detail_url(self, obj):
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None

    def search(self, queryset, q):
        condition = Q()
        for name in self.search_fields:
            condition |= Q(**{f"{name}__icontains": q})
        return queryset.filter(condition)

    # --- the pipeline ----------------------------------------------------------------
    def sort_options(self):
        return {c.field for c in self.columns if c.sortable}

    def state_from(self, request):
        params = request.GET
        state = ListState(q=params.get("q", "").strip()[:200], cursor=params.get("cursor", ""))
        sort = params.get("sort", "")
        state.sort = sort if sort.lstrip("-") in self.sort_options() else ""
        for flt in self.filters:
            raw = params.get(flt.name, "").strip()
            if raw:
                state.filters[flt.name] = raw
        return state

    def filtered(self, request, state):
        queryset = self.queryset(request)
        if state.q:
            queryset = self.search(queryset, state.q)
        return self.apply_filters(request, state, queryset)

    def apply_filters(self, request, state, queryset, filters=None):
        """Narrow ``queryset`` by the filters in ``state`` (all of the list's, or
        ``filters``); a refused value becomes an error in ``state`` and is dropped."""
        for flt in self.filters if filters is None else filters:
            raw = state.filters.get(flt.name)
            if raw:
                narrowed = flt.apply(queryset, raw, request)
                if narrowed is None:
                    state.errors.append(_("“%(value)s” is not a valid choice for %(filter)s.")
                                        % {"value": raw, "filter": flt.label})
                    del state.filters[flt.name]
                else:
                    queryset = narrowed
        return queryset

    def export_rows(self, queryset):
        columns = self.export_columns
        for obj in queryset.iterator(chunk_size=2000):
            yield [c.get(obj) for c in columns]

    def export_headers(self):
        return [str(c.label) for c in self.export_columns]


class ListPageView(PermissionMixin, View):
    spec: type[ListSpec] | None = None
    template_name = "core/list.html"

    def dispatch(self, request, *args, **kwargs):
        self.list = self.spec()
        self.permission = self.list.permission
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        spec = self.list
        state = spec.state_from(request)
        queryset = spec.filtered(request, state)
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            return self.export(request, spec, state, queryset, export)
        if request.GET.get("count") == "1":
            # The count arrives in its own request after the page: counting up to the cap
            # costs more than the page itself on large tables.
            count, capped = capped_count(queryset)
            return render(request, "core/_list_count.html", {"count": count, "count_capped": capped})
        sort = state.sort or spec.default_sort
        status = 200
        # Owners, branches and pick-list items come from memory (core.memo directories),
        # the other relations by one prefetch query each.
        lookups = queryset._prefetch_related_lookups
        queryset = queryset.prefetch_related(None)
        try:
            page = keyset_page(queryset, sort=sort, cursor=state.cursor or None, limit=spec.page_size)
        except BadCursor as exc:  # tampered or stale: say so over the first page (400)
            state.errors.append(exc.message)
            state.cursor, status = "", 400
            page = keyset_page(queryset, sort=sort, limit=spec.page_size)
        memo.fill(list(page.items), lookups)
        rows = [
            {"obj": obj, "url": self._allowed(request.user, spec.detail_url(obj)),
             "cells": [(c, value, cell_css(c, obj, value)) for c in spec.columns for value in [c.get(obj)]]}
            for obj in page.items
        ]
        context = {
            "spec": spec,
            "state": state,
            "rows": rows,
            "page": page,
            "sort": sort,
            "filter_widgets": [(f, f.options(request)) for f in spec.filters],
            "saved_views": saved_views_for(request.user, spec.key),
            "can_export": bool(spec.export_permission) and request.user.has_module_perm(spec.export_permission),
            "can_create": bool(spec.create_url_name)
            and _may(request.user, spec.create_permission or spec.permission),
            "bulk_actions": [a for a in spec.bulk_actions if request.user.has_module_perm(a.permission)],
            "can_import": bool(spec.import_entity) and _may_import(request.user, spec.import_entity),
            "current_query": state.query(),
        }
        template = "core/_list_results.html" if request.htmx and not request.htmx.boosted else self.template_name
        return render(request, template, context, status=status)

    @staticmethod
    def _allowed(user, url):
        """Link a row only to a page the user may open (a product row is not a link for
        someone who may not edit products)."""
        return url if url and may_open(user, url) else None

    def export(self, request, spec, state, queryset, fmt):
        if not spec.export_permission or not request.user.has_module_perm(spec.export_permission):
            raise PermissionDenied
        queryset = queryset.order_by(*_ordering(state.sort or spec.default_sort))
        return export_response(fmt, spec.export_headers(), spec.export_rows(queryset), spec.export_name,
                               str(spec.title))


SHORT_TEXT = 12  # names, codes and statuses up to this length never wrap in a cell


def cell_css(column, obj, value):
    """The CSS classes of a list cell: dates and amounts never wrap (广州总/部), numbers
    align right, a date that is past while it still matters is marked overdue."""
    classes = []
    if isinstance(value, (datetime.date, datetime.datetime)):
        classes.append("date")
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        classes.append("num")
    elif value is not None and len(str(value)) <= SHORT_TEXT:
        classes.append("nowrap")
    if column.overdue is not None and value is not None and column.overdue(obj):
        classes.append("overdue")
    return " ".join(classes)


def _may(user, code):
    return allows(user, code)


def _may_import(user, entity):
    importer = importer_for(entity)
    return importer is not None and user.has_module_perm(importer.permission)


def _ordering(sort):
    return [sort, "-pk" if sort.startswith("-") else "pk"]


def saved_views_for(user, list_key):
    """The views a user may pick on a list, remembered until a saved view changes (core.memo)."""
    return list(memo.remember(f"saved_views:{user.pk}:{list_key}", lambda: list(
        SavedView.objects.filter(Q(owner=user) | Q(is_shared=True), list_key=list_key)
        .select_related("owner")
        .order_by("name")
    )))
