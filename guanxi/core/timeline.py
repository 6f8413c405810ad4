"""One timeline for any record: modules contribute entries, one function merges them.

A source is ``source(user, record, limit) -> list[Entry]`` registered for a model; the
customer view shows the customer's changes, ownership moves, interactions, and what
later modules add (opportunities, orders, tickets), newest first.
"""

import heapq
from dataclasses import dataclass, field

from .history import ACTIONS, history_for

_sources = {}  # model -> [(permission or None, source)]


@dataclass(order=True)
class Entry:
    when: object
    kind: str = field(compare=False)
    title: str = field(compare=False)
    body: str = field(default="", compare=False)
    url: str = field(default="", compare=False)
    actor: str = field(default="", compare=False)


def register(model, source, permission=None):
    """Add ``source(user, record, limit) -> [Entry]`` to the timeline of ``model``, asked
    only of users with ``permission`` (the module's read permission) when given."""
    _sources.setdefault(model, []).append((permission, source))


def timeline(user, record, limit=50):
    entries = []
    for permission, source in _sources.get(type(record), []):
        if permission is None or user.has_module_perm(permission):
            entries.extend(source(user, record, limit))
    return heapq.nlargest(limit, entries)


def audit_source(user, record, limit):
    """Changes recorded by the audit log, as timeline entries."""

    entries = []
    for item in history_for(record, limit=limit):
        entry = item["entry"]
        fields = ", ".join(str(c["field"]) for c in item["changes"][:4])
        entries.append(Entry(entry.timestamp, "change", str(ACTIONS.get(entry.action, entry.get_action_display())),
                             fields, actor=str(entry.actor or "")))
    return entries

