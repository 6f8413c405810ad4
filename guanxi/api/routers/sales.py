"""products, price-lists, leads, pipelines, opportunities, quotes, orders, shipments (API.md)."""

import datetime
import re
from decimal import Decimal
from typing import Annotated

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.errors import ValidationFailed
from guanxi.core.money import default_tax_rate
from guanxi.customers import selectors as customer_selectors
from guanxi.sales import printing, selectors, services
from guanxi.sales.models import (
    LeadStatus,
    OrderStatus,
    Pipeline,
    PriceList,
    QuoteStatus,
    Stage,
    StageKind,
)

from ..common import (
    InputSchema,
    ListParams,
    Money,
    code_of,
    fields_named,
    filtered,
    get_or_invalid,
    page,
    patched,
    pick,
    picked,
    require_perm,
    with_etag,
)

router = Router(tags=["sales"])

MoneyIn = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


# --- products and price lists --------------------------------------------------------
class ProductOut(Schema):
    id: int
    sku: str
    name: str
    model_number: str
    category: str | None
    unit: str
    list_price: Money
    currency: str = "CNY"
    tax_rate: Decimal
    is_active: bool
    description: str

    @staticmethod
    def resolve_category(obj):
        return code_of(obj.category)


class ProductPage(Schema):
    items: list[ProductOut]
    next_cursor: str | None


class ProductIn(InputSchema):
    sku: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=200)
    model_number: str = Field("", max_length=100)
    category: str | None = Field(None, description="pick-list code")
    unit: str = Field("件", max_length=10)
    list_price: MoneyIn
    tax_rate: Decimal = Field(default_factory=default_tax_rate, ge=0, le=1, max_digits=5, decimal_places=4)
    is_active: bool = True
    description: str = Field("", max_length=2000)


class ProductPatch(InputSchema):
    sku: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=200)
    model_number: str | None = Field(None, max_length=100)
    category: str | None = None
    unit: str | None = Field(None, max_length=10)
    list_price: MoneyIn | None = None
    tax_rate: Decimal | None = Field(None, ge=0, le=1, max_digits=5, decimal_places=4)
    is_active: bool | None = None
    description: str | None = Field(None, max_length=2000)


class ProductFilters(ListParams):
    active: bool | None = None
    category: str | None = Field(None, max_length=40)


PRODUCT_PICKS = {"category": "sales.product_category"}


def _products():
    return selectors.products(active_only=False)


@router.get("/products", response=ProductPage)
def product_list(request, params: Query[ProductFilters]):
    require_perm(request, "sales.view")
    queryset = filtered(_products(), is_active=params.active, category__code=params.category)
    if params.q:
        queryset = queryset.filter(Q(name__icontains=params.q) | Q(sku__istartswith=params.q))
    return page(request, queryset, params, sort="sku", allowed={"sku", "name", "id"})


@router.get("/products/{product_id}", response=ProductOut)
def product_get(request, product_id: int, response: HttpResponse):
    require_perm(request, "sales.view")
    return with_etag(response, ProductOut.from_orm(get_object_or_404(_products(), pk=product_id)))


@router.post("/products", response={201: ProductOut})
def product_create(request, payload: ProductIn):
    require_perm(request, "sales.manage")
    product = services.product_save(actor=request.user, **picked(payload.model_dump(), PRODUCT_PICKS))
    return Status(201, _products().get(pk=product.pk))


@router.patch("/products/{product_id}", response=ProductOut)
def product_update(request, product_id: int, payload: ProductPatch, response: HttpResponse):
    require_perm(request, "sales.manage")
    data = picked(payload.model_dump(exclude_unset=True), PRODUCT_PICKS)
    return patched(request, response, queryset=_products(), pk=product_id, out=ProductOut,
                    update=lambda product: services.product_save(actor=request.user, product=product, **data))


class PriceListOut(Schema):
    id: int
    name: str
    level: str | None
    currency: str = "CNY"
    prices: dict[str, Money]

    @staticmethod
    def resolve_level(obj):
        return code_of(obj.level)

    @staticmethod
    def resolve_prices(obj):
        return {item.product.sku: item.price for item in obj.items.select_related("product")}


