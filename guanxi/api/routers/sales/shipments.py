"""Shipping notes."""


import datetime
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.errors import ValidationFailed
from guanxi.sales import selectors, services

from ...common import (
    InputSchema,
    ListParams,
    Page,
    PickCode,
    fields_named,
    filtered,
    page,
    pick,
    require_perm,
    searched,
)
from ...routes import get_route

router = Router()


# --- shipping notes --------------------------------------------------------------------
class ShipmentLineOut(Schema):
    order_line: int = Field(..., description="the order line's position")
    quantity: Decimal


class ShipmentOut(Schema):
    id: int
    number: str
    order_id: int
    warehouse: PickCode
    ship_date: datetime.date
    notes: str
    lines: list[ShipmentLineOut]
    created_at: datetime.datetime

    @staticmethod
    def resolve_lines(obj):
        return [{"order_line": line.order_line.position, "quantity": line.quantity} for line in obj.lines.all()]


class ShipmentIn(InputSchema):
    order_id: int
    quantities: dict[int, Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=3)]] = Field(
        ..., description="order line position → quantity to ship")
    warehouse: str | None = Field(None, description="pick-list code (sales.warehouse)")
    ship_date: datetime.date | None = None
    notes: str = Field("", max_length=500)


class ShipmentPage(Page):
    items: list[ShipmentOut]


class ShipmentFilters(ListParams):
    order_id: int | None = None


@router.get("/shipments", response=ShipmentPage)
def shipment_list(request, params: Query[ShipmentFilters]):
    require_perm(request, "sales.view")
    queryset = filtered(selectors.shipments_visible_to(request.user).prefetch_related("lines__order_line"),
                         order_id=params.order_id)
    queryset = searched(queryset, params.q, "number__istartswith", "order__number__istartswith")
    return page(request, queryset, params, allowed={"created_at", "ship_date", "id"})


get_route(router, "/shipments", name="shipment", perm="sales.view", out=ShipmentOut, get=selectors.shipment_get)


@router.post("/shipments", response={201: ShipmentOut})
def shipment_create(request, payload: ShipmentIn):
    """Ship part or all of a confirmed order; never more than is left on a line."""
    require_perm(request, "sales.ship")
    order = selectors.order_get(request.user, payload.order_id)
    by_position = {line.position: line.pk for line in order.lines.all()}
    unknown = [p for p in payload.quantities if p not in by_position]
    if unknown:
        raise ValidationFailed(_("Not a line of this order."), field=f"quantities.{unknown[0]}")
    position_of = {"lines": "quantities", **{f"lines.{pk}": f"quantities.{position}"
                                             for position, pk in by_position.items()}}
    with fields_named(lambda field: position_of.get(field, field)):
        shipment = services.shipment_create(
            actor=request.user, order=order, quantities={by_position[p]: q for p, q in payload.quantities.items()},
            warehouse=pick("sales.warehouse", payload.warehouse, "warehouse"), ship_date=payload.ship_date,
            notes=payload.notes)
    return Status(201, selectors.shipment_get(request.user, shipment.pk))
