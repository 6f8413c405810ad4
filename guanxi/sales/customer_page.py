"""What sales adds to the customer page (CUS-6): opportunities, quotes, orders and
shipping notes as sections (with the actions that start from the customer) and as
entries of the customer's timeline. Wired in SalesConfig.ready."""

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from guanxi.core import timeline
from guanxi.core.search import money_text
from guanxi.customers import summary
from guanxi.customers.models import Customer

from . import selectors
from .models import OrderStatus, QuoteStatus, StageKind

ZERO = Value(0, output_field=DecimalField(max_digits=16, decimal_places=2))
OPEN_QUOTES = [QuoteStatus.DRAFT, QuoteStatus.PENDING_APPROVAL, QuoteStatus.APPROVED, QuoteStatus.SENT]
ORDERED = [OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.COMPLETED]
UNDELIVERED = [OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED]


def _sum(field, condition):
    return Coalesce(Sum(field, filter=condition), ZERO)


class SalesSection(summary.Section):
    permission = "sales.view"
    create_permission = "sales.create"

    def may_create(self, viewer):
        # The forms offer only the customers one may sell to (those one may edit).
        return viewer.can_edit

    @staticmethod
    def document_rows(records, limit, day_of):
        """Quotes or orders: number, status, the day that matters and the total."""
        return [summary.Row(label=str(document), url=document.get_absolute_url(), amount=document.total,
                            facts=(document.get_status_display(), summary.day(day_of(document))))
                for document in records[:limit]]


class OpportunitiesSection(SalesSection):
    key = "opportunities"
    title = _("Opportunities")
    order = 20
    empty_text = _("No opportunities yet.")
    list_url_name = "sales:opportunity_list"
    create_url_name = "sales:opportunity_create"
    create_label = _("New opportunity")

    def records(self, viewer):
        return selectors.opportunities_of_customer(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        is_open, won = Q(stage__kind=StageKind.OPEN), Q(stage__kind=StageKind.WON)
        totals = summary.tally(records, open=is_open, open_amount=_sum("amount", is_open),
                               won_amount=_sum("amount", won))
        return totals["count"], [
            summary.Figure("open", _("In progress"), totals["open"]),
            summary.Figure("open_amount", _("Open amount"), totals["open_amount"], money=True),
            summary.Figure("won_amount", _("Won"), totals["won_amount"], money=True),
        ]

    def rows(self, viewer, records, limit):
        return [summary.Row(label=o.name, url=o.get_absolute_url(), amount=o.amount,
                            facts=tuple(f for f in (o.stage.name, summary.day(o.expected_close_on),
                                                    o.owner.display_name) if f))
                for o in records[:limit]]


class QuotesSection(SalesSection):
    key = "quotes"
    title = _("Quotes")
    order = 30
    empty_text = _("No quotes yet.")
    list_url_name = "sales:quote_list"
    create_url_name = "sales:quote_create"
    create_label = _("New quote")

    def records(self, viewer):
        return selectors.quotes_of_customer(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        is_open = Q(status__in=OPEN_QUOTES)
        totals = summary.tally(records, open=is_open, open_amount=_sum("total", is_open))
        return totals["count"], [
            summary.Figure("open", _("Open"), totals["open"]),
            summary.Figure("open_amount", _("Open amount"), totals["open_amount"], money=True),
        ]

    def rows(self, viewer, records, limit):
        return self.document_rows(records, limit, lambda quote: quote.created_at)


class OrdersSection(SalesSection):
    key = "orders"
    title = _("Orders")
    order = 40
    empty_text = _("No orders yet.")
    list_url_name = "sales:order_list"
    create_url_name = "sales:order_create"
    create_label = _("New order")

    def records(self, viewer):
        return selectors.orders_of_customer(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        totals = summary.tally(records, undelivered=Q(status__in=UNDELIVERED),
                               ordered=_sum("total", Q(status__in=ORDERED)))
        return totals["count"], [
            summary.Figure("undelivered", _("To deliver"), totals["undelivered"]),
            summary.Figure("ordered", _("Ordered"), totals["ordered"], money=True),
        ]

    def rows(self, viewer, records, limit):
        return self.document_rows(records, limit, lambda order: order.order_date)


class ShipmentsSection(SalesSection):
    key = "shipments"
    title = _("Shipping notes")
    order = 50
    empty_text = _("Nothing shipped yet.")
    list_url_name = "sales:shipment_list"

    def records(self, viewer):
        return selectors.shipments_of_customer(viewer.user, viewer.customer)

    def rows(self, viewer, records, limit):
        return [summary.Row(label=shipment.number, url=shipment.get_absolute_url(),
                            facts=tuple(f for f in (shipment.order.number, summary.day(shipment.ship_date),
                                                    str(shipment.warehouse or "")) if f))
                for shipment in records[:limit]]


# --- the timeline ------------------------------------------------------------------------------
def opportunities_source(user, customer, limit):
    entries = []
    for o in selectors.opportunities_of_customer(user, customer)[:limit]:
        entries.append(timeline.Entry(o.created_at, "opportunity", _("Opportunity: %(name)s") % {"name": o.name},
                                      f"{o.stage.name} · {money_text(o.amount)}", url=o.get_absolute_url(),
                                      actor=o.owner.display_name))
        if o.closed_at:
            entries.append(timeline.Entry(o.closed_at, "opportunity", f"{o.stage.name}: {o.name}",
                                          money_text(o.amount), url=o.get_absolute_url()))
    return entries


def quotes_source(user, customer, limit):
    return [timeline.Entry(quote.created_at, "quote", _("Quote %(number)s") % {"number": quote},
                           f"{quote.get_status_display()} · {money_text(quote.total)}", url=quote.get_absolute_url())
            for quote in selectors.quotes_of_customer(user, customer)[:limit]]


def orders_source(user, customer, limit):
    return [timeline.Entry(order.created_at, "order", _("Order %(number)s") % {"number": order.number},
                           f"{order.get_status_display()} · {money_text(order.total)}", url=order.get_absolute_url())
            for order in selectors.orders_of_customer(user, customer)[:limit]]


def shipments_source(user, customer, limit):
    return [timeline.Entry(shipment.created_at, "shipment",
                           _("Shipping note %(number)s") % {"number": shipment.number},
                           _("for order %(number)s") % {"number": shipment.order.number},
                           url=shipment.get_absolute_url())
            for shipment in selectors.shipments_of_customer(user, customer)[:limit]]


def register():
    for section in (OpportunitiesSection(), QuotesSection(), OrdersSection(), ShipmentsSection()):
        summary.register(section)
    for source in (opportunities_source, quotes_source, orders_source, shipments_source):
        timeline.register(Customer, source, permission="sales.view")
