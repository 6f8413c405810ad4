"""The rules of dynamic segments (MKT-3, MKT-1).

A rule set is ``{"match": "all"|"any", "conditions": [{"field", "op", "value"}, …]}``.
:func:`rules_q` turns it into ONE ``Q`` over customers: columns are compared in place,
related records (tags, interactions, orders, receivables) through ``EXISTS`` or an
``IN (… GROUP BY … HAVING …)`` subquery, so the database does the work however many
customers there are and "all" is exactly the intersection of the conditions, "any" their
union (no join multiplies rows or ties two conditions to one related row).

Fields live in a registry (:func:`register_field`), so a module adds its own; each field
has a *kind* that fixes its operators and the shape of its value:

===============  =====================================================  ==========================
kind             operators                                              value
===============  =====================================================  ==========================
choice           eq ne in is_empty                                      "code" / ["code", …]
text             eq ne contains is_empty                                "text"
number, money    eq gt gte lt lte between (is_empty for columns)        "12.5" / ["1", "9"]
date             gt gte lt lte between within_days not_within_days      "YYYY-MM-DD" / [a, b] / days
                 is_empty
boolean          eq                                                     true / false
tags             eq ne in is_empty                                      "name" / ["name", …]
activity         within_days not_within_days                            {"of": "code"|"", "days": N}
purchase         eq (bought) ne (never bought) in (bought any of)       "id" / ["id", …]
period_amount    gte lte between                                        {"amount": "…"|[a, b], "days": N}
===============  =====================================================  ==========================

Custom fields of customers (``core.custom_fields``) appear as ``custom.<key>``. A wrong
field, operator or value raises :class:`~guanxi.core.errors.ValidationFailed` with a
translated message naming the condition; nothing is saved.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core import custom_fields, picklists
from guanxi.core.errors import ValidationFailed
from guanxi.core.models import CustomFieldType
from guanxi.customers import regions
from guanxi.customers.models import (
    Channel,
    Customer,
    CustomerCategory,
    CustomerKind,
    Gender,
    Interaction,
    LifecycleStage,
)
from guanxi.finance.models import Receivable
from guanxi.org.models import Branch, User
from guanxi.sales.models import Order, OrderLine, Product
from guanxi.sales.targets import COUNTED_ORDERS

CUSTOMER_ENTITY = "customers.customer"
MAX_CONDITIONS = 20
MAX_DAYS = 3660
MAX_LIST = 200
MATCH_CHOICES = [("all", gettext_lazy("all conditions")), ("any", gettext_lazy("any condition"))]

OP_LABELS = {
    "eq": gettext_lazy("is"), "ne": gettext_lazy("is not"), "in": gettext_lazy("is any of"),
    "contains": gettext_lazy("contains"), "gt": gettext_lazy("more than"), "gte": gettext_lazy("at least"),
    "lt": gettext_lazy("less than"), "lte": gettext_lazy("at most"), "between": gettext_lazy("between"),
    "within_days": gettext_lazy("in the last N days"), "not_within_days": gettext_lazy("not in the last N days"),
    "is_empty": gettext_lazy("is empty"),
}
# Dates read better as before/after; purchases as bought/never bought.
KIND_OP_LABELS = {
    "date": {"gt": gettext_lazy("after"), "gte": gettext_lazy("on or after"), "lt": gettext_lazy("before"),
             "lte": gettext_lazy("on or before")},
    "purchase": {"eq": gettext_lazy("bought"), "ne": gettext_lazy("never bought"),
                 "in": gettext_lazy("bought any of")},
    "tags": {"eq": gettext_lazy("has tag"), "ne": gettext_lazy("does not have tag"),
             "in": gettext_lazy("has any of the tags"), "is_empty": gettext_lazy("has no tags")},
    "activity": {"within_days": gettext_lazy("had one in the last N days"),
                 "not_within_days": gettext_lazy("had none in the last N days")},
}
KIND_OPS: dict[str, tuple[str, ...]] = {
    "choice": ("eq", "ne", "in", "is_empty"),
    "text": ("eq", "ne", "contains", "is_empty"),
    "number": ("eq", "gt", "gte", "lt", "lte", "between", "is_empty"),
    "money": ("gt", "gte", "lt", "lte", "between"),
    "date": ("gt", "gte", "lt", "lte", "between", "within_days", "not_within_days", "is_empty"),
    "boolean": ("eq",),
    "tags": ("eq", "ne", "in", "is_empty"),
    "activity": ("within_days", "not_within_days"),
    "purchase": ("eq", "ne", "in"),
    "period_amount": ("gte", "lte", "between"),
}
COMPARE = {"eq": operator.eq, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}

BuildQ = Callable[[str, Any], Q]
Choices = Callable[[], Sequence[tuple[Any, Any]]]


@dataclass(frozen=True)
class RuleField:
    """A field conditions may test: its key, label, kind, group and how it becomes a Q."""

    key: str
    label: str | Promise
    kind: str
    build_q: BuildQ
    choices: Choices | None = None
    group: str | Promise = ""
    ops: tuple[str, ...] = ()
    choice_label: str | Promise = ""  # activity: what "of" chooses (a channel)

    @property
    def operators(self) -> tuple[str, ...]:
        return self.ops or KIND_OPS[self.kind]

    def op_label(self, op: str) -> str:
        return str(KIND_OP_LABELS.get(self.kind, {}).get(op) or OP_LABELS[op])

    def choice_list(self) -> list[tuple[str, str]]:
        return [(str(value), str(label)) for value, label in (self.choices() if self.choices else [])]


_fields: dict[str, RuleField] = {}


def register_field(key: str, label: str | Promise, kind: str, build_q: BuildQ, *, choices: Choices | None = None,
                   group: str | Promise = "", ops: Sequence[str] = (), choice_label: str | Promise = "") -> None:
    """Add a field the rule builder offers (another module may add its own)."""
    if kind not in KIND_OPS:
        raise ValueError(f"unknown kind {kind}")
    _fields[key] = RuleField(key, label, kind, build_q, choices, group, tuple(ops), choice_label)


def fields() -> list[RuleField]:
    """Every field, registered ones first, then the customers' active custom fields."""
    return [*_fields.values(), *_custom_fields()]


