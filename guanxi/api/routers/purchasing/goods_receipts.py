"""Goods receipts (PUR-3)."""


import datetime
from decimal import Decimal
from typing import Annotated, ClassVar

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from guanxi.core.errors import ValidationFailed
from guanxi.purchasing import selectors, services

from ...common import (
    InputSchema,
    ListParams,
    Page,
    PickCode,
    by_id,
    fields_named,
    pick,
    require_perm,
)
from ...routes import list_and_get

router = Router()


# --- goods receipts (PUR-3) -------------------------------------------------------------------
class GoodsReceiptLineOut(Schema):
    order_line: int = Field(description="the purchase order line's position")
    quantity: Decimal

    @staticmethod
    def resolve_order_line(obj):
        return obj.order_line.position


class GoodsReceiptOut(Schema):
    id: int
    number: str
    order_id: int
    supplier_id: int
    warehouse: PickCode = Field(description="pick-list code (sales.warehouse)")
    received_on: datetime.date
    notes: str
    lines: list[GoodsReceiptLineOut]
    payable_id: int | None = Field(description="the payable it made (FIN-2)")
    created_at: datetime.datetime

    @staticmethod
    def resolve_supplier_id(obj):
        return obj.order.supplier_id

    @staticmethod
    def resolve_lines(obj):
        return sorted(obj.lines.all(), key=by_id)

    @staticmethod
    def resolve_payable_id(obj):
        payable = getattr(obj, "payable", None)
        return payable.pk if payable is not None else None


class GoodsReceiptPage(Page):
    items: list[GoodsReceiptOut]


class GoodsReceiptIn(InputSchema):
    order_id: int
    quantities: dict[int, Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=3)]] = Field(
        ..., description="purchase order line position → quantity received now")
    warehouse: str | None = Field(None, description="pick-list code (sales.warehouse)")
    received_on: datetime.date | None = Field(None, description="default: today")
    notes: str = Field("", max_length=500)


class GoodsReceiptFilters(ListParams):
    order_id: int | None = None
    supplier_id: int | None = None
    received_on_from: datetime.date | None = None
    received_on_to: datetime.date | None = None

    lookups: ClassVar = {"order_id": "order_id", "supplier_id": "order__supplier_id",
                         "received_on_from": "received_on__gte", "received_on_to": "received_on__lte"}
    search: ClassVar = ("number__istartswith", "order__number__istartswith")
    sorts: ClassVar = {"created_at", "received_on", "id"}


def _by_line(order, quantities):
    """Quantities by line position (the body) as the service takes them, by line id, with
    the service's field names for them reported as the body's."""
    line_ids = dict(order.lines.values_list("position", "pk"))
    unknown = sorted(set(quantities) - set(line_ids))
    if unknown:
        raise ValidationFailed(_("Not a line of this order."), field=f"quantities.{unknown[0]}")
    names = {"lines": "quantities", **{f"lines.{pk}": f"quantities.{position}" for position, pk in line_ids.items()}}
    return {line_ids[position]: quantity for position, quantity in quantities.items()}, names


def _goods_receipts(user):
    return (selectors.goods_receipts_visible_to(user).select_related("order", "payable")
            .prefetch_related("lines__order_line"))


list_and_get(router, "/goods-receipts", name="goods_receipt", id_name="receipt_id", perm="purchasing.view",
             page=GoodsReceiptPage, out=GoodsReceiptOut, filters=GoodsReceiptFilters, visible=_goods_receipts,
             get=selectors.goods_receipt_get,
             list_doc="PUR-3: goods receipts of the purchase orders in the caller's scope.")


@router.post("/goods-receipts", response={201: GoodsReceiptOut})
def goods_receipt_create(request, payload: GoodsReceiptIn):
    """PUR-3: receive part or all of a placed order; never more than a line has left (422,
    nothing received). Makes the payable of what came in (FIN-2)."""
    require_perm(request, "purchasing.receive")
    order = selectors.purchase_order_get(request.user, payload.order_id)
    quantities, names = _by_line(order, payload.quantities)
    with fields_named(names):
        receipt = services.goods_receipt_create(
            actor=request.user, order=order, quantities=quantities, received_on=payload.received_on,
            warehouse=pick("sales.warehouse", payload.warehouse, "warehouse"), notes=payload.notes)
    return Status(201, selectors.goods_receipt_get(request.user, receipt.pk))
