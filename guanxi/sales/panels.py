"""Panels other modules add to the order page (finance: payment plan, receivables,
invoices): provider(request, order) -> {"title", "template", "context"} or None."""

_order_panels = []


def register_order_panel(provider):
    _order_panels.append(provider)


def order_panels(request, order):
    return [panel for panel in (provider(request, order) for provider in _order_panels) if panel]