@router.get("/price-lists", response=list[PriceListOut])
def price_list_list(request):
    require_perm(request, "sales.view")
    return list(PriceList.objects.filter(is_active=True).select_related("level"))


# --- pipelines and opportunities ---------------------------------------------------------
class StageOut(Schema):
    id: int
    name_zh: str
    name_en: str
    position: int
    probability: int
    kind: StageKind


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj):
        return list(obj.stages.order_by("position"))


@router.get("/pipelines", response=list[PipelineOut])
def pipeline_list(request):
    require_perm(request, "sales.view")
    services.default_pipeline()
    return list(Pipeline.objects.all())


class OpportunityOut(Schema):
    id: int
    name: str
    customer_id: int
    contact_id: int | None
    pipeline_id: int
    stage_id: int
    amount: Money
    currency: str = "CNY"
    expected_close_on: datetime.date | None
    competitor_id: int | None
    source: str | None
    lost_reason: str | None
    notes: str
    owner_id: int
    branch_id: int
    closed_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_source(obj):
        return code_of(obj.source)

    @staticmethod
    def resolve_lost_reason(obj):
        return code_of(obj.lost_reason)


class OpportunityPage(Schema):
    items: list[OpportunityOut]
    next_cursor: str | None


class OpportunityIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    customer_id: int
    contact_id: int | None = Field(None, description="a contact of the customer")
    stage_id: int | None = None
    amount: MoneyIn = Decimal("0")
    expected_close_on: datetime.date | None = None
    notes: str = Field("", max_length=4000)


class OpportunityPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    contact_id: int | None = Field(None, description="a contact of the opportunity's customer; null for none")
    amount: MoneyIn | None = None
    expected_close_on: datetime.date | None = None
    notes: str | None = Field(None, max_length=4000)


class OpportunityFilters(ListParams):
    stage_id: int | None = None
    owner_id: int | None = None
    customer_id: int | None = None
    expected_close_on_from: datetime.date | None = None
    expected_close_on_to: datetime.date | None = None


class MoveIn(InputSchema):
    stage_id: int
    lost_reason: str | None = Field(None, description="pick-list code; required when moving to a lost stage")


@router.get("/opportunities", response=OpportunityPage)
def opportunity_list(request, params: Query[OpportunityFilters]):
    require_perm(request, "sales.view")
    queryset = filtered(selectors.opportunities_visible_to(request.user), stage_id=params.stage_id,
                         owner_id=params.owner_id, customer_id=params.customer_id,
                         expected_close_on__gte=params.expected_close_on_from,
                         expected_close_on__lte=params.expected_close_on_to)
    if params.q:
        queryset = queryset.filter(name__icontains=params.q)
    return page(request, queryset, params, allowed={"created_at", "amount", "id"})


@router.get("/opportunities/{opportunity_id}", response=OpportunityOut)
def opportunity_get(request, opportunity_id: int, response: HttpResponse):
    require_perm(request, "sales.view")
    return with_etag(response, OpportunityOut.from_orm(selectors.opportunity_get(request.user, opportunity_id)))


@router.post("/opportunities", response={201: OpportunityOut})
def opportunity_create(request, payload: OpportunityIn):
    require_perm(request, "sales.create")
    data = payload.model_dump()
    customer = customer_selectors.customer_get(request.user, data.pop("customer_id"))
    stage_id = data.pop("stage_id")
    stage = get_or_invalid(Stage.objects.filter(kind=StageKind.OPEN), stage_id, "stage_id")
    data["contact"] = get_or_invalid(customer.contacts.all(), data.pop("contact_id"), "contact_id")
    opportunity = services.opportunity_create(actor=request.user, customer=customer, stage=stage, **data)
    return Status(201, selectors.opportunity_get(request.user, opportunity.pk))


