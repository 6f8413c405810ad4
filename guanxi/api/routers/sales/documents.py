"""Quotes and orders."""


import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from guanxi.customers import selectors as customer_selectors
from guanxi.marketing.services import loyalty as loyalty_services
from guanxi.sales import printing, selectors, services
from guanxi.sales.models import (
    AdjustmentKind,
    OrderStatus,
    QuoteStatus,
)

from ...common import (
    InputSchema,
    ListParams,
    Money,
    Page,
    acted,
    fields_named,
    filtered,
    get_or_invalid,
    page,
    patched,
    require_perm,
)
from ...routes import get_route
from ._shared import MoneyIn

router = Router()


# --- quotes and orders --------------------------------------------------------------------
class LineOut(Schema):
    position: int
    product_id: int | None
    description: str
    quantity: Decimal
    unit: str
    unit_price: Money
    discount_percent: Decimal
    tax_rate: Decimal
    subtotal: Money
    discount: Money
    tax: Money
    total: Money


class LineIn(InputSchema):
    product_id: int | None = None
    description: str = Field("", max_length=200, description="defaults to the product's name")
    quantity: Decimal = Field(..., ge=Decimal("0.001"), max_digits=12, decimal_places=3)
    unit_price: MoneyIn | None = Field(None, description="defaults to the customer's price for the product")
    discount_percent: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)


# Lines: at least one (the service says so, in the caller's language), at most 500.
Lines = Annotated[list[LineIn], Field(max_length=500)]


def _lines(lines):
    result = []
    for index, line in enumerate(lines):
        data = line.model_dump()
        product_id = data.pop("product_id")
        data["product"] = get_or_invalid(selectors.products(), product_id, f"lines.{index}.product_id")
        if data["unit_price"] is None:
            data.pop("unit_price")
        result.append(data)
    return result


def _line_field(field):
    """Services number lines from 1 and name model fields; the API indexes the body's list from 0."""
    match = re.fullmatch(r"lines\.(\d+)\.(\w+)", field or "")
    if match is None:
        return field
    name = "product_id" if match[2] == "product" else match[2]
    return f"lines.{int(match[1]) - 1}.{name}"


def _document_data(request, customer, payload, *, exclude_unset=False):
    """A quote's or order's body as service arguments: references resolved within the
    customer and the caller's scope, lines checked."""
    data = payload.model_dump(exclude_unset=exclude_unset)
    data.pop("customer_id", None)
    if "contact_id" in data:
        data["contact"] = get_or_invalid(customer.contacts.all(), data.pop("contact_id"), "contact_id")
    if "opportunity_id" in data:
        data["opportunity"] = get_or_invalid(
            selectors.opportunities_visible_to(request.user).filter(customer=customer), data.pop("opportunity_id"),
            "opportunity_id")
    if data.get("lines") is not None:
        data["lines"] = _lines(payload.lines)
    return data


def _document_create(request, payload, kind):
    """POST: a new quote or order for a customer in the caller's scope; 201 with it."""
    customer = customer_selectors.customer_get(request.user, payload.customer_id)
    data = _document_data(request, customer, payload)
    with fields_named(_line_field):
        document = kind.create(actor=request.user, customer=customer, **data)
    return Status(201, kind.get(request.user, document.pk))


def _document_update(request, response, pk, payload, kind):
    """PATCH a quote or order in the caller's scope (If-Match honoured)."""
    def apply(document):
        data = _document_data(request, document.customer, payload, exclude_unset=True)
        with fields_named(_line_field):
            kind.update(actor=request.user, **{kind.name: document}, **data)

    return patched(request, response, queryset=kind.scope(request.user), pk=pk, out=kind.out, update=apply)


class AdjustmentOut(Schema):
    """An amount taken off the document as a whole: a coupon, a promotion, points redeemed."""

    kind: AdjustmentKind
    label: str
    amount: Money


class DocumentOut(Schema):
    id: int
    number: str
    customer_id: int
    contact_id: int | None
    opportunity_id: int | None
    status: str
    subtotal: Money
    discount_total: Money
    tax_total: Money
    adjustment_total: Money = Field(..., description="coupons, promotions and points taken off the lines' total")
    total: Money
    currency: str
    owner_id: int
    branch_id: int
    lines: list[LineOut]
    adjustments: list[AdjustmentOut]
    created_at: datetime.datetime

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())

    @staticmethod
    def resolve_adjustments(obj):
        return list(obj.adjustments.all())


