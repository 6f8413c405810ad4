"""Reads of sales records; every one through the scope helper."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum

from guanxi.approvals.services import latest_for
from guanxi.core.money import default_tax_rate, document_totals, line_totals
from guanxi.core.numbering import number_q
from guanxi.core.search import hits_from, is_text, matching, money_text
from guanxi.customers.models import Customer
from guanxi.customers.normalize import phone_in_query
from guanxi.customers.selectors import customers_visible_to
from guanxi.org.scopes import get_scoped, scoped

from .models import Lead, Opportunity, Order, Product, Quote, Shipment, StageKind
from .services import prices_for

if TYPE_CHECKING:
    from guanxi.org.models import User
    from guanxi.sales.models import Pipeline, Stage


def products(active_only: bool = True) -> QuerySet[Product]:
    queryset = Product.objects.prefetch_related("category")
    return queryset.filter(is_active=True) if active_only else queryset


def opportunities_visible_to(user: User) -> QuerySet[Opportunity]:
    return scoped(Opportunity.objects.prefetch_related("customer", "stage", "owner"), user)


def opportunity_get(user: User, pk: int) -> Opportunity:
    return get_scoped(Opportunity.objects.select_related("customer", "stage", "pipeline", "owner", "competitor"),
                      user, pk=pk)


def board(user: User, pipeline: Pipeline, *, owner: User | None = None, narrow: Any = None, limit_per_stage: int = 200) -> list[tuple[Stage, list[Any], Any, Any | int]]:
    """The kanban: [(stage, [cards], count, amount)] for open stages and the most recent
    won and lost. Counts and sums cover every visible opportunity of a stage; an open
    column holds its ``limit_per_stage`` most recently moved cards, the list the rest.
    ``narrow(queryset)`` applies the board's filters to what the user may see.
    A card is a dict of what it shows (pk, name, amount, expected_close_on,
    customer_name): at 800 cards, model instances and per-column prefetches cost more
    than the queries."""

    visible = scoped(Opportunity.objects.filter(pipeline=pipeline), user)
    if owner is not None:
        visible = visible.filter(owner=owner)
    if narrow is not None:
        visible = narrow(visible)
    totals = {row["stage"]: row for row in visible.order_by().values("stage").annotate(n=Count("pk"),
                                                                                       amount=Sum("amount"))}
    cards = visible.order_by("-stage_changed_at", "-pk").values("pk", "name", "amount", "expected_close_on",
                                                                 "customer_id")
    columns: list[Any] = []
    customer_ids: set[int] = set()
    for stage in pipeline.stages.order_by("position"):
        row = totals.get(stage.pk, {"n": 0, "amount": 0})
        limit = limit_per_stage if stage.kind == StageKind.OPEN else 20
        column = list(cards.filter(stage=stage)[:limit]) if row["n"] else []
        customer_ids.update(card["customer_id"] for card in column)
        columns.append((stage, column, row["n"], row["amount"] or 0))
    names = dict(Customer._base_manager.filter(pk__in=customer_ids).values_list("pk", "name")) if customer_ids else {}
    for _stage, column, _n, _amount in columns:
        for card in column:
            card["customer_name"] = names.get(card["customer_id"], "")
    return columns


def leads_visible_to(user: User) -> QuerySet[Lead]:
    return scoped(Lead.objects.prefetch_related("owner", "source"), user)


def lead_get(user: User, pk: int) -> Lead:
    return get_scoped(Lead.objects.select_related("owner", "source", "customer", "opportunity"), user, pk=pk)


def quotes_visible_to(user: User) -> QuerySet[Quote]:
    return scoped(Quote.objects.prefetch_related("customer", "owner"), user)


def quote_get(user: User, pk: int) -> Quote:
    return get_scoped(Quote.objects.select_related("customer", "contact", "owner", "branch", "opportunity"),
                      user, pk=pk)


def orders_visible_to(user: User) -> QuerySet[Order]:
    return scoped(Order.objects.prefetch_related("customer", "owner"), user)


def order_get(user: User, pk: int) -> Order:
    return get_scoped(Order.objects.select_related("customer", "contact", "owner", "branch", "quote", "opportunity"),
                      user, pk=pk)


def shipments_visible_to(user: User) -> QuerySet[Shipment]:
    return scoped(Shipment.objects.prefetch_related("order__customer", "warehouse"), user)


def shipment_get(user: User, pk: int) -> Shipment:
    return get_scoped(Shipment.objects.select_related("order__customer", "warehouse", "created_by")
                      .prefetch_related("lines__order_line"), user, pk=pk)


def deleted_visible_to(model: Any) -> Callable[..., Any]:
    """The recycle bin's selector for a soft-deleted sales model (leads, opportunities)."""
    def selector(user: User) -> QuerySet[model]:
        return scoped(model.all_objects.filter(deleted_at__isnull=False).select_related("owner", "deleted_by"), user)
    return selector