@router.patch("/opportunities/{opportunity_id}", response=OpportunityOut)
def opportunity_update(request, opportunity_id: int, payload: OpportunityPatch, response: HttpResponse):
    require_perm(request, "sales.edit")
    data = payload.model_dump(exclude_unset=True)

    def update(opportunity):
        if "contact_id" in data:
            data["contact"] = get_or_invalid(opportunity.customer.contacts.all(), data.pop("contact_id"),
                                             "contact_id")
        return services.opportunity_update(actor=request.user, opportunity=opportunity, **data)

    return patched(request, response, queryset=selectors.opportunities_visible_to(request.user),
                    pk=opportunity_id, out=OpportunityOut, update=update)


@router.delete("/opportunities/{opportunity_id}", response={204: None})
def opportunity_delete(request, opportunity_id: int):
    """Move an opportunity to the recycle bin."""
    require_perm(request, "sales.delete")
    services.opportunity_delete(actor=request.user,
                                opportunity=selectors.opportunity_get(request.user, opportunity_id))
    return Status(204, None)


@router.post("/opportunities/{opportunity_id}/move", response=OpportunityOut)
def opportunity_move(request, opportunity_id: int, payload: MoveIn):
    require_perm(request, "sales.edit")
    opportunity = selectors.opportunity_get(request.user, opportunity_id)
    stage = get_or_invalid(Stage.objects.filter(pipeline=opportunity.pipeline), payload.stage_id, "stage_id")
    reason = pick("sales.lost_reason", payload.lost_reason, "lost_reason")
    services.opportunity_move(actor=request.user, opportunity=opportunity, stage=stage, lost_reason=reason)
    return selectors.opportunity_get(request.user, opportunity_id)


# --- leads ---------------------------------------------------------------------------
class LeadOut(Schema):
    id: int
    company: str
    name: str
    title: str
    mobile: str
    email: str
    source: str | None
    status: LeadStatus
    notes: str
    owner_id: int
    branch_id: int
    customer_id: int | None
    opportunity_id: int | None
    converted_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_source(obj):
        return code_of(obj.source)


class LeadPage(Schema):
    items: list[LeadOut]
    next_cursor: str | None


class LeadIn(InputSchema):
    company: str = Field(..., min_length=1, max_length=200)
    name: str = Field("", max_length=60)
    title: str = Field("", max_length=60)
    mobile: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    source: str | None = Field(None, description="pick-list code (customers.source)")
    notes: str = Field("", max_length=4000)


class LeadPatch(InputSchema):
    company: str | None = Field(None, min_length=1, max_length=200)
    name: str | None = Field(None, max_length=60)
    title: str | None = Field(None, max_length=60)
    mobile: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    source: str | None = None
    status: LeadStatus | None = Field(None, description="not `converted`: use POST /leads/{id}/convert")
    notes: str | None = Field(None, max_length=4000)


class LeadFilters(ListParams):
    status: LeadStatus | None = None
    owner_id: int | None = None
    source: str | None = Field(None, max_length=40)


class ConvertIn(InputSchema):
    opportunity_name: str = Field("", max_length=200)
    amount: MoneyIn = Decimal("0")
    customer_id: int | None = Field(None, description="convert into this existing customer instead of a new one")
    override_duplicate: bool = Field(False, description="managers: save the new customer despite a duplicate")


LEAD_PICKS = {"source": "customers.source"}


@router.get("/leads", response=LeadPage)
def lead_list(request, params: Query[LeadFilters]):
    require_perm(request, "sales.view")
    queryset = filtered(selectors.leads_visible_to(request.user), status=params.status, owner_id=params.owner_id,
                         source__code=params.source)
    if params.q:
        queryset = queryset.filter(Q(company__icontains=params.q) | Q(name__icontains=params.q)
                                   | Q(mobile__startswith=params.q))
    return page(request, queryset, params, allowed={"created_at", "id"})


@router.get("/leads/{lead_id}", response=LeadOut)
def lead_get(request, lead_id: int, response: HttpResponse):
    require_perm(request, "sales.view")
    return with_etag(response, LeadOut.from_orm(selectors.lead_get(request.user, lead_id)))


