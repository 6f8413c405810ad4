"""Administrator-editable pick-lists (ORG-7). Apps register a list with its defaults;
the defaults are created after migrate when the list is still empty."""

from dataclasses import dataclass, field

from . import memo
from .models import PickItem


@dataclass
class PickList:
    key: str
    label: str
    defaults: list = field(default_factory=list)  # [(code, name_zh, name_en)]


_lists: dict[str, PickList] = {}


def register(key, label, defaults):
    _lists[key] = PickList(key, label, list(defaults))


def lists():
    return list(_lists.values())


def get(key):
    return _lists.get(key)


def seed_defaults(**kwargs):
    for pick_list in _lists.values():
        if PickItem.objects.filter(list_key=pick_list.key).exists():
            continue
        PickItem.objects.bulk_create([
            PickItem(list_key=pick_list.key, code=code, name_zh=zh, name_en=en, position=i)
            for i, (code, zh, en) in enumerate(pick_list.defaults)
        ])


def items(key, *, active_only=True):
    queryset = PickItem.objects.filter(list_key=key)
    return queryset.filter(is_active=True) if active_only else queryset


def active(key):
    """The active items of ``key`` (a shared list: do not modify), remembered until a
    pick-list changes (``core.memo``)."""
    return memo.remember(f"picklist:{key}", lambda: list(items(key)))


def choices(key):
    return [(item.pk, item.name) for item in active(key)]