# --- the customer page (CUS-6) ---------------------------------------------------------------
def opportunities_of_customer(user: User, customer: Customer) -> QuerySet[Opportunity]:
    return scoped(Opportunity.objects.filter(customer=customer).select_related("stage", "owner"), user).order_by(
        "-created_at")


def quotes_of_customer(user: User, customer: Customer) -> QuerySet[Quote]:
    return scoped(Quote.objects.filter(customer=customer), user).order_by("-created_at")


def orders_of_customer(user: User, customer: Customer) -> QuerySet[Order]:
    return scoped(Order.objects.filter(customer=customer), user).order_by("-created_at")


def shipments_of_customer(user: User, customer: Customer) -> QuerySet[Shipment]:
    return scoped(Shipment.objects.filter(order__customer=customer).select_related("order", "warehouse"),
                  user).order_by("-created_at")


# --- global search (issue 11.8) -------------------------------------------------------------
def lead_search_hits(user: User, q: str, limit: int) -> Any:
    """Leads by company or contact person (in scope) and by mobile however typed."""
    text, phone = is_text(q), phone_in_query(q)
    found = matching(scoped(Lead.objects.select_related("owner"), user), [
        Q(company__icontains=q) | Q(name__icontains=q) if text else None,
        Q(mobile_norm=phone) if phone else None,
    ]).order_by("-created_at")
    return hits_from(found, limit, label=lambda lead: lead.company, detail=lambda lead: (
        lead.name, lead.mobile, lead.get_status_display(), lead.owner.display_name))


def opportunity_search_hits(user: User, q: str, limit: int) -> Any:
    found = matching(scoped(Opportunity.objects.select_related("customer", "stage"), user), [
        Q(name__icontains=q) if is_text(q) else None]).order_by("-created_at")
    return hits_from(found, limit, label=lambda o: o.name, detail=lambda o: (
        o.customer.name, o.stage.name, money_text(o.amount)))


def quote_search_hits(user: User, q: str, limit: int) -> Any:
    """Quotes by number: whole, its beginning, or its serial ("000066")."""
    found = matching(scoped(Quote.objects.select_related("customer"), user), [number_q("sales.quote", q)])
    return hits_from(found.order_by("-created_at"), limit, detail=lambda quote: (
        quote.customer.name, quote.get_status_display(), money_text(quote.total)))


def order_search_hits(user: User, q: str, limit: int) -> Any:
    found = matching(scoped(Order.objects.select_related("customer"), user), [number_q("sales.order", q)])
    return hits_from(found.order_by("-created_at"), limit, detail=lambda order: (
        order.customer.name, order.get_status_display(), money_text(order.total)))


def shipment_search_hits(user: User, q: str, limit: int) -> Any:
    """Shipping notes by their number or their order's."""
    found = matching(scoped(Shipment.objects.select_related("order__customer"), user), [
        number_q("sales.shipment", q), number_q("sales.order", q, field="order__number")])
    return hits_from(found.order_by("-created_at"), limit, detail=lambda shipment: (
        shipment.order.number, shipment.order.customer.name))


def preview_totals(user: User, customer_pk: int, lines: Any) -> Any:
    """A document's totals as the user types its lines (Decimal, the services' rounding).
    Prices come from the customer's level only for a customer the user may see."""
    customer = None
    if str(customer_pk or "").isdigit():
        customer = customers_visible_to(user).prefetch_related(None).only("pk", "level_id").filter(
            pk=customer_pk).first()
    computed = []
    known = prices_for(customer, [line.get("product") for line in lines  # type: ignore[arg-type]
                                  if line.get("unit_price") is None and line.get("product") is not None])
    for line in lines:
        product, price = line.get("product"), line.get("unit_price")
        if line.get("quantity") is None:
            continue
        if price is None and product is not None:
            price = known[product.pk]
        if price is None:
            continue
        tax_rate = product.tax_rate if product else default_tax_rate()
        computed.append(type("Line", (), line_totals(line["quantity"], price, line.get("discount_percent") or 0,
                                                     tax_rate)))
    return document_totals(computed)


def order_latest_approval(order: Order) -> Any | None:
    """The order's most recent approval: of its discount or of its contract."""
    return latest_for(("sales.order_discount", "sales.contract"), order.pk)


def likely_customers(user: User, customers: QuerySet[Customer], selected_pk: int | None = None, limit: int = 30) -> list[Any]:
    """The customer choices a form shows before anything is searched: the chosen one and
    the user's newest (the (owner, created) index answers it); a search box finds any other."""
    choices = list(customers.filter(owner=user).order_by("-created_at").only("pk", "name")[:limit])
    if selected_pk and all(customer.pk != selected_pk for customer in choices):
        choices = list(customers.filter(pk=selected_pk).only("pk", "name")) + choices
    return choices
