"""Measures: the one definition of every figure analytics shows (ANA-7…11).

A measure is a named figure over a period, read through the viewer's scope, optionally
split by branch, department or person. The home dashboard's widgets, the periodic
decision-support report, scorecards and quality alerts all read figures here, so a
figure means the same on every page, in every PDF and in the API
(``/api/v1/analytics/measures/{code}``).

A module registers its measures in its ``AppConfig.ready`` (analytics registers the
sales and receipts figures below); ``compute(user, period, by)`` returns
``{group key: value}``, with the key ``None`` when ``by`` is ``None``. Money is
``Decimal``, counts are ``int``, rates are ``Decimal`` percentages.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from guanxi.core.periods import Period
from guanxi.finance.selectors import received_in
from guanxi.org.scopes import scoped

from . import rollups
from .rollups import COUNTED_ORDERS  # noqa: F401  (kept in this module's API)

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)
MONEY_UNIT, COUNT_UNIT, PERCENT_UNIT = "money", "count", "percent"
GROUPS = ("branch", "department", "owner")


@dataclass(frozen=True)
class Measure:
    """``compute(user, period, by)`` → ``{key: value}``; ``drill(period, by, key)`` → the
    address of the list behind a figure (or ``None``)."""

    code: str
    label: str
    unit: str
    compute: Callable
    definition: str = ""
    permission: str | None = None
    groups: tuple = GROUPS
    better: str = "up"  # "up" when more is better, "down" when less is
    drill: Callable | None = None
    tags: tuple = field(default_factory=tuple)

    def value(self, user, period: Period, by: str | None = None) -> dict:
        if by is not None and by not in self.groups:
            raise ValueError(f"{self.code} cannot be split by {by}")
        return self.compute(user, period, by)

    def total(self, user, period: Period):
        return self.value(user, period).get(None, self.zero)

    @property
    def zero(self):
        return 0 if self.unit == COUNT_UNIT else ZERO

    def visible_to(self, user) -> bool:
        return self.permission is None or user.has_module_perm(self.permission)


_registry: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    _registry[measure.code] = measure
    return measure


def get(code: str) -> Measure:
    return _registry[code]


def all_measures() -> list[Measure]:
    return list(_registry.values())


def available(user) -> list[Measure]:
    """The measures ``user`` may read (the measure's permission, if any)."""
    return [measure for measure in _registry.values() if measure.visible_to(user)]


# Group keys of records that carry an owner and a branch.
OWNER_KEYS = {"branch": "branch_id", "department": "owner__department_id", "owner": "owner_id"}


def grouped(queryset, by, aggregate, keys=OWNER_KEYS):
    """``{key: aggregate}`` of ``queryset`` split by ``by`` (one row, key ``None``, when not split)."""
    if by is None:
        return {None: queryset.order_by().aggregate(value=aggregate)["value"]}
    key = keys[by]
    rows = queryset.order_by().values(key).annotate(value=aggregate)
    return {row[key]: row["value"] for row in rows}


def money_sum(path):
    return Coalesce(Sum(path), Value(ZERO), output_field=MONEY)


def counted_orders_in(user, period):
    """The raw records behind ``sales`` and ``orders`` (the drill-down and the rollups' check)."""
    return scoped(rollups.counted_orders().filter(order_date__gte=period.start, order_date__lt=period.end), user)


# The money figures read the daily rollups once built (see rollups.py), else the raw records.
def _sales(user, period, by):
    if rollups.ready():
        return grouped(rollups.days(user, period, "orders_count"), by, money_sum("orders_amount"))
    return grouped(counted_orders_in(user, period), by, money_sum("total"))


def _orders(user, period, by):
    if rollups.ready():
        return grouped(rollups.days(user, period, "orders_count"), by,
                       Coalesce(Sum("orders_count"), Value(0)))
    return grouped(counted_orders_in(user, period), by, Count("pk"))


def _received(user, period, by):
    if rollups.ready():
        return grouped(rollups.days(user, period, "receipts_count"), by, money_sum("received_amount"))
    return grouped(received_in(user, period.start, period.end), by, money_sum("amount"))


register(Measure(
    "sales", _("Sales"), MONEY_UNIT, _sales, permission="sales.view",
    definition=_("Total of confirmed, shipped and completed orders dated in the period (tax included)."),
    tags=("sales",)))
register(Measure(
    "orders", _("Orders"), COUNT_UNIT, _orders, permission="sales.view",
    definition=_("Number of confirmed, shipped and completed orders dated in the period."),
    tags=("sales",)))
register(Measure(
    "received", _("Money received"), MONEY_UNIT, _received, permission="finance.view",
    definition=_("Receipts dated in the period, net of reversals."), tags=("finance",)))
