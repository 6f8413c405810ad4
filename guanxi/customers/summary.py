"""The customer at the centre (CUS-6): what every module holds about one customer.

Each module describes its part once, as a :class:`Section` registered in its
``AppConfig.ready`` (customers registers contacts, interactions and feedback; sales its
opportunities, quotes, orders and shipping notes; finance, service and workplace theirs).
The customer page shows the sections and ``GET /api/v1/customers/{id}/summary``
returns their counts and money figures: one registry, so page and API cannot disagree.

A section reads through its module's selectors, so it holds only what the user may
see, and costs one query for its count and figures and one for its rows.
"""

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi.core.permissions import may_open

from . import selectors


@dataclass(frozen=True)
class Figure:
    """A number a section sums up: a count (``money=False``) or an amount of money."""

    key: str
    label: str
    value: object
    money: bool = False
    currency: str = "CNY"
    alert: bool = False  # needs attention (overdue)


@dataclass(frozen=True)
class Row:
    """One record of a section: its label, link and the few facts that matter."""

    label: str
    url: str
    facts: tuple = ()  # short texts (stage, status, dates)
    amount: Decimal | None = None
    alert: bool = False


@dataclass(frozen=True)
class Action:
    label: str
    url: str


@dataclass
class SectionData:
    key: str
    title: str
    count: int
    figures: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    list_url: str = ""
    actions: list = field(default_factory=list)
    template: str = ""
    empty_text: str = ""

    @property
    def headline(self):
        """The figure that sums the section up: one that needs attention, else its first
        amount of money, else its first."""
        return next((f for f in self.figures if f.alert), None) or next((f for f in self.figures if f.money), None) \
            or (self.figures[0] if self.figures else None)


def day(value):
    """A date or a moment as the rows show it (the local day)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return date_format(value, "SHORT_DATE_FORMAT")


class Viewer:
    """The user looking at one customer, with what several sections ask (computed once)."""

    def __init__(self, user, customer):
        self.user = user
        self.customer = customer

    @cached_property
    def can_edit(self):
        return selectors.can_edit(self.user, self.customer)

    def may(self, permission):
        return self.user.has_module_perm(permission)


class Section:
    """One module's part of the customer page. Subclasses set the attributes and fill
    :meth:`records` (the customer's records in the user's scope), and may override
    :meth:`totals`, :meth:`rows`, :meth:`list_url` and :meth:`actions`."""

    key = ""
    title: str | Promise = ""
    order = 100
    permission = ""  # the permission that reads the module's records
    template = "customers/_section_rows.html"
    empty_text = _("None yet.")
    list_url_name = ""  # the module's list, which accepts ?customer=<id>
    create_url_name = ""  # the module's "new …" form for the customer
    create_label: str | Promise = ""
    create_permission = ""  # the permission the form's view asks
    create_path = False  # the form takes the customer in its path, not as ?customer=<id>
    # Loaded by the page after it shows (one request for every lazy section), so a module's
    # part does not add to the page's own queries; the API's summary reads it like any other.
    lazy = False

    def visible(self, user):
        return user.has_module_perm(self.permission)

    def records(self, viewer):
        raise NotImplementedError

    def totals(self, viewer, records):
        """Return (count, [Figure]) in one query; the plain count by default."""
        return records.count(), []

    def rows(self, viewer, records, limit):
        return []

    def list_url(self, viewer):
        return f"{reverse(self.list_url_name)}?customer={viewer.customer.pk}" if self.list_url_name else ""

    def may_create(self, viewer):
        """Whether the form takes this customer, beyond its view's permission."""
        return True

    def actions(self, viewer):
        """The "new …" action, shown on the same check as the form's view."""
        if not (self.create_url_name and viewer.may(self.create_permission) and self.may_create(viewer)):
            return []
        pk = viewer.customer.pk
        url = reverse(self.create_url_name, args=[pk]) if self.create_path else \
            f"{reverse(self.create_url_name)}?customer={pk}"
        return [Action(self.create_label, url)]


_sections = {}


def register(section):
    """Add a module's section (an instance of a :class:`Section` subclass)."""
    _sections[section.key] = section


def sections_for(user, lazy=None):
    """The sections the user may read, in page order (only the lazy or the eager ones
    when ``lazy`` is given)."""
    return sorted((s for s in _sections.values() if s.visible(user) and (lazy is None or s.lazy == lazy)),
                  key=lambda s: (s.order, s.key))


def tally(records, **figures):
    """One query: ``count`` and each named figure, a Q (a filtered count) or an aggregate."""
    return records.aggregate(count=Count("pk"), **{
        name: Count("pk", filter=figure) if isinstance(figure, Q) else figure for name, figure in figures.items()})


def section_data(section, viewer, rows=5):
    """What one section shows of the customer: count, figures and up to ``rows`` rows.

    Links (rows, the list, the "new …" action) are kept only where their view lets the
    user in (``may_open``), so the page never offers a 403."""
    records = section.records(viewer)
    count, figures = section.totals(viewer, records)
    shown = section.rows(viewer, records, rows) if rows and count else []
    list_url = section.list_url(viewer)
    return SectionData(
        key=section.key, title=str(section.title), count=count, figures=figures,
        rows=[replace(row, url="") if isinstance(row, Row) and not may_open(viewer.user, row.url) else row
              for row in shown],
        list_url=list_url if may_open(viewer.user, list_url) else "",
        actions=[action for action in section.actions(viewer) if may_open(viewer.user, action.url)],
        template=section.template, empty_text=str(section.empty_text),
    )


def customer_summary(user, customer, rows=0):
    """Every section the user may read, for the customer page (rows) or the API (none)."""
    viewer = Viewer(user, customer)
    return [section_data(section, viewer, rows=rows) for section in sections_for(user)]
