"""The module menu: apps register sections; each user sees what their roles allow."""

from dataclasses import dataclass, field

from django.urls import reverse

from .permissions import AUTHENTICATED, may_open


@dataclass
class Item:
    label: str
    url_name: str
    permission: str

    def url(self):
        return reverse(self.url_name)


@dataclass
class Section:
    code: str
    label: str
    permission: str
    items: list = field(default_factory=list)
    order: int = 50


_sections: dict[str, Section] = {}
_added: dict[str, list] = {}


def register(section):
    _sections[section.code] = section


def add_items(section_code, *items):
    """Add a module's pages to another module's menu section (a report on daily work
    belongs beside daily work), whatever order the apps become ready in."""
    _added.setdefault(section_code, []).extend(i for i in items if i not in _added.get(section_code, []))


def section_items(section):
    return [*section.items, *_added.get(section.code, [])]


def menu_for(user):
    """Return [(section, [items])] the user may open, in menu order."""
    if not user.is_authenticated:
        return []
    menu = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.code)):
        # The menu asks each page's own view (``may_open``), so it offers no page that answers 403.
        items = [item for item in section_items(section)
                 if (item.permission == AUTHENTICATED or user.has_module_perm(item.permission))
                 and may_open(user, item.url())]
        if items:
            menu.append((section, items))
    return menu
