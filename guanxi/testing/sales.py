"""Helpers that build sales and finance records through the services, for tests."""

import datetime
from decimal import Decimal

from guanxi.sales import services
from guanxi.sales.models import Opportunity, Order, StageChange


def stages():
    return list(services.default_pipeline().stages.order_by("position"))


def opportunity_through(actor, customer, path, *, amount=Decimal("10000"), created_at=None, step_days=5,
                        lost_reason=None, **fields):
    """An opportunity moved through the stages ``path`` (positions after the first),
    with its history dated from ``created_at`` one step every ``step_days``."""
    pipeline_stages = stages()
    opportunity = services.opportunity_create(actor=actor, customer=customer, name=f"商机{customer.pk}",
                                              amount=amount, **fields)
    for position in path:
        stage = pipeline_stages[position]
        services.opportunity_move(actor=actor, opportunity=opportunity, stage=stage,
                                  lost_reason=lost_reason if stage.kind == "lost" else None)
    if created_at is not None:
        when = created_at
        Opportunity.objects.filter(pk=opportunity.pk).update(created_at=created_at)
        last = created_at
        for change in StageChange.objects.filter(opportunity=opportunity).order_by("pk"):
            StageChange.objects.filter(pk=change.pk).update(created_at=when)
            last = when
            when = when + datetime.timedelta(days=step_days)
        opportunity.refresh_from_db()
        if opportunity.closed_at is not None:
            Opportunity.objects.filter(pk=opportunity.pk).update(closed_at=last, stage_changed_at=last)
    opportunity.refresh_from_db()
    return opportunity


def confirmed_order(actor, customer, total_lines=((1, "1000.00"),), order_date=None, **fields):
    """An order confirmed at once (no approval policy is set in tests unless they add one)."""
    order = services.order_create(actor=actor, customer=customer, lines=[
        {"description": f"行{i}", "quantity": Decimal(str(q)), "unit_price": Decimal(p), "tax_rate": Decimal("0")}
        for i, (q, p) in enumerate(total_lines)], **fields)
    order = services.order_confirm(actor=actor, order=order)
    if order_date is not None:
        Order.objects.filter(pk=order.pk).update(order_date=order_date)
        order.refresh_from_db()
    return order