class QuoteOut(DocumentOut):
    status: QuoteStatus
    version: int
    previous_id: int | None
    valid_until: datetime.date | None
    terms: str
    sent_at: datetime.datetime | None
    accepted_at: datetime.datetime | None


class OrderOut(DocumentOut):
    status: OrderStatus
    quote_id: int | None
    order_date: datetime.date
    delivery_date: datetime.date | None
    notes: str
    confirmed_at: datetime.datetime | None


class QuotePage(Page):
    items: list[QuoteOut]


class OrderPage(Page):
    items: list[OrderOut]


@dataclass(frozen=True)
class _Kind:
    """Quotes or orders: what their endpoints share, told apart by the selectors and
    services of the kind (``name`` is the services' keyword for the document)."""

    name: str
    out: type[Schema]
    get: Callable
    scope: Callable
    create: Callable
    update: Callable


QUOTES = _Kind("quote", QuoteOut, selectors.quote_get, selectors.quotes_visible_to, services.quote_create,
               services.quote_update)
ORDERS = _Kind("order", OrderOut, selectors.order_get, selectors.orders_visible_to, services.order_create,
               services.order_update)


class DocumentIn(InputSchema):
    """What a new quote and a new order share."""

    customer_id: int
    contact_id: int | None = Field(None, description="a contact of the customer")
    opportunity_id: int | None = Field(None, description="an opportunity of the customer")
    lines: Lines


class DocumentPatch(InputSchema):
    contact_id: int | None = None
    opportunity_id: int | None = None
    lines: Lines | None = Field(None, description="replaces every line")


class QuoteIn(DocumentIn):
    valid_until: datetime.date | None = None
    terms: str = Field("", max_length=4000)


class QuotePatch(DocumentPatch):
    """Only a draft (or an approved quote not yet sent, which goes back to draft)."""

    valid_until: datetime.date | None = None
    terms: str | None = Field(None, max_length=4000)


class OrderIn(DocumentIn):
    order_date: datetime.date = Field(default_factory=timezone.localdate, description="defaults to today")
    delivery_date: datetime.date | None = None
    notes: str = Field("", max_length=4000)


class OrderPatch(DocumentPatch):
    """Only a draft order."""

    order_date: datetime.date | None = None
    delivery_date: datetime.date | None = None
    notes: str | None = Field(None, max_length=4000)


class CancelIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=300)


class QuoteFilters(ListParams):
    status: QuoteStatus | None = None
    customer_id: int | None = None
    owner_id: int | None = None
    opportunity_id: int | None = None


class OrderFilters(ListParams):
    status: OrderStatus | None = None
    customer_id: int | None = None
    owner_id: int | None = None
    delivery_date_from: datetime.date | None = None
    delivery_date_to: datetime.date | None = None


def _number_or_customer(queryset, q):
    return queryset.filter(Q(number__istartswith=q) | Q(customer__name__icontains=q)) if q else queryset


@router.get("/quotes", response=QuotePage)
def quote_list(request, params: Query[QuoteFilters]):
    require_perm(request, "sales.view")
    queryset = filtered(selectors.quotes_visible_to(request.user).prefetch_related("lines", "adjustments"), status=params.status,
                         customer_id=params.customer_id, owner_id=params.owner_id,
                         opportunity_id=params.opportunity_id)
    return page(request, _number_or_customer(queryset, params.q), params, allowed={"created_at", "total", "id"})


get_route(router, "/quotes", name="quote", perm="sales.view", out=QuoteOut, get=selectors.quote_get, etag=True)


