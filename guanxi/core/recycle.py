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


def register_services(code, label, model, deleted_for, *, restore, purge, record_name):
    """Register a kind whose restore and purge services take the record by its own name
    (``customer_restore(actor=…, customer=…)``): ``record_name`` is that name."""
    register(RecycleKind(
        code=code, label=label, model=model, deleted_for=deleted_for,
        restore=lambda *, actor, record: restore(actor=actor, **{record_name: record}),
        purge=lambda *, actor, record: purge(actor=actor, **{record_name: record}),
    ))


def kinds():
    return list(_kinds.values())


def kind(code):
    return _kinds.get(code)