def field_for(key: str) -> RuleField | None:
    if key.startswith("custom."):
        return next((f for f in _custom_fields() if f.key == key), None)
    return _fields.get(key)


# --- validation -------------------------------------------------------------------------
def _fail(index: int | None, message: str) -> ValidationFailed:
    text = message if index is None else _("Condition %(n)d: %(problem)s") % {"n": index + 1, "problem": message}
    return ValidationFailed(text, field="rules")


def validate(rules: Any) -> dict[str, Any]:
    """Return ``rules`` cleaned (values in their stored form), or raise ValidationFailed."""
    if rules in (None, ""):
        rules = {}
    if not isinstance(rules, dict):
        raise _fail(None, _("Rules must be an object with “match” and “conditions”."))
    unknown = set(rules) - {"match", "conditions"}
    if unknown:
        raise _fail(None, _("Unknown key in the rules: %(key)s.") % {"key": ", ".join(sorted(map(str, unknown)))})
    match = rules.get("match", "all")
    if match not in ("all", "any"):
        raise _fail(None, _("“match” must be “all” or “any”."))
    conditions = rules.get("conditions", [])
    if not isinstance(conditions, list):
        raise _fail(None, _("“conditions” must be a list."))
    if len(conditions) > MAX_CONDITIONS:
        raise _fail(None, _("At most %(n)d conditions.") % {"n": MAX_CONDITIONS})
    return {"match": match, "conditions": [_clean_condition(i, c) for i, c in enumerate(conditions)]}


def _clean_condition(index: int, condition: Any) -> dict[str, Any]:
    if not isinstance(condition, dict) or set(condition) - {"field", "op", "value"}:
        raise _fail(index, _("A condition has exactly “field”, “op” and “value”."))
    spec = field_for(str(condition.get("field", "")))
    if spec is None:
        raise _fail(index, _("Unknown field “%(field)s”.") % {"field": condition.get("field", "")})
    op = condition.get("op")
    if op not in spec.operators:
        raise _fail(index, _("“%(field)s” cannot be compared with “%(op)s”.") % {"field": spec.label, "op": op})
    try:
        value = _clean_value(spec, op, condition.get("value"))
    except ValueError as exc:
        raise _fail(index, f"{spec.label}: {exc}") from None
    return {"field": spec.key, "op": op, "value": value}


