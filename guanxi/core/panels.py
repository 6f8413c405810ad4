"""Panels that higher modules add to a lower module's record page.

A page owned by one module (a supplier, an order) may show what another module keeps about
the record (what we owe the supplier, the order's money). The owner must not import that
module, so the module registers a provider here in its ``AppConfig.ready``::

    register_panel("purchasing.supplier", provider)   # provider(request, record) -> Panel | None

and the page's view asks ``panels_for("purchasing.supplier", request, record)``. A provider
returns None when the user may not see its panel (the same check as the view behind it).
"""

from collections import defaultdict
from dataclasses import dataclass, field

_providers = defaultdict(list)


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)


def register_panel(page, provider):
    if provider not in _providers[page]:
        _providers[page].append(provider)


def panels_for(page, request, record):
    return [panel for panel in (provider(request, record) for provider in _providers[page]) if panel]
