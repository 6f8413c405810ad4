"""Target groups (MKT-1): who the customers are, by industry, occupation, age band,
province, value tier and lifecycle stage — counts, share and sales of the last 12 months
per group, and a cross-tab of two dimensions.

Everything is counted by the database (one GROUP BY over the customers in the user's
scope, one over their counted orders), never by loading customers into Python. Each
group links to the customer list filtered to it (``Group.drill``): the list applies the
same condition (``wiring_capture`` registers the filters the customer list lacks)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import (
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi.core import picklists
from guanxi.customers import regions
from guanxi.customers.models import Contact, Customer, LifecycleStage
from guanxi.customers.selectors import customers_visible_to
from guanxi.sales.selectors import orders_visible_to
from guanxi.sales.targets import COUNTED_ORDERS

NOT_GIVEN = "∅"  # the key of "not given" in drill links: never a real value
# Age bands: (code, label, youngest age, oldest age); the last has no upper bound.
AGE_BANDS = [
    ("u25", _("Under 25"), 0, 24),
    ("25_34", _("25–34"), 25, 34),
    ("35_44", _("35–44"), 35, 44),
    ("45_54", _("45–54"), 45, 54),
    ("55p", _("55 and over"), 55, None),
]


def _years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def age_band_q(code: str, today: datetime.date, birthday: str = "birthday") -> Q:
    """Customers whose age (from ``birthday``) falls in the band ``code``."""
    for band, _label, youngest, oldest in AGE_BANDS:
        if band == code:
            condition = Q(**{f"{birthday}__lte": _years_ago(today, youngest)})
            if oldest is not None:
                condition &= Q(**{f"{birthday}__gt": _years_ago(today, oldest + 1)})
            return condition
    raise ValueError(code)


def _birthday(prefix: str) -> Any:
    """The customer's birthday, else the main contact's (a company's person to reach)."""
    main_contact = Contact.objects.filter(customer=OuterRef(f"{prefix}pk"), is_primary=True,
                                          birthday__isnull=False).values("birthday")[:1]
    return Coalesce(F(f"{prefix}birthday"), Subquery(main_contact))


@dataclass(frozen=True)
class Dimension:
    """One way to group customers: the expression of its key and the names of keys."""

    code: str
    label: Promise
    key: Callable[[str, datetime.date], Any]  # (path prefix to the customer, today) -> expression
    names: Callable[[], dict[str, str]]  # key -> label, for the keys that have a name
    drill: str = ""  # the customer list's filter of this dimension

    def name(self, key: str, names: dict[str, str]) -> str:
        if key in ("", None):
            return str(_("Not given"))
        return str(names.get(str(key), key))


def _age_key(prefix: str, today: datetime.date) -> Any:
    # Grouped by the birthday itself (a few thousand distinct days), banded in Python
    # (``age_band_of``): a CASE would repeat the main contact's subquery once per band.
    return _birthday(prefix)


def age_band_of(birthday: datetime.date | None, today: datetime.date) -> str:
    """The band code of ``birthday`` ("" for none)."""
    if birthday is None:
        return ""
    for code, _label, youngest, oldest in AGE_BANDS:
        if birthday <= _years_ago(today, youngest) and (oldest is None or birthday > _years_ago(today, oldest + 1)):
            return code
    return ""


DIMENSIONS: dict[str, Dimension] = {
    "industry": Dimension("industry", _("Industry"), lambda p, t: F(f"{p}industry_id"),
                          lambda: {str(pk): name for pk, name in picklists.choices("customers.industry")},
                          drill="industry"),
    "occupation": Dimension("occupation", _("Occupation"), lambda p, t: F(f"{p}occupation"), dict,
                            drill="occupation"),
    "age": Dimension("age", _("Age band"), _age_key, lambda: {code: str(label) for code, label, *_r in AGE_BANDS},
                     drill="age"),
    "region": Dimension("region", _("Province"), lambda p, t: F(f"{p}province"),
                        lambda: dict(regions.provinces()), drill="province"),
    "value_tier": Dimension("value_tier", _("Value tier"), lambda p, t: F(f"{p}value_tier"),
                            lambda: {t: t for t in "ABCD"}, drill="value_tier"),
    "stage": Dimension("stage", _("Lifecycle stage"), lambda p, t: F(f"{p}lifecycle_stage"),
                       lambda: {value: str(label) for value, label in LifecycleStage.choices}, drill="stage"),
}
FILTERS = ("branch", "owner", "kind", "level")  # the same names as the customer list's filters


@dataclass
class Group:
    key: str
    label: str
    customers: int
    share: Decimal | None
    sales: Decimal
    drill: str  # the query string of the customer list filtered to this group


@dataclass
class Analysis:
    dimension: Dimension
    groups: list[Group]
    total_customers: int
    total_sales: Decimal
    since: datetime.date


@dataclass
class CrossTab:
    rows: Dimension
    columns: Dimension
    row_keys: list[tuple[str, str]]  # (key, label)
    column_keys: list[tuple[str, str]]
    cells: dict[tuple[str, str], int]

    def matrix(self) -> list[list[int | None]]:
        return [[self.cells.get((r, c)) for c, _n in self.column_keys] for r, _l in self.row_keys]


def _filtered(queryset: QuerySet[Any], filters: dict[str, Any], prefix: str = "") -> QuerySet[Any]:
    lookups = {"branch": "branch_id", "owner": "owner_id", "kind": "kind", "level": "level_id"}
    narrowed = {f"{prefix}{lookups[k]}": v for k, v in filters.items() if k in lookups and v not in (None, "")}
    return queryset.filter(**narrowed)


def _keyed(queryset: QuerySet[Any], dimension: Dimension, prefix: str, today: datetime.date) -> QuerySet[Any]:
    return queryset.annotate(_key=dimension.key(prefix, today))


def _key_of(dimension: Dimension, raw: Any, today: datetime.date) -> str:
    """The group of a grouped value (the age band of a birthday; the value itself otherwise)."""
    if dimension.code == "age":
        return age_band_of(raw, today)
    return str(raw or "")


def _add(totals: dict[Any, Any], key: Any, value: Any) -> None:
    totals[key] = totals.get(key, 0) + value


def customers_in_scope(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Customer]:
    """The customers the analysis counts: the user's, narrowed by ``filters``."""
    return _filtered(customers_visible_to(user).prefetch_related(None), filters or {})


DRILL_NAMES = {"branch": "branch", "owner": "owner_user", "kind": "kind", "level": "level"}


def _drill(dimension: Dimension, key: str, filters: dict[str, Any]) -> str:
    """The customer list's query string for one group ("" when the list cannot show it)."""
    if key in ("", None) and dimension.code not in ("occupation", "age"):
        return ""
    parts = [(DRILL_NAMES[name], str(value)) for name, value in sorted(filters.items()) if value not in (None, "")]
    parts.append((dimension.drill, key if key not in ("", None) else NOT_GIVEN))
    return urlencode(parts)


def analyse(user: Any, dimension_code: str, filters: dict[str, Any] | None = None,
            today: datetime.date | None = None) -> Analysis:
    """Customers per group of ``dimension_code``: count, share, sales of the last 12 months."""
    dimension = DIMENSIONS[dimension_code]
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS and v not in (None, "")}
    today = today or timezone.localdate()
    since = _years_ago(today, 1)
    customers = customers_in_scope(user, filters)
    counts: dict[str, int] = {}
    for row in _keyed(customers, dimension, "", today).values("_key").annotate(n=Count("id")).order_by():
        _add(counts, _key_of(dimension, row["_key"], today), row["n"])
    orders = orders_visible_to(user).prefetch_related(None).filter(
        status__in=COUNTED_ORDERS, order_date__gt=since, order_date__lte=today,
        customer_id__in=customers.values("pk"))
    sales: dict[str, Decimal] = {}
    for row in _keyed(orders, dimension, "customer__", today).values("_key").annotate(s=Sum("total")).order_by():
        _add(sales, _key_of(dimension, row["_key"], today), row["s"] or Decimal("0"))
    total = sum(counts.values())
    names = dimension.names()
    keys = sorted(set(counts) | set(sales), key=lambda k: (-counts.get(k, 0), k == "", k))
    groups = [Group(key=k, label=dimension.name(k, names), customers=counts.get(k, 0),
                    share=(Decimal(100 * counts.get(k, 0)) / total).quantize(Decimal("0.1")) if total else None,
                    sales=sales.get(k, Decimal("0")), drill=_drill(dimension, k, filters)) for k in keys]
    return Analysis(dimension, groups, total, sum((g.sales for g in groups), Decimal("0")), since)


