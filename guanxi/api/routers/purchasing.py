"""suppliers, purchase-orders and goods-receipts (API.md; PUR-1 suppliers, PUR-2 purchase
orders, PUR-3 goods receipts, ORG-3 scopes).

Suppliers and purchase orders belong to the purchaser who made them and their branch; a
goods receipt is in the scope of its order and makes the payable (FIN-2) in the same
transaction. The list, money and PATCH helpers are the finance router's.
"""

import datetime
from decimal import Decimal
from typing import Annotated, ClassVar

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.errors import ValidationFailed
from guanxi.customers import selectors as customer_selectors
from guanxi.purchasing import selectors, services
from guanxi.purchasing.models import PurchaseStatus
from guanxi.sales import selectors as sales_selectors

from ..common import (
    InputSchema,
    ListParams,
    Money,
    ReasonIn,
    by_id,
    code_of,
    fields_named,
    get_or_invalid,
    listing,
    patched,
    pick,
    require_perm,
    with_etag,
)
from .sales import LineOut

router = Router(tags=["purchasing"])

SUPPLIES = "purchasing.supplier_category"


# --- suppliers (PUR-1) ------------------------------------------------------------------------
class SupplierOut(Schema):
    id: int
    name: str
    code: str
    category: str | None = Field(description="what they supply: pick-list code (purchasing.supplier_category)")
    contact_name: str
    phone: str
    email: str
    address: str
    tax_id: str
    bank_name: str
    bank_account: str
    payment_days: int
    customer_id: int | None = Field(description="the same company as our customer, if it is one")
    notes: str
    is_active: bool
    owner_id: int = Field(description="the purchaser")
    branch_id: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_category(obj):
        return code_of(obj.category)


class SupplierPage(Schema):
    items: list[SupplierOut]
    next_cursor: str | None


class SupplierIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    code: str = Field("", max_length=40)
    category: str | None = Field(None, description="pick-list code (purchasing.supplier_category)")
    contact_name: str = Field("", max_length=60)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    tax_id: str = Field("", max_length=30)
    bank_name: str = Field("", max_length=100)
    bank_account: str = Field("", max_length=40)
    payment_days: int = Field(30, ge=0, le=3650)
    customer_id: int | None = None
    notes: str = Field("", max_length=4000)
    is_active: bool = True


class SupplierPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    code: str | None = Field(None, max_length=40)
    category: str | None = None
    contact_name: str | None = Field(None, max_length=60)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=300)
    tax_id: str | None = Field(None, max_length=30)
    bank_name: str | None = Field(None, max_length=100)
    bank_account: str | None = Field(None, max_length=40)
    payment_days: int | None = Field(None, ge=0, le=3650)
    customer_id: int | None = None
    notes: str | None = Field(None, max_length=4000)
    is_active: bool | None = None


class SupplierFilters(ListParams):
    category: str | None = Field(None, max_length=40)
    active: bool | None = None
    owner_id: int | None = None

    lookups: ClassVar = {"category": "category__code", "active": "is_active", "owner_id": "owner_id"}
    search: ClassVar = ("name__icontains", "code__istartswith", "phone__startswith")
    sorts: ClassVar = {"name", "created_at", "id"}


def _supplier_data(request, data):
    """Pick-list codes and ids in the body as the records the service takes."""
    if "category" in data:
        data["category"] = pick(SUPPLIES, data["category"], "category")
    if "customer_id" in data:
        data["customer"] = get_or_invalid(customer_selectors.customers_visible_to(request.user),
                                          data.pop("customer_id"), "customer_id")
    return data


@router.get("/suppliers", response=SupplierPage)
def supplier_list(request, params: Query[SupplierFilters]):
    """PUR-1: suppliers in the caller's scope."""
    require_perm(request, "purchasing.view")
    return listing(request, selectors.suppliers_visible_to(request.user), params)


@router.get("/suppliers/{supplier_id}", response=SupplierOut)
def supplier_get(request, supplier_id: int, response: HttpResponse):
    require_perm(request, "purchasing.view")
    return with_etag(response, SupplierOut.from_orm(selectors.supplier_get(request.user, supplier_id)))


@router.post("/suppliers", response={201: SupplierOut})
def supplier_create(request, payload: SupplierIn):
    """PUR-1: a supplier of the caller (the purchaser) and their branch."""
    require_perm(request, "purchasing.create")
    supplier = services.supplier_save(actor=request.user, **_supplier_data(request, payload.model_dump()))
    return Status(201, selectors.supplier_get(request.user, supplier.pk))


