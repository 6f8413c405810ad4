"""Reads of sales records; every one through the scope helper."""

from guanxi.org.scopes import get_scoped, scoped

from .models import Lead, Opportunity, Order, Product, Quote, Shipment, StageKind


def products(active_only=True):
    queryset = Product.objects.prefetch_related("category")
    return queryset.filter(is_active=True) if active_only else queryset


def opportunities_visible_to(user):
    return scoped(Opportunity.objects.prefetch_related("customer", "stage", "owner"), user)


def opportunity_get(user, pk):
    return get_scoped(Opportunity.objects.select_related("customer", "stage", "pipeline", "owner", "competitor"),
                      user, pk=pk)


def board(user, pipeline, *, owner=None, limit_per_stage=200):
    """The kanban: [(stage, [opportunities], count, amount)] for open stages and the
    most recent won and lost."""
    from django.db.models import Count, Sum

    visible = opportunities_visible_to(user).filter(pipeline=pipeline)
    if owner is not None:
        visible = visible.filter(owner=owner)
    totals = {row["stage"]: row for row in visible.order_by().values("stage").annotate(n=Count("pk"),
                                                                                       amount=Sum("amount"))}
    columns = []
    for stage in pipeline.stages.order_by("position"):
        cards = visible.filter(stage=stage).order_by("-stage_changed_at", "-pk")
        cards = cards[:20] if stage.kind != StageKind.OPEN else cards[:limit_per_stage]
        row = totals.get(stage.pk, {"n": 0, "amount": 0})
        columns.append((stage, list(cards), row["n"], row["amount"] or 0))
    return columns


def leads_visible_to(user):
    return scoped(Lead.objects.prefetch_related("owner", "source"), user)


def lead_get(user, pk):
    return get_scoped(Lead.objects.select_related("owner", "source", "customer", "opportunity"), user, pk=pk)


def quotes_visible_to(user):
    return scoped(Quote.objects.prefetch_related("customer", "owner"), user)


def quote_get(user, pk):
    return get_scoped(Quote.objects.select_related("customer", "contact", "owner", "branch", "opportunity"),
                      user, pk=pk)


def orders_visible_to(user):
    return scoped(Order.objects.prefetch_related("customer", "owner"), user)


def order_get(user, pk):
    return get_scoped(Order.objects.select_related("customer", "contact", "owner", "branch", "quote"), user, pk=pk)


def shipments_visible_to(user):
    return scoped(Shipment.objects.prefetch_related("order__customer", "warehouse"), user)


def shipment_get(user, pk):
    return get_scoped(Shipment.objects.select_related("order__customer", "warehouse", "created_by")
                      .prefetch_related("lines__order_line"), user, pk=pk)
