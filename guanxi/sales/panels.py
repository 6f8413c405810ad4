"""Panels other modules add to the order page (finance: payment plan, receivables,
invoices) and to the quote page (marketing: coupons and promotions):
provider(request, document) -> {"title", "template", "context"} or None.

Helpers other modules add to the quote and order forms (analytics: products often bought
together): provider(request) -> the URL of an HTMX partial fed with the form's fields, or
"" when the user may not use it."""

_panels = {"order": [], "quote": []}
_form_helpers = []


def register_form_helper(provider):
    _form_helpers.append(provider)


def form_helpers(request):
    return [url for url in (provider(request) for provider in _form_helpers) if url]


def register_order_panel(provider):
    _panels["order"].append(provider)


def register_quote_panel(provider):
    _panels["quote"].append(provider)


def _panels_for(kind, request, document):
    return [panel for panel in (provider(request, document) for provider in _panels[kind]) if panel]


def order_panels(request, order):
    return _panels_for("order", request, order)


def quote_panels(request, quote):
    return _panels_for("quote", request, quote)
