"""The recycle bin: soft-deleted records of every model that opts in (CUS-10).

An app registers ``RecycleKind`` with a selector that returns the deleted records the
user may see (through the scope helper) and a restore service; purge is permanent.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class RecycleKind:
    code: str
    label: str
    model: type
    deleted_for: Callable  # (user) -> QuerySet of deleted records in the user's scope
    restore: Callable  # (*, actor, record) -> record
    purge: Callable  # (*, actor, record) -> None


_kinds: dict[str, RecycleKind] = {}


def register(kind):
    _kinds[kind.code] = kind


def kinds():
    return list(_kinds.values())


def kind(code):
    return _kinds.get(code)