@router.get("/quotes/{quote_id}/pdf", openapi_extra={"responses": {200: {
    "description": "The quote as a PDF (attachment)",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}})
def quote_pdf_download(request, quote_id: int):
    """The quote as printed for the customer (the company's print template)."""
    require_perm(request, "sales.view")
    quote = selectors.quote_get(request.user, quote_id)
    response = HttpResponse(printing.quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote.number}-v{quote.version}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post("/quotes", response={201: QuoteOut})
def quote_create(request, payload: QuoteIn):
    require_perm(request, "sales.create")
    return _document_create(request, payload, QUOTES)


@router.patch("/quotes/{quote_id}", response=QuoteOut)
def quote_update(request, quote_id: int, payload: QuotePatch, response: HttpResponse):
    require_perm(request, "sales.edit")
    return _document_update(request, response, quote_id, payload, QUOTES)


@router.post("/quotes/{quote_id}/submit", response=QuoteOut)
def quote_submit(request, quote_id: int):
    """Discounts beyond the branch's limit go to approval first (status ``pending_approval``)."""
    require_perm(request, "sales.edit")
    return acted(request, selectors.quote_get, quote_id, services.quote_submit, "quote")


@router.post("/quotes/{quote_id}/send", response=QuoteOut)
def quote_send(request, quote_id: int):
    """Mark a submitted quote as sent to the customer."""
    require_perm(request, "sales.edit")
    return acted(request, selectors.quote_get, quote_id, services.quote_mark_sent, "quote")


@router.post("/quotes/{quote_id}/versions", response={201: QuoteOut})
def quote_new_version(request, quote_id: int):
    """Copy the quote into the next version (a draft); this one is marked ``superseded``."""
    require_perm(request, "sales.edit")
    copy = services.quote_new_version(actor=request.user, quote=selectors.quote_get(request.user, quote_id))
    return Status(201, selectors.quote_get(request.user, copy.pk))


@router.post("/quotes/{quote_id}/accept", response=OrderOut)
def quote_accept(request, quote_id: int):
    """The customer accepted: returns the order (the same one if accepted again)."""
    require_perm(request, "sales.edit")
    order = services.quote_accept(actor=request.user, quote=selectors.quote_get(request.user, quote_id))
    return selectors.order_get(request.user, order.pk)


class CouponIn(InputSchema):
    code: str = Field(..., max_length=40)


@router.post("/quotes/{quote_id}/apply-coupon", response=QuoteOut)
def quote_apply_coupon(request, quote_id: int, payload: CouponIn):
    """Use a coupon on a quote that may still change (a submitted one goes back to draft)."""
    require_perm(request, "sales.edit")
    return acted(request, selectors.quote_get, quote_id, loyalty_services.coupon_apply, "document", code=payload.code)


@router.post("/quotes/{quote_id}/apply-promotions", response=QuoteOut)
def quote_apply_promotions(request, quote_id: int):
    """Apply every promotion running today (each once)."""
    require_perm(request, "sales.edit")
    return acted(request, selectors.quote_get, quote_id, loyalty_services.promotions_apply, "document")


@router.post("/orders/{order_id}/apply-coupon", response=OrderOut)
def order_apply_coupon(request, order_id: int, payload: CouponIn):
    """Use a coupon on a draft order."""
    require_perm(request, "sales.edit")
    return acted(request, selectors.order_get, order_id, loyalty_services.coupon_apply, "document", code=payload.code)


@router.post("/orders/{order_id}/apply-promotions", response=OrderOut)
def order_apply_promotions(request, order_id: int):
    """Apply every promotion running on the order date (each once)."""
    require_perm(request, "sales.edit")
    return acted(request, selectors.order_get, order_id, loyalty_services.promotions_apply, "document")


@router.get("/orders", response=OrderPage)
def order_list(request, params: Query[OrderFilters]):
    require_perm(request, "sales.view")
    queryset = filtered(selectors.orders_visible_to(request.user).prefetch_related("lines", "adjustments"), status=params.status,
                         customer_id=params.customer_id, owner_id=params.owner_id,
                         delivery_date__gte=params.delivery_date_from, delivery_date__lte=params.delivery_date_to)
    return page(request, _number_or_customer(queryset, params.q), params, allowed={"created_at", "total", "id"})


get_route(router, "/orders", name="order", perm="sales.view", out=OrderOut, get=selectors.order_get, etag=True)


@router.post("/orders", response={201: OrderOut})
def order_create(request, payload: OrderIn):
    require_perm(request, "sales.create")
    return _document_create(request, payload, ORDERS)


@router.patch("/orders/{order_id}", response=OrderOut)
def order_update(request, order_id: int, payload: OrderPatch, response: HttpResponse):
    require_perm(request, "sales.edit")
    return _document_update(request, response, order_id, payload, ORDERS)


@router.post("/orders/{order_id}/confirm", response=OrderOut)
def order_confirm(request, order_id: int):
    """Submit a draft for the contract approval; confirmed at once when no step applies."""
    require_perm(request, "sales.edit")
    return acted(request, selectors.order_get, order_id, services.order_confirm, "order")


@router.post("/orders/{order_id}/cancel", response=OrderOut)
def order_cancel(request, order_id: int, payload: CancelIn):
    """Cancel an order nothing has been shipped on; the reason goes into its remarks."""
    require_perm(request, "sales.edit")
    return acted(request, selectors.order_get, order_id, services.order_cancel, "order", reason=payload.reason)


