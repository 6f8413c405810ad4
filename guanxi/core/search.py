"""Global search: each app registers providers that search within the user's scope.

A provider is ``provider(user, q, limit) -> list[SearchHit]`` for one kind of record,
registered in its app's ``AppConfig.ready`` behind the permission that reads it. The
search page and the as-you-type dropdown show the hits grouped by kind, in the order the
providers were registered, each group with its count.

Providers must stay cheap per keystroke: indexed lookups (a document number exactly or
by its prefix, see :func:`guanxi.core.numbering.number_q`; phones on normalized, indexed
columns), text matching only where the user's scope already narrows the rows.
"""

import functools
import operator
import re
from dataclasses import dataclass, field

from django.utils.formats import number_format

_NOT_TEXT = re.compile(r"[\d\s+\-()（）.#]*|[A-Za-z]{1,6}-\d[\d-]*")  # a phone, a serial, a document number


@dataclass
class SearchHit:
    label: str
    url: str
    kind: str
    detail: str = ""


@dataclass
class SearchGroup:
    key: str
    label: str
    hits: list = field(default_factory=list)
    more: bool = False  # there are more hits than shown

    @property
    def count(self):
        return len(self.hits)


@dataclass(frozen=True)
class _Provider:
    key: str
    label: object
    permission: str
    search: object


_providers = []


def register(provider, *, permission, key=None, label=None):
    """Register ``provider(user, q, limit) -> list[SearchHit]`` behind a permission.

    ``key`` names the group (``"sales.order"``); ``label`` is its heading (the hits'
    ``kind`` when not given).
    """
    key = key or f"{provider.__module__}.{provider.__qualname__}"
    if any(existing.key == key for existing in _providers):
        return
    _providers.append(_Provider(key=key, label=label, permission=permission, search=provider))


def is_text(q):
    """Whether ``q`` can be part of a name: not a phone, a serial or a document number
    being typed, and at least two characters (one would match nearly every row)."""
    q = (q or "").strip()
    return len(q) >= 2 and not _NOT_TEXT.fullmatch(q)


def matching(queryset, conditions):
    """``queryset`` narrowed to the rows meeting any of ``conditions`` (Q objects; None
    for a way of matching that does not apply to the query); none when none applies."""
    conditions = [condition for condition in conditions if condition is not None]
    if not conditions:
        return queryset.none()
    return queryset.filter(functools.reduce(operator.or_, conditions))


def money_text(amount):
    """An amount as a hit's detail shows it: ¥12,000.00."""
    return f"¥{number_format(amount, 2, force_grouping=True)}"


def hits_from(queryset, limit, *, label=str, detail=lambda obj: ()):
    """SearchHits of the first ``limit`` records; ``detail`` gives the parts shown after
    the label (empty ones are left out)."""
    kind = str(queryset.model._meta.verbose_name)
    return [SearchHit(label=label(obj), url=obj.get_absolute_url(), kind=kind,
                      detail=" · ".join(str(part) for part in detail(obj) if part)) for obj in queryset[:limit]]


def search_grouped(user, q, limit=5):
    """Return the non-empty groups of hits for ``q`` that ``user`` may see."""
    q = (q or "").strip()
    if not q:
        return []
    groups = []
    for provider in _providers:
        if not user.has_module_perm(provider.permission):
            continue
        hits = provider.search(user, q, limit + 1)
        if hits:
            label = str(provider.label) if provider.label is not None else hits[0].kind
            groups.append(SearchGroup(key=provider.key, label=label, hits=hits[:limit], more=len(hits) > limit))
    return groups
