"""Purchase orders (PUR-2)."""


import datetime
from decimal import Decimal
from typing import Annotated, ClassVar

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from guanxi.purchasing import selectors, services
from guanxi.purchasing.models import PurchaseStatus
from guanxi.sales import selectors as sales_selectors

from ...common import (
    InputSchema,
    ListParams,
    Money,
    Page,
    ReasonIn,
    acted,
    fields_named,
    get_or_invalid,
    patched,
    require_perm,
)
from ...routes import list_and_get
from ..sales.documents import LineOut

router = Router()


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


class PurchaseOrderPage(Page):
    items: list[PurchaseOrderOut]


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


def _orders(user):
    return selectors.purchase_orders_visible_to(user).prefetch_related("lines")


def _order_action(request, order_id, action, **arguments):
    """Run a service on the order in the caller's scope; answer the order as it is now."""
    return acted(request, selectors.purchase_order_get, order_id, action, "order", **arguments)


list_and_get(router, "/purchase-orders", name="purchase_order", id_name="order_id", perm="purchasing.view",
             page=PurchaseOrderPage, out=PurchaseOrderOut, filters=PurchaseOrderFilters, visible=_orders,
             get=selectors.purchase_order_get, etag=True,
             list_doc="PUR-2: purchase orders in the caller's scope.")


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

    return patched(request, response, queryset=_orders(request.user), pk=order_id, out=PurchaseOrderOut, update=update)


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


