import datetime
from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from guanxi.core import transitions
from guanxi.core.amounts import money_text
from guanxi.core.permissions import allows, may_open

register = template.Library()


@register.filter
def is_under(path, url):
    """True when ``path`` is ``url`` or below it (menu highlighting)."""
    return url != "/" and path.startswith(url)


@register.filter
def cell(value):
    """Show a list cell: dates in local time, booleans as words, None as empty."""
    if value is None or value == "":
        return ""
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return money_text(value)
    return value


@register.filter
def money(value, symbol=""):
    """Show an amount with thousands separators and two decimals: ``{{ x|money:"¥" }}``."""
    return money_text(value, symbol)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """Return the current list query with some parameters changed."""
    state = context["state"]
    return "?" + state.query(**changes)


@register.filter
def sort_toggle(column_field, sort):
    return f"-{column_field}" if sort == column_field else column_field


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.inclusion_tag("core/_status_history.html")
def status_history(document):
    """The document's status changes: from → to, by whom, when (local time), why."""
    return {"rows": transitions.status_history(document)}


@register.filter
def can(user, code):
    """``{% if user|can:"finance.receipt" %}``: the check ``require`` makes."""
    return allows(user, code)


@register.simple_tag(takes_context=True)
def url_if_allowed(context, name, *args, **kwargs):
    """Reverse ``name`` and return it only if the current user may open that view
    (``{% url_if_allowed 'finance:receipt_create' order.pk as url %}{% if url %}…``)."""
    request = context.get("request")
    try:
        url = reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""
    return url if request is not None and may_open(request.user, url) else ""


@register.simple_tag(takes_context=True)
def link(context, record, text=None):
    """A link to ``record`` when the current user may open its page, else its name only."""
    label = record if text is None else text
    url = getattr(record, "get_absolute_url", lambda: "")()
    request = context.get("request")
    if url and request is not None and may_open(request.user, url):
        return format_html('<a href="{}">{}</a>', url, label)
    return format_html("{}", label)
