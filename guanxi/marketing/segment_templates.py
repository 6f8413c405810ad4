"""Segment templates to start from (MKT-3): need-based and value-based rule sets a
marketing user picks on the "new segment" page, then adjusts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi.sales.models import Product


@dataclass(frozen=True)
class SegmentTemplate:
    code: str
    name: str | Promise
    basis: str | Promise  # "value" or "need"
    description: str | Promise

    def rules(self) -> dict[str, Any]:
        return _RULES[self.code]()


def _quarter_start() -> str:
    today = timezone.localdate()
    return datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1).isoformat()


VALUE, NEED = _("Value-based"), _("Need-based")
_RULES: dict[str, Callable[[], dict[str, Any]]] = {
    "high_value_dormant": lambda: {"match": "all", "conditions": [
        {"field": "value_tier", "op": "in", "value": ["A", "B"]},
        {"field": "ordered", "op": "not_within_days", "value": 90}]},
    "new_this_quarter": lambda: {"match": "all", "conditions": [
        {"field": "created_at", "op": "gte", "value": _quarter_start()}]},
    "declining": lambda: {"match": "any", "conditions": [
        {"field": "lifecycle_stage", "op": "in", "value": ["decline", "departure"]}]},
    "vip_by_tier": lambda: {"match": "all", "conditions": [
        {"field": "value_tier", "op": "eq", "value": "A"},
        {"field": "ordered", "op": "within_days", "value": 365}]},
    "big_spenders": lambda: {"match": "all", "conditions": [
        {"field": "order_total", "op": "gte", "value": {"amount": "100000", "days": 365}}]},
    "not_contacted": lambda: {"match": "all", "conditions": [
        {"field": "category", "op": "eq", "value": "customer"},
        {"field": "interaction", "op": "not_within_days", "value": {"of": "", "days": 60}}]},
    "bought_x_never_y": lambda: _cross_sell(),
    "overdue_payers": lambda: {"match": "all", "conditions": [
        {"field": "overdue_receivables", "op": "gt", "value": "0"}]},
    "prospects_no_visit": lambda: {"match": "all", "conditions": [
        {"field": "category", "op": "eq", "value": "prospect"},
        {"field": "interaction", "op": "not_within_days", "value": {"of": "visit", "days": 90}}]},
}

TEMPLATES = [
    SegmentTemplate("high_value_dormant", _("High value, no order in 90 days"), VALUE,
                    _("Tier A or B customers who have not ordered for three months: win them back.")),
    SegmentTemplate("vip_by_tier", _("VIP customers"), VALUE,
                    _("Tier A customers who ordered this year: member prices and early offers.")),
    SegmentTemplate("big_spenders", _("Ordered ¥100,000 or more this year"), VALUE,
                    _("Customers whose confirmed orders of the last 365 days total at least ¥100,000.")),
    SegmentTemplate("declining", _("Declining customers"), VALUE,
                    _("Customers in the decline or departure stage of their lifecycle.")),
    SegmentTemplate("new_this_quarter", _("New customers this quarter"), NEED,
                    _("Customers created since the start of the quarter: welcome and onboarding.")),
    SegmentTemplate("not_contacted", _("Customers not contacted in 60 days"), NEED,
                    _("Signed customers nobody has talked to for two months.")),
    SegmentTemplate("prospects_no_visit", _("Prospects never visited in 90 days"), NEED,
                    _("Prospects without an on-site visit for three months.")),
    SegmentTemplate("bought_x_never_y", _("Bought X, never Y"), NEED,
                    _("Customers who bought one product but never another: cross-selling. Choose the two products.")),
    SegmentTemplate("overdue_payers", _("Customers with overdue receivables"), NEED,
                    _("Customers who owe money past its due date: reminders before promotions.")),
]


def template(code: str) -> SegmentTemplate | None:
    return next((t for t in TEMPLATES if t.code == code), None)


def _cross_sell() -> dict[str, Any]:
    """Bought the first product of the catalogue, never the second (the user picks others)."""
    first_two = list(Product.objects.filter(is_active=True).order_by("sku").values_list("pk", flat=True)[:2])
    if len(first_two) < 2:
        return {"match": "all", "conditions": []}
    return bought_x_never_y(first_two[0], first_two[1])


def bought_x_never_y(product_x: int, product_y: int) -> dict[str, Any]:
    """Customers who bought one product and never another (cross-selling)."""
    return {"match": "all", "conditions": [{"field": "product", "op": "eq", "value": str(product_x)},
                                           {"field": "product", "op": "ne", "value": str(product_y)}]}