def _number(raw: Any) -> Decimal:
    try:
        number = Decimal(str(raw).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValueError(_("Enter a number.")) from None
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise ValueError(_("Enter a number."))
    return number


def _days(raw: Any) -> int:
    try:
        days = int(str(raw).strip())
    except ValueError:
        raise ValueError(_("Enter a number of days.")) from None
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(_("Enter between 1 and %(max)d days.") % {"max": MAX_DAYS})
    return days


def _day(raw: Any) -> str:
    try:
        return datetime.date.fromisoformat(str(raw).strip()[:10]).isoformat()
    except ValueError:
        raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None


def _pair(raw: Any, clean: Callable[[Any], Any]) -> list[Any]:
    """Two values, from ≤ to (``clean`` returns comparable values: Decimals or ISO dates)."""
    if not isinstance(raw, (list, tuple)) or len(raw) != 2:
        raise ValueError(_("Enter two values: from and to."))
    low, high = clean(raw[0]), clean(raw[1])
    if low > high:
        raise ValueError(_("The first value must not be greater than the second."))
    return [low, high]


def _one_choice(spec: RuleField, raw: Any) -> str:
    allowed = {value for value, _label in spec.choice_list()}
    if str(raw) not in allowed:
        raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": raw})
    return str(raw)


def _many(raw: Any, clean: Callable[[Any], str]) -> list[str]:
    if not isinstance(raw, (list, tuple)) or not raw:
        raise ValueError(_("Choose at least one value."))
    if len(raw) > MAX_LIST:
        raise ValueError(_("At most %(n)d values.") % {"n": MAX_LIST})
    return sorted({clean(v) for v in raw})


def _tag(raw: Any) -> str:
    text = str(raw or "").strip()
    if not text or len(text) > 30:
        raise ValueError(_("Enter a tag of 1 to 30 characters."))
    return text


def _number_value(op: str, raw: Any) -> Any:
    if op == "between":
        return [str(v) for v in _pair(raw, _number)]
    return str(_number(raw))


def _clean_value(spec: RuleField, op: str, raw: Any) -> Any:  # noqa: C901 - one branch per kind
    kind = spec.kind
    if op == "is_empty":
        if raw in (None, "", True, "true", "1", 1):
            return True
        if raw in (False, "false", "0", 0):
            return False
        raise ValueError(_("Enter true or false."))
    if kind in ("choice", "purchase"):
        return _many(raw, lambda v: _one_choice(spec, v)) if op == "in" else _one_choice(spec, raw)
    if kind == "tags":
        return _many(raw, _tag) if op == "in" else _tag(raw)
    if kind == "text":
        text = str(raw or "").strip()
        if not text or len(text) > 200:
            raise ValueError(_("Enter a text of 1 to 200 characters."))
        return text
    if kind in ("number", "money"):
        return _number_value(op, raw)
    if kind == "date":
        if op in ("within_days", "not_within_days"):
            return _days(raw)
        return _pair(raw, _day) if op == "between" else _day(raw)
    if kind == "boolean":
        if raw in (True, "true", "1", 1):
            return True
        if raw in (False, "false", "0", 0):
            return False
        raise ValueError(_("Enter true or false."))
    if not isinstance(raw, dict):
        raise ValueError(_("This value needs its parts (a number of days)."))
    if kind == "activity":
        of = str(raw.get("of") or "")
        return {"of": _one_choice(spec, of) if of else "", "days": _days(raw.get("days"))}
    # period_amount
    return {"amount": _number_value(op, raw.get("amount")), "days": _days(raw.get("days"))}


# --- the query ---------------------------------------------------------------------------
def rules_q(rules: Any) -> Q:
    """The one filter of ``rules`` (validated first); no conditions matches everyone."""
    cleaned = validate(rules)
    parts = [field_for(c["field"]).build_q(c["op"], c["value"])  # type: ignore[union-attr]
             for c in cleaned["conditions"]]
    if not parts:
        return Q()
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part if cleaned["match"] == "all" else combined | part
    return combined


def customers_matching(queryset: QuerySet[Customer], rules: dict[str, Any]) -> QuerySet[Customer]:
    """Narrow a customer queryset by ``rules`` (a ValidationFailed for bad rules)."""
    return queryset.filter(rules_q(rules))


def describe(rules: dict[str, Any]) -> list[str]:
    """The conditions in words, for the segment's page ("Industry is any of 制造, 零售")."""
    lines = []
    for condition in (rules or {}).get("conditions", []):
        spec = field_for(condition.get("field", ""))
        if spec is None:
            lines.append(_("Unknown field “%(field)s”.") % {"field": condition.get("field")})
            continue
        lines.append(f"{spec.label} {spec.op_label(condition['op'])} {_value_words(spec, condition)}".strip())
    return lines


def _value_words(spec: RuleField, condition: dict[str, Any]) -> str:
    value, op = condition.get("value"), condition["op"]
    if op == "is_empty":
        return "" if value else _("(not)")
    labels = dict(spec.choice_list())
    if isinstance(value, dict):
        of = labels.get(value.get("of", ""), "") if "of" in value else ""
        amount = value.get("amount")
        amount_text = " – ".join(amount) if isinstance(amount, list) else (amount or "")
        days = _("%(n)d days") % {"n": value["days"]}
        return " · ".join(part for part in (of, amount_text, days) if part)
    if isinstance(value, list):
        return (" – " if op == "between" else "、").join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if op in ("within_days", "not_within_days"):
        return _("%(n)d days") % {"n": value}
    return labels.get(str(value), str(value))


# --- builders ----------------------------------------------------------------------------
def local_start(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the local time zone (an index-friendly bound)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def days_ago(days: int) -> datetime.datetime:
    return local_start(timezone.localdate() - datetime.timedelta(days=days - 1))


def _date_bounds(path: str, op: str, value: Any, moment: bool) -> Q:
    """gt/gte/lt/lte/between on a date column as range bounds (``moment``: a DateTimeField,
    compared with local midnights so its index serves)."""

    def start(day: str, after: bool = False) -> Any:
        parsed = datetime.date.fromisoformat(day) + datetime.timedelta(days=1 if after else 0)
        return local_start(parsed) if moment else parsed

    if op == "between":
        return Q(**{f"{path}__gte": start(value[0]), f"{path}__lt": start(value[1], True)})
    bound = {"gt": ("gte", True), "gte": ("gte", False), "lt": ("lt", False), "lte": ("lt", True)}[op]
    return Q(**{f"{path}__{bound[0]}": start(value, bound[1])})


def column(path: str, *, moment: bool = False, date: bool = False, empty: Q | None = None,
           convert: Callable[[Any], Any] = lambda v: v) -> BuildQ:
    """The builder of a plain customer column (``date``: a DateField, ``moment``: a DateTimeField)."""
    empty_q = empty if empty is not None else Q(**{f"{path}__isnull": True})

    def build(op: str, value: Any) -> Q:
        if op == "is_empty":
            return empty_q if value else ~empty_q
        if op == "eq":
            return Q(**{path: convert(value)})
        if op == "ne":
            return ~Q(**{path: convert(value)})
        if op == "in":
            return Q(**{f"{path}__in": [convert(v) for v in value]})
        if op == "contains":
            return Q(**{f"{path}__icontains": value})
        if op in ("within_days", "not_within_days"):
            since = days_ago(value) if moment else timezone.localdate() - datetime.timedelta(days=value - 1)
            recent = Q(**{f"{path}__gte": since})
            return recent if op == "within_days" else ~recent
        if date or moment:
            return _date_bounds(path, op, value, moment)
        if op == "between":
            return Q(**{f"{path}__gte": Decimal(value[0]), f"{path}__lte": Decimal(value[1])})
        return Q(**{f"{path}__{op}": Decimal(value)})

    return build


def pick_column(path: str, list_key: str) -> tuple[BuildQ, Choices]:
    """A pick-list column chosen by item code (stable across installations)."""

    def to_pk(code: Any) -> int:
        item = next((i for i in picklists.active(list_key) if i.code == code), None)
        return item.pk if item is not None else 0

    def choices() -> list[tuple[str, str]]:
        return [(item.code, item.name) for item in picklists.active(list_key)]

    return column(f"{path}_id", convert=to_pk), choices


def related_exists(rows: Callable[[Any], QuerySet[Any]], link: str = "customer") -> BuildQ:
    """``eq``/``in``: the customer has a related row for the value; ``ne``: has none."""

    def build(op: str, value: Any) -> Q:
        if op == "is_empty":
            has_any = Exists(rows(None).filter(**{link: OuterRef("pk")}))
            return ~Q(has_any) if value else Q(has_any)
        found = Exists(rows(value if op != "in" else list(value)).filter(**{link: OuterRef("pk")}))
        return ~Q(found) if op == "ne" else Q(found)

    return build


def summed(rows: Callable[[Any], QuerySet[Any]], amount: Any, link: str = "customer_id") -> Callable[[str, Any], Q]:
    """Compare the per-customer sum of ``amount`` over ``rows(value)`` (0 without rows):
    customers with rows are grouped once (GROUP BY … HAVING), the others count as 0."""

    def build(op: str, bound: Any, value: Any = None) -> Q:
        totals = rows(value).values(link).annotate(total=Sum(amount))
        if op == "between":
            condition = Q(total__gte=Decimal(bound[0]), total__lte=Decimal(bound[1]))
            zero_matches = Decimal(bound[0]) <= 0 <= Decimal(bound[1])
        else:
            condition = Q(**{f"total__{op}" if op != "eq" else "total": Decimal(bound)})
            zero_matches = COMPARE[op](Decimal(0), Decimal(bound))
        if zero_matches:
            return ~Q(pk__in=totals.exclude(condition).values(link))
        return Q(pk__in=totals.filter(condition).values(link))

    return build


def _age_q(op: str, value: Any) -> Q:
    """Age in whole years from the birthday: age ≥ n ⇔ born on or before today − n years."""
    today = timezone.localdate()

    def born_by(years: int) -> datetime.date:  # the last birthday of someone aged ``years`` today
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    def at_least(n: int) -> Q:
        return Q(birthday__lte=born_by(n))

    def at_most(n: int) -> Q:
        return Q(birthday__gt=born_by(n + 1))

    if op == "is_empty":
        return Q(birthday__isnull=True) if value else Q(birthday__isnull=False)
    if op == "between":
        return at_least(int(Decimal(value[0]))) & at_most(int(Decimal(value[1])))
    n = int(Decimal(value))
    return {"eq": lambda: at_least(n) & at_most(n), "gt": lambda: at_least(n + 1), "gte": lambda: at_least(n),
            "lt": lambda: at_most(n - 1), "lte": lambda: at_most(n)}[op]()


def _counted_orders() -> QuerySet[Order]:
    return Order.objects.filter(status__in=COUNTED_ORDERS)


def _ordered_q(op: str, days: int) -> Q:
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    recent = Exists(_counted_orders().filter(customer=OuterRef("pk"), order_date__gte=since))
    return Q(recent) if op == "within_days" else ~Q(recent)


def _activity_q(op: str, value: dict[str, Any]) -> Q:
    rows = Interaction.objects.filter(customer=OuterRef("pk"), occurred_at__gte=days_ago(value["days"]))
    if value["of"]:
        rows = rows.filter(channel=value["of"])
    return Q(Exists(rows)) if op == "within_days" else ~Q(Exists(rows))


def _lines(**lookups: Any) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(order__status__in=COUNTED_ORDERS, **lookups)


def _product_rows(value: Any) -> QuerySet[OrderLine]:
    if value is None:
        return _lines()
    ids = [int(v) for v in value] if isinstance(value, list) else [int(value)]
    return _lines(product_id__in=ids)


def _category_rows(value: Any) -> QuerySet[OrderLine]:
    codes = value if isinstance(value, list) else [value]
    return _lines(product__category__list_key="sales.product_category", product__category__code__in=codes)


def _order_total_q(op: str, value: dict[str, Any]) -> Q:
    since = timezone.localdate() - datetime.timedelta(days=value["days"] - 1)
    build = summed(lambda _v: _counted_orders().filter(order_date__gte=since), F("total"))
    return build(op, value["amount"])


def _overdue_q(op: str, value: Any) -> Q:
    build = summed(lambda _v: Receivable.objects.filter(Receivable.overdue_q()), F("amount") - F("allocated"))
    return build(op, value)


def _tag_rows(value: Any) -> QuerySet[Any]:
    rows = Customer.tags.through.objects.all()
    if value is None:
        return rows
    return rows.filter(tag__name__in=value if isinstance(value, list) else [value])


def _pool_q(op: str, value: bool) -> Q:
    return Q(owner__isnull=value)


def _owner_choices() -> list[tuple[str, str]]:
    return [(str(pk), name or username) for pk, name, username in
            User.objects.filter(is_active=True).order_by("display_name", "pk")
            .values_list("pk", "display_name", "username")]


def _branch_choices() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Branch.objects.order_by("pk").values_list("pk", "name")]


def _city_choices() -> list[tuple[str, str]]:
    return [city for code, _name in regions.provinces() for city in regions.children(code)]


def _product_choices() -> list[tuple[str, str]]:
    return [(str(pk), f"{sku} {name}") for pk, sku, name in
            Product.objects.order_by("sku").values_list("pk", "sku", "name")]


def _int(value: Any) -> int:
    return int(value)


def _custom_fields() -> list[RuleField]:
    """One rule field per active custom field of customers (``custom.<key>``)."""
    found = []
    for definition in custom_fields.definitions(CUSTOMER_ENTITY):
        key, kind = definition.key, definition.field_type
        path = f"custom__{key}"
        empty = Q(**{f"{path}__isnull": True}) | Q(**{path: ""}) | Q(**{path: []})
        options = [(o, o) for o in definition.options]
        if kind in (CustomFieldType.CHOICE, CustomFieldType.MULTI):
            found.append(RuleField(f"custom.{key}", definition.label, "choice", _custom_choice(path, kind, empty),
                                   functools.partial(list, options), _("Custom fields")))
        elif kind == CustomFieldType.NUMBER:
            found.append(RuleField(f"custom.{key}", definition.label, "number", _custom_compare(path, empty, True),
                                   None, _("Custom fields")))
        elif kind == CustomFieldType.DATE:
            found.append(RuleField(f"custom.{key}", definition.label, "date", _custom_compare(path, empty, False),
                                   None, _("Custom fields"), ("gt", "gte", "lt", "lte", "between", "is_empty")))
        else:
            found.append(RuleField(f"custom.{key}", definition.label, "text", column(path, empty=empty), None,
                                   _("Custom fields")))
    return found


def _custom_choice(path: str, kind: str, empty: Q) -> BuildQ:
    def one(value: str) -> Q:
        if kind == CustomFieldType.MULTI:  # a JSON list: the quoted value inside it
            return Q(**{f"{path}__icontains": f'"{value}"'})
        return Q(**{path: value})

    def build(op: str, value: Any) -> Q:
        if op == "is_empty":
            return empty if value else ~empty
        if op == "in":
            combined = Q()
            for v in value:
                combined |= one(v)
            return combined
        return ~one(value) if op == "ne" else one(value)

    return build


def _custom_compare(path: str, empty: Q, numeric: bool) -> BuildQ:
    """Numbers and dates are stored as text in the JSON: compare them cast (numbers) or as
    ISO text (dates, which sort as text)."""
    lookups = {"gt": GreaterThan, "gte": GreaterThanOrEqual, "lt": LessThan, "lte": LessThanOrEqual}

    def expr() -> Any:
        text = KT(path)
        return Cast(text, DecimalField(max_digits=30, decimal_places=6)) if numeric else text

    def bound(value: str) -> Any:
        return Decimal(value) if numeric else value

    def build(op: str, value: Any) -> Q:
        if op == "is_empty":
            return empty if value else ~empty
        present = ~empty
        if op == "between":
            return present & Q(GreaterThanOrEqual(expr(), bound(value[0]))) & Q(LessThanOrEqual(expr(), bound(value[1])))
        if op == "eq":
            return present & Q(GreaterThanOrEqual(expr(), bound(value))) & Q(LessThanOrEqual(expr(), bound(value)))
        return present & Q(lookups[op](expr(), bound(value)))

    return build


def register_defaults() -> None:
    """The fields of customers, their activity, orders and receivables (wired at start)."""
    profile, activity, buying = gettext_lazy("Profile"), gettext_lazy("Activity"), gettext_lazy("Orders and money")
    industry_q, industries = pick_column("industry", "customers.industry")
    source_q, sources = pick_column("source", "customers.source")
    level_q, levels = pick_column("level", "customers.level")
    blank = Q(value_tier="")
    defaults: list[tuple[str, Any, str, Any, Any, Any]] = [
        ("kind", gettext_lazy("Type"), "choice", column("kind"), lambda: CustomerKind.choices, profile),
        ("category", gettext_lazy("Category"), "choice", column("category"), lambda: CustomerCategory.choices,
         profile),
        ("industry", gettext_lazy("Industry"), "choice", industry_q, industries, profile),
        ("source", gettext_lazy("Source"), "choice", source_q, sources, profile),
        ("level", gettext_lazy("Level"), "choice", level_q, levels, profile),
        ("province", gettext_lazy("Province"), "choice", column("province", empty=Q(province="")),
         regions.provinces, profile),
        ("city", gettext_lazy("City"), "choice", column("city", empty=Q(city="")), _city_choices, profile),
        ("occupation", gettext_lazy("Occupation"), "text", column("occupation", empty=Q(occupation="")), None,
         profile),
        ("gender", gettext_lazy("Gender"), "choice", column("gender", empty=Q(gender="")),
         lambda: [c for c in Gender.choices if c[0]], profile),
        ("age", gettext_lazy("Age"), "number", _age_q, None, profile),
        ("value_tier", gettext_lazy("Value tier"), "choice", column("value_tier", empty=blank),
         lambda: [(t, t) for t in "ABCD"], profile),
        ("lifecycle_stage", gettext_lazy("Lifecycle stage"), "choice", column("lifecycle_stage"),
         lambda: LifecycleStage.choices, profile),
        ("owner", gettext_lazy("Owner"), "choice", column("owner_id", convert=_int), _owner_choices, profile),
        ("branch", gettext_lazy("Branch"), "choice", column("branch_id", convert=_int), _branch_choices, profile),
        ("in_pool", gettext_lazy("In the public pool"), "boolean", _pool_q, None, profile),
        ("created_at", gettext_lazy("Created"), "date", column("created_at", moment=True), None, profile),
        ("credit_limit", gettext_lazy("Credit limit"), "money", column("credit_limit"), None, profile),
        ("tags", gettext_lazy("Tags"), "tags", related_exists(_tag_rows), None, profile),
        ("last_contacted_at", gettext_lazy("Last contact"), "date", column("last_contacted_at", moment=True), None,
         activity),
        ("interaction", gettext_lazy("Interaction"), "activity", _activity_q, lambda: Channel.choices, activity),
        ("ordered", gettext_lazy("Ordered"), "date", _ordered_q, None, buying),
        ("product", gettext_lazy("Product"), "purchase", related_exists(_product_rows, "order__customer"),
         _product_choices, buying),
        ("product_category", gettext_lazy("Product category"), "purchase",
         related_exists(_category_rows, "order__customer"),
         lambda: [(i.code, i.name) for i in picklists.active("sales.product_category")], buying),
        ("order_total", gettext_lazy("Order total in a period"), "period_amount", _order_total_q, None, buying),
        ("overdue_receivables", gettext_lazy("Overdue receivables"), "money", _overdue_q, None, buying),
    ]
    for key, label, kind, build, choices, group in defaults:
        ops: tuple[str, ...] = ()
        if key == "ordered":
            ops = ("within_days", "not_within_days")
        elif key == "age":
            ops = ("eq", "gt", "gte", "lt", "lte", "between", "is_empty")
        register_field(key, label, kind, build, choices=choices, group=group, ops=ops,
                       choice_label=gettext_lazy("Channel") if kind == "activity" else "")