@router.patch("/suppliers/{supplier_id}", response=SupplierOut)
def supplier_update(request, supplier_id: int, payload: SupplierPatch, response: HttpResponse):
    """PUR-1: change a supplier; a stale If-Match answers 412 and changes nothing."""
    require_perm(request, "purchasing.edit")
    data = _supplier_data(request, payload.model_dump(exclude_unset=True))
    return patched(request, response, queryset=selectors.suppliers_visible_to(request.user), pk=supplier_id,
                   out=SupplierOut,
                   update=lambda supplier: services.supplier_save(actor=request.user, supplier=supplier, **data))


@router.delete("/suppliers/{supplier_id}", response={204: None})
def supplier_delete(request, supplier_id: int):
    """PUR-1: move a supplier to the recycle bin; refused (409) while it has open purchase orders."""
    require_perm(request, "purchasing.delete")
    services.supplier_delete(actor=request.user, supplier=selectors.supplier_get(request.user, supplier_id))
    return Status(204, None)


# --- purchase orders (PUR-2) ------------------------------------------------------------------
Quantity = Annotated[Decimal, Field(ge=Decimal("0.001"), max_digits=12, decimal_places=3)]
LINE_FIELDS = {"product": "product_id", "description": "description", "quantity": "quantity", "unit": "unit",
               "unit_price": "unit_price", "discount_percent": "discount_percent", "tax_rate": "tax_rate"}


class PurchaseLineOut(LineOut):
    """A sales document's line (the same ``LineFields``) with what was received of it."""

    id: int
    received_quantity: Decimal
    remaining: Decimal


class PurchaseOrderOut(Schema):
    id: int
    number: str
    supplier_id: int
    status: PurchaseStatus
    order_date: datetime.date
    expected_on: datetime.date | None
    notes: str
    subtotal: Money
    discount_total: Money
    tax_total: Money
    total: Money
    currency: str
    owner_id: int = Field(description="the purchaser")
    branch_id: int
    ordered_at: datetime.datetime | None
    lines: list[PurchaseLineOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class PurchaseOrderPage(Schema):
    items: list[PurchaseOrderOut]
    next_cursor: str | None


class PurchaseLineIn(InputSchema):
    product_id: int | None = None
    description: str = Field("", max_length=200, description="defaults to the product's name")
    quantity: Quantity
    unit: str | None = Field(None, max_length=10, description="defaults to the product's unit")
    unit_price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2, description="the purchase price")
    discount_percent: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)
    tax_rate: Decimal | None = Field(None, ge=0, le=1, max_digits=5, decimal_places=4,
                                     description="defaults to the product's, else the default VAT rate (0.13)")


PurchaseLines = Annotated[list[PurchaseLineIn], Field(max_length=500)]


class PurchaseOrderIn(InputSchema):
    supplier_id: int
    lines: PurchaseLines
    order_date: datetime.date | None = Field(None, description="default: today")
    expected_on: datetime.date | None = None
    notes: str = Field("", max_length=4000)


class PurchaseOrderPatch(InputSchema):
    """Only a draft."""

    lines: PurchaseLines | None = Field(None, description="replaces every line")
    order_date: datetime.date | None = None
    expected_on: datetime.date | None = None
    notes: str | None = Field(None, max_length=4000)


class SendIn(InputSchema):
    to: str = Field(..., min_length=3, max_length=254)
    message: str = Field("", max_length=2000)


class PurchaseOrderFilters(ListParams):
    status: PurchaseStatus | None = None
    supplier_id: int | None = None
    owner_id: int | None = None
    order_date_from: datetime.date | None = None
    order_date_to: datetime.date | None = None

    lookups: ClassVar = {"status": "status", "supplier_id": "supplier_id", "owner_id": "owner_id",
                         "order_date_from": "order_date__gte", "order_date_to": "order_date__lte"}
    search: ClassVar = ("number__istartswith", "supplier__name__icontains")
    sorts: ClassVar = {"created_at", "order_date", "total", "id"}


def _order_data(payload, *, exclude_unset=False):
    """The body as the services take it: products looked up, absent defaults left to the
    service, and the services' line numbers (from 1) reported as the body's indexes (from 0)."""
    data = payload.model_dump(exclude_unset=exclude_unset, exclude={"lines", "supplier_id"})
    if not exclude_unset and data["order_date"] is None:
        del data["order_date"]
    names = {}
    if payload.lines is not None:
        data["lines"] = []
        for index, line in enumerate(payload.lines):
            values = line.model_dump(exclude_none=True)
            values["product"] = get_or_invalid(sales_selectors.products(), values.pop("product_id", None),
                                               f"lines.{index}.product_id")
            data["lines"].append(values)
            names.update({f"lines.{index + 1}.{field}": f"lines.{index}.{name}" for field, name in LINE_FIELDS.items()})
    return data, names


def _orders(request):
    return selectors.purchase_orders_visible_to(request.user).prefetch_related("lines")