@router.post("/leads", response={201: LeadOut})
def lead_create(request, payload: LeadIn):
    require_perm(request, "sales.create")
    lead = services.lead_create(actor=request.user, **picked(payload.model_dump(), LEAD_PICKS))
    return Status(201, selectors.lead_get(request.user, lead.pk))


@router.patch("/leads/{lead_id}", response=LeadOut)
def lead_update(request, lead_id: int, payload: LeadPatch, response: HttpResponse):
    require_perm(request, "sales.edit")
    data = picked(payload.model_dump(exclude_unset=True), LEAD_PICKS)
    return patched(request, response, queryset=selectors.leads_visible_to(request.user), pk=lead_id,
                    out=LeadOut, update=lambda lead: services.lead_update(actor=request.user, lead=lead, **data))


@router.delete("/leads/{lead_id}", response={204: None})
def lead_delete(request, lead_id: int):
    """Move a lead to the recycle bin."""
    require_perm(request, "sales.delete")
    services.lead_delete(actor=request.user, lead=selectors.lead_get(request.user, lead_id))
    return Status(204, None)


@router.post("/leads/{lead_id}/convert", response=LeadOut)
def lead_convert(request, lead_id: int, payload: ConvertIn):
    require_perm(request, "sales.create")
    lead = selectors.lead_get(request.user, lead_id)
    data = payload.model_dump()
    customer_id = data.pop("customer_id")
    existing = customer_selectors.customer_get(request.user, customer_id) if customer_id is not None else None
    services.lead_convert(actor=request.user, lead=lead, existing_customer=existing, **data)
    return selectors.lead_get(request.user, lead_id)


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


def _document_create(request, payload, create):
    customer = customer_selectors.customer_get(request.user, payload.customer_id)
    data = _document_data(request, customer, payload)
    with fields_named(_line_field):
        return create(actor=request.user, customer=customer, **data).pk


def _document_update(request, response, *, queryset, pk, out, payload, update):
    def apply(document):
        data = _document_data(request, document.customer, payload, exclude_unset=True)
        with fields_named(_line_field):
            update(document, data)

    return patched(request, response, queryset=queryset, pk=pk, out=out, update=apply)


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
    total: Money
    currency: str
    owner_id: int
    branch_id: int
    lines: list[LineOut]
    created_at: datetime.datetime

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


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


class QuotePage(Schema):
    items: list[QuoteOut]
    next_cursor: str | None


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


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
    queryset = filtered(selectors.quotes_visible_to(request.user).prefetch_related("lines"), status=params.status,
                         customer_id=params.customer_id, owner_id=params.owner_id,
                         opportunity_id=params.opportunity_id)
    return page(request, _number_or_customer(queryset, params.q), params, allowed={"created_at", "total", "id"})


@router.get("/quotes/{quote_id}", response=QuoteOut)
def quote_get(request, quote_id: int, response: HttpResponse):
    require_perm(request, "sales.view")
    return with_etag(response, QuoteOut.from_orm(selectors.quote_get(request.user, quote_id)))


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
    return Status(201, selectors.quote_get(request.user, _document_create(request, payload, services.quote_create)))


@router.patch("/quotes/{quote_id}", response=QuoteOut)
def quote_update(request, quote_id: int, payload: QuotePatch, response: HttpResponse):
    require_perm(request, "sales.edit")
    return _document_update(request, response, queryset=selectors.quotes_visible_to(request.user), pk=quote_id,
                            out=QuoteOut, payload=payload,
                            update=lambda quote, data: services.quote_update(actor=request.user, quote=quote, **data))


@router.post("/quotes/{quote_id}/submit", response=QuoteOut)
def quote_submit(request, quote_id: int):
    """Discounts beyond the branch's limit go to approval first (status ``pending_approval``)."""
    require_perm(request, "sales.edit")
    services.quote_submit(actor=request.user, quote=selectors.quote_get(request.user, quote_id))
    return selectors.quote_get(request.user, quote_id)


