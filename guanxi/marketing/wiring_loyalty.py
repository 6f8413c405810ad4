"""Registrations of the loyalty part of marketing (called from MarketingConfig.ready, so
the imports below run once the apps are loaded)."""

import logging

from auditlog.registry import auditlog
from django.utils.translation import gettext_lazy as _

from guanxi.core import navigation, numbering
from guanxi.customers import summary
from guanxi.finance import signals as finance_signals
from guanxi.sales import signals as sales_signals
from guanxi.sales.panels import register_order_panel, register_quote_panel
from guanxi.sales.services import register_price_source

from . import views_loyalty
from .models.loyalty import Coupon, LoyaltySettings, Member, MemberTier, Promotion
from .selectors.loyalty import tier_prices
from .services.loyalty import (
    coupon_use_follows_quote,
    points_earn_for_receipt,
    points_refund_for_cancelled_order,
    points_reverse_for_receipt,
)

logger = logging.getLogger(__name__)


# The receipt is committed when these run: a failure here must not turn the cashier's
# saved receipt into an error page. It is logged, and the nightly job earns what was missed.
def _earn(sender, receipt, **kwargs):
    try:
        points_earn_for_receipt(receipt)
    except Exception:  # noqa: BLE001 - see above
        logger.exception("loyalty: earning points for receipt %s failed", receipt.pk)


def _reverse(sender, receipt, reversal, **kwargs):
    try:
        points_reverse_for_receipt(receipt)
    except Exception:  # noqa: BLE001 - see above
        logger.exception("loyalty: taking back the points of receipt %s failed", receipt.pk)


def _order_cancelled(sender, order, **kwargs):
    points_refund_for_cancelled_order(order)


def _quote_versioned(sender, previous, quote, **kwargs):
    coupon_use_follows_quote(previous=previous, quote=quote)


def _quote_accepted(sender, quote, order, **kwargs):
    coupon_use_follows_quote(previous=quote, order=order)


def connect():
    """Register permissions-checked menu items, search, recycle bin, audit, signals."""
    numbering.register("marketing.member", "VIP", width=8)
    finance_signals.receipt_recorded.connect(_earn, dispatch_uid="loyalty-earn")
    finance_signals.receipt_reversed.connect(_reverse, dispatch_uid="loyalty-reverse")
    sales_signals.order_cancelled.connect(_order_cancelled, dispatch_uid="loyalty-refund")
    sales_signals.quote_versioned.connect(_quote_versioned, dispatch_uid="loyalty-quote-version")
    sales_signals.quote_accepted.connect(_quote_accepted, dispatch_uid="loyalty-quote-accepted")
    register_price_source(tier_prices)
    register_order_panel(views_loyalty.order_panel)
    register_quote_panel(views_loyalty.quote_panel)
    summary.register(views_loyalty.MemberSection())
    for model in (Member, MemberTier, Coupon, Promotion, LoyaltySettings):
        auditlog.register(model, exclude_fields=["updated_at", "balance"])
    navigation.add_items(
        "marketing",
        navigation.Item(_("Members"), "marketing:member_list", "marketing.view"),
        navigation.Item(_("Tiers and points rules"), "marketing:loyalty_settings", "marketing.manage"),
        navigation.Item(_("Coupons and promotions"), "marketing:coupon_list", "marketing.view"),
        navigation.Item(_("Price lists"), "marketing:price_list_list", "sales.view"),
    )