def _order_action(request, order_id, action, **arguments):
    """Run a service on the order in the caller's scope; answer the order as it is now."""
    action(actor=request.user, order=selectors.purchase_order_get(request.user, order_id), **arguments)
    return selectors.purchase_order_get(request.user, order_id)


@router.get("/purchase-orders", response=PurchaseOrderPage)
def purchase_order_list(request, params: Query[PurchaseOrderFilters]):
    """PUR-2: purchase orders in the caller's scope."""
    require_perm(request, "purchasing.view")
    return listing(request, _orders(request), params)


@router.get("/purchase-orders/{order_id}", response=PurchaseOrderOut)
def purchase_order_get(request, order_id: int, response: HttpResponse):
    require_perm(request, "purchasing.view")
    return with_etag(response, PurchaseOrderOut.from_orm(selectors.purchase_order_get(request.user, order_id)))


@router.post("/purchase-orders", response={201: PurchaseOrderOut})
def purchase_order_create(request, payload: PurchaseOrderIn):
    """PUR-2: a draft purchase order to a supplier in the caller's scope; totals are computed."""
    require_perm(request, "purchasing.create")
    supplier = selectors.supplier_get(request.user, payload.supplier_id)
    data, names = _order_data(payload)
    with fields_named(names):
        order = services.purchase_order_create(actor=request.user, supplier=supplier, **data)
    return Status(201, selectors.purchase_order_get(request.user, order.pk))


@router.patch("/purchase-orders/{order_id}", response=PurchaseOrderOut)
def purchase_order_update(request, order_id: int, payload: PurchaseOrderPatch, response: HttpResponse):
    """PUR-2: change a draft (409 otherwise); ``lines`` replaces them all; honours If-Match."""
    require_perm(request, "purchasing.edit")
    data, names = _order_data(payload, exclude_unset=True)

    def update(order):
        with fields_named(names):
            services.purchase_order_update(actor=request.user, order=order, **data)

    return patched(request, response, queryset=_orders(request), pk=order_id, out=PurchaseOrderOut, update=update)


@router.post("/purchase-orders/{order_id}/place", response=PurchaseOrderOut)
def purchase_order_place(request, order_id: int):
    """PUR-2: send the draft to the supplier (``ordered``); goods can be received from now on."""
    require_perm(request, "purchasing.edit")
    return _order_action(request, order_id, services.purchase_order_place)


@router.post("/purchase-orders/{order_id}/cancel", response=PurchaseOrderOut)
def purchase_order_cancel(request, order_id: int, payload: ReasonIn):
    """PUR-2: cancel an order nothing was received on; the reason goes into its remarks."""
    require_perm(request, "purchasing.edit")
    return _order_action(request, order_id, services.purchase_order_cancel, reason=payload.reason)


@router.post("/purchase-orders/{order_id}/send", response=PurchaseOrderOut)
def purchase_order_send(request, order_id: int, payload: SendIn):
    """PUR-2: e-mail the order as a PDF to ``to`` (placing a draft first)."""
    require_perm(request, "purchasing.edit")
    return _order_action(request, order_id, services.purchase_order_send, to=payload.to, message=payload.message)


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
    warehouse: str | None = Field(description="pick-list code (sales.warehouse)")
    received_on: datetime.date
    notes: str
    lines: list[GoodsReceiptLineOut]
    payable_id: int | None = Field(description="the payable it made (FIN-2)")
    created_at: datetime.datetime

    @staticmethod
    def resolve_supplier_id(obj):
        return obj.order.supplier_id

    @staticmethod
    def resolve_warehouse(obj):
        return code_of(obj.warehouse)

    @staticmethod
    def resolve_lines(obj):
        return sorted(obj.lines.all(), key=by_id)

    @staticmethod
    def resolve_payable_id(obj):
        payable = getattr(obj, "payable", None)
        return payable.pk if payable is not None else None


class GoodsReceiptPage(Schema):
    items: list[GoodsReceiptOut]
    next_cursor: str | None


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


def _goods_receipts(request):
    return (selectors.goods_receipts_visible_to(request.user).select_related("order", "payable")
            .prefetch_related("lines__order_line"))


@router.get("/goods-receipts", response=GoodsReceiptPage)
def goods_receipt_list(request, params: Query[GoodsReceiptFilters]):
    """PUR-3: goods receipts of the purchase orders in the caller's scope."""
    require_perm(request, "purchasing.view")
    return listing(request, _goods_receipts(request), params)


@router.get("/goods-receipts/{receipt_id}", response=GoodsReceiptOut)
def goods_receipt_get(request, receipt_id: int):
    require_perm(request, "purchasing.view")
    return selectors.goods_receipt_get(request.user, receipt_id)


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
