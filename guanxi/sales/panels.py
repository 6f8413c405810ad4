"""Panels other modules add to the order page (finance: payment plan, receivables,
invoices): provider(request, order) -> {"title", "template", "context"} or None.

Helpers other modules add to the quote and order forms (analytics: products often bought
together): provider(request) -> the URL of an HTMX partial fed with the form's fields, or
"" when the user may not use it."""

_order_panels = []
_form_helpers = []


def register_form_helper(provider):
    _form_helpers.append(provider)


def form_helpers(request):
    return [url for url in (provider(request) for provider in _form_helpers) if url]


def register_order_panel(provider):
    _order_panels.append(provider)


def order_panels(request, order):
    return [panel for panel in (provider(request, order) for provider in _order_panels) if panel]