def cross_tab(user: Any, rows_code: str, columns_code: str, filters: dict[str, Any] | None = None,
              today: datetime.date | None = None) -> CrossTab:
    """Customers per pair of groups of two dimensions (one GROUP BY)."""
    rows, columns = DIMENSIONS[rows_code], DIMENSIONS[columns_code]
    today = today or timezone.localdate()
    customers = customers_in_scope(user, {k: v for k, v in (filters or {}).items() if k in FILTERS})
    keyed = _keyed(customers, rows, "", today).annotate(_row=F("_key"))
    keyed = _keyed(keyed, columns, "", today)
    cells: dict[tuple[str, str], int] = {}
    for r in keyed.values("_row", "_key").annotate(n=Count("id")).order_by():
        _add(cells, (_key_of(rows, r["_row"], today), _key_of(columns, r["_key"], today)), r["n"])
    row_names, column_names = rows.names(), columns.names()

    def ordered(index: int, dimension: Dimension, names: dict[str, str]) -> list[tuple[str, str]]:
        totals: dict[str, int] = {}
        for pair, n in cells.items():
            totals[pair[index]] = totals.get(pair[index], 0) + n
        keys = sorted(totals, key=lambda k: (-totals[k], k == "", k))
        return [(k, dimension.name(k, names)) for k in keys]

    return CrossTab(rows, columns, ordered(0, rows, row_names), ordered(1, columns, column_names), cells)


# --- the two filters the customer list lacks (registered by wiring_capture) -----------------
def occupation_filter(queryset: QuerySet[Any], raw: str, request: Any) -> QuerySet[Any]:
    return queryset.filter(occupation="" if raw == NOT_GIVEN else raw)


def age_filter(queryset: QuerySet[Any], raw: str, request: Any) -> QuerySet[Any] | None:
    today = timezone.localdate()
    annotated = queryset.annotate(_bd=_birthday(""))
    if raw == NOT_GIVEN:
        return annotated.filter(_bd__isnull=True)
    return annotated.filter(age_band_q(raw, today, "_bd"))


def owner_filter(queryset: QuerySet[Any], raw: str, request: Any) -> QuerySet[Any] | None:
    return queryset.filter(owner_id=int(raw)) if raw.isdigit() else None


def age_choices(request: Any = None) -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label, *_rest in AGE_BANDS] + [(NOT_GIVEN, str(_("Not given")))]