@router.post("/quotes/{quote_id}/send", response=QuoteOut)
def quote_send(request, quote_id: int):
    """Mark a submitted quote as sent to the customer."""
    require_perm(request, "sales.edit")
    services.quote_mark_sent(actor=request.user, quote=selectors.quote_get(request.user, quote_id))
    return selectors.quote_get(request.user, quote_id)


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


@router.get("/orders", response=OrderPage)
def order_list(request, params: Query[OrderFilters]):
    require_perm(request, "sales.view")
    queryset = filtered(selectors.orders_visible_to(request.user).prefetch_related("lines"), status=params.status,
                         customer_id=params.customer_id, owner_id=params.owner_id,
                         delivery_date__gte=params.delivery_date_from, delivery_date__lte=params.delivery_date_to)
    return page(request, _number_or_customer(queryset, params.q), params, allowed={"created_at", "total", "id"})


@router.get("/orders/{order_id}", response=OrderOut)
def order_get(request, order_id: int, response: HttpResponse):
    require_perm(request, "sales.view")
    return with_etag(response, OrderOut.from_orm(selectors.order_get(request.user, order_id)))


@router.post("/orders", response={201: OrderOut})
def order_create(request, payload: OrderIn):
    require_perm(request, "sales.create")
    return Status(201, selectors.order_get(request.user, _document_create(request, payload, services.order_create)))


@router.patch("/orders/{order_id}", response=OrderOut)
def order_update(request, order_id: int, payload: OrderPatch, response: HttpResponse):
    require_perm(request, "sales.edit")
    return _document_update(request, response, queryset=selectors.orders_visible_to(request.user), pk=order_id,
                            out=OrderOut, payload=payload,
                            update=lambda order, data: services.order_update(actor=request.user, order=order, **data))


@router.post("/orders/{order_id}/confirm", response=OrderOut)
def order_confirm(request, order_id: int):
    """Submit a draft for the contract approval; confirmed at once when no step applies."""
    require_perm(request, "sales.edit")
    services.order_confirm(actor=request.user, order=selectors.order_get(request.user, order_id))
    return selectors.order_get(request.user, order_id)


@router.post("/orders/{order_id}/cancel", response=OrderOut)
def order_cancel(request, order_id: int, payload: CancelIn):
    """Cancel an order nothing has been shipped on; the reason goes into its remarks."""
    require_perm(request, "sales.edit")
    services.order_cancel(actor=request.user, order=selectors.order_get(request.user, order_id),
                          reason=payload.reason)
    return selectors.order_get(request.user, order_id)


# --- shipping notes --------------------------------------------------------------------
class ShipmentLineOut(Schema):
    order_line: int = Field(..., description="the order line's position")
    quantity: Decimal


class ShipmentOut(Schema):
    id: int
    number: str
    order_id: int
    warehouse: str | None
    ship_date: datetime.date
    notes: str
    lines: list[ShipmentLineOut]
    created_at: datetime.datetime

    @staticmethod
    def resolve_warehouse(obj):
        return code_of(obj.warehouse)

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


class ShipmentPage(Schema):
    items: list[ShipmentOut]
    next_cursor: str | None


class ShipmentFilters(ListParams):
    order_id: int | None = None


@router.get("/shipments", response=ShipmentPage)
def shipment_list(request, params: Query[ShipmentFilters]):
    require_perm(request, "sales.view")
    queryset = filtered(selectors.shipments_visible_to(request.user).prefetch_related("lines__order_line"),
                         order_id=params.order_id)
    if params.q:
        queryset = queryset.filter(Q(number__istartswith=params.q) | Q(order__number__istartswith=params.q))
    return page(request, queryset, params, allowed={"created_at", "ship_date", "id"})


@router.get("/shipments/{shipment_id}", response=ShipmentOut)
def shipment_get(request, shipment_id: int):
    require_perm(request, "sales.view")
    return selectors.shipment_get(request.user, shipment_id)


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
