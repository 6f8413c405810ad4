"""Which campaign an outcome is credited to (MKT-2): first touch and last touch.

An outcome — a lead created, an opportunity created, an order counted, money received —
happens at a moment ``t`` for a lead or a customer. Its campaign is the one of the
**first** (or **last**) touch of that lead or customer in the attribution window
``[t − window, t]`` (setting ``GUANXI_ATTRIBUTION_WINDOW_DAYS``, 180 by default). Leads
are matched by their own touches, everything else by the customer's (a converted lead's
touches follow its customer). Outcomes without a touch in the window are credited to
no campaign. Receipts that were reversed, and the reversals, never count.

Everything is set-based: one query per kind of outcome, each row carrying its credited
campaign as a correlated subquery on the touches' indexes, grouped by that campaign.
No loop over customers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DateField, F, OuterRef, QuerySet, Subquery, Sum, TextChoices
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from guanxi.core.money import fen
from guanxi.core.periods import Period
from guanxi.finance.models import Receipt, ReceiptKind
from guanxi.org.models import User
from guanxi.org.scopes import scoped
from guanxi.sales.models import Lead, Opportunity, Order
from guanxi.sales.targets import COUNTED_ORDERS

from .models import CampaignTouch

ZERO = Decimal("0.00")
DEFAULT_WINDOW_DAYS = 180


class TouchModel(TextChoices):
    FIRST = "first", _("First touch")
    LAST = "last", _("Last touch")


def window_days() -> int:
    """The attribution window in days (setting GUANXI_ATTRIBUTION_WINDOW_DAYS, default 180)."""
    return max(1, int(getattr(settings, "GUANXI_ATTRIBUTION_WINDOW_DAYS", DEFAULT_WINDOW_DAYS)))


def credited_campaign(model: str, *, by: str, at: str, dated: bool, window: int | None = None) -> Subquery:
    """The campaign id credited to each outer row: ``by`` is the outer field naming the lead
    (``"pk"`` of a lead) or the customer; ``at`` the outer field of the outcome's moment,
    a date when ``dated`` (compared with the touch's day) else a moment."""
    days = window_days() if window is None else window
    touches = CampaignTouch.objects.filter(campaign__deleted_at__isnull=True)
    touches = touches.filter(lead=OuterRef(by)) if by == "pk" else touches.filter(customer=OuterRef(by))
    span = datetime.timedelta(days=days)
    if dated:
        touches = touches.filter(touched_on__lte=OuterRef(at),
                                 touched_on__gte=Cast(OuterRef(at) - span, output_field=DateField()))
    else:
        touches = touches.filter(touched_at__lte=OuterRef(at), touched_at__gte=OuterRef(at) - span)
    order = ("touched_at", "pk") if model == TouchModel.FIRST else ("-touched_at", "-pk")
    return Subquery(touches.order_by(*order).values("campaign_id")[:1])


@dataclass
class Outcomes:
    """What one campaign brought under one model."""

    leads: int = 0
    opportunities: int = 0
    opportunity_amount: Decimal = ZERO
    orders: int = 0
    order_amount: Decimal = ZERO
    receipts: int = 0
    received: Decimal = ZERO


def leads_in(user: User, period: Period) -> QuerySet[Lead]:
    start, end = period.aware_range()
    return scoped(Lead.objects.filter(created_at__gte=start, created_at__lt=end), user)


def opportunities_in(user: User, period: Period) -> QuerySet[Opportunity]:
    start, end = period.aware_range()
    return scoped(Opportunity.objects.filter(created_at__gte=start, created_at__lt=end), user)


def orders_in(user: User, period: Period) -> QuerySet[Order]:
    return scoped(Order.objects.filter(status__in=COUNTED_ORDERS, order_date__gte=period.start,
                                       order_date__lt=period.end), user)


def receipts_in(user: User, period: Period) -> QuerySet[Receipt]:
    """Money received in the period that still stands: reversed receipts and reversals drop out."""
    return scoped(Receipt.objects.filter(kind=ReceiptKind.RECEIPT, reversed_by__isnull=True,
                                         received_on__gte=period.start, received_on__lt=period.end), user)


# (outcome, queryset of the period, lead or customer field, moment field, dated, amount field)
OUTCOMES: list[tuple[str, Any, str, str, bool, str | None]] = [
    ("leads", leads_in, "pk", "created_at", False, None),
    ("opportunities", opportunities_in, "customer_id", "created_at", False, "amount"),
    ("orders", orders_in, "customer_id", "order_date", True, "total"),
    ("receipts", receipts_in, "customer_id", "received_on", True, "amount"),
]
AMOUNT_NAMES = {"opportunities": "opportunity_amount", "orders": "order_amount", "receipts": "received"}


def credited(queryset: QuerySet[Any], outcome: str, model: str, window: int | None = None) -> QuerySet[Any]:
    """``queryset`` (of one outcome) annotated with ``credited_to``, the campaign id."""
    _name, _rows, by, at, dated, _amount = next(o for o in OUTCOMES if o[0] == outcome)
    return queryset.annotate(credited_to=credited_campaign(model, by=by, at=at, dated=dated, window=window))


def outcomes_by_campaign(user: User, period: Period, model: str, campaign_ids: Any = None,
                         window: int | None = None) -> dict[int, Outcomes]:
    """``{campaign id: Outcomes}`` of the outcomes in ``period`` that ``user`` may see,
    credited under ``model``; four grouped queries whatever the number of campaigns."""
    found: dict[int, Outcomes] = {}
    for outcome, rows, _by, _at, _dated, amount in OUTCOMES:
        queryset = credited(rows(user, period), outcome, model, window).filter(credited_to__isnull=False)
        if campaign_ids is not None:
            queryset = queryset.filter(credited_to__in=list(campaign_ids))
        figures: dict[str, Any] = {"n": Count("pk")}
        if amount:
            figures["total"] = Coalesce(Sum(F(amount)), ZERO)
        for group in queryset.order_by().values("credited_to").annotate(**figures):
            result = found.setdefault(group["credited_to"], Outcomes())
            setattr(result, outcome, group["n"])
            if amount:
                setattr(result, AMOUNT_NAMES[outcome], fen(group["total"]))
    return found
