"""products, price-lists, leads, pipelines, opportunities, quotes, orders, shipments."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core import picklists
from guanxi.core.errors import ValidationFailed
from guanxi.customers import selectors as customer_selectors
from guanxi.sales import selectors, services
from guanxi.sales.models import (
    LeadStatus,
    OrderStatus,
    Pipeline,
    PriceList,
    Product,
    QuoteStatus,
    Stage,
    StageKind,
)

from ..common import (
    InputSchema,
    check_if_match,
    cursor_list,
    get_or_invalid,
    locked,
    require_perm,
    with_etag,
)

router = Router(tags=["sales"])


class ListParams(Schema):
    limit: int | None = None
    cursor: str | None = None
    ordering: str | None = None
    q: str | None = Field(None, max_length=100)


def _pick(list_key, code, field):
    if code is None:
        return None
    item = picklists.items(list_key).filter(code=code).first()
    if item is None:
        raise ValidationFailed(_("Unknown value “%(code)s”.") % {"code": code}, field=field)
    return item


# --- products and price lists --------------------------------------------------------
class ProductOut(Schema):
    id: int
    sku: str
    name: str
    model_number: str
    category: str | None
    unit: str
    list_price: Decimal
    currency: str = "CNY"
    tax_rate: Decimal
    is_active: bool

    @staticmethod
    def resolve_category(obj):
        return obj.category.code if obj.category else None


class ProductPage(Schema):
    items: list[ProductOut]
    next_cursor: str | None


class ProductIn(InputSchema):
    sku: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=200)
    model_number: str = Field("", max_length=100)
    category: str | None = None
    unit: str = Field("件", max_length=10)
    list_price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    tax_rate: Decimal = Field(Decimal("0.13"), ge=0, le=1, max_digits=5, decimal_places=4)
    is_active: bool = True


@router.get("/products", response=ProductPage)
def product_list(request, params: Query[ListParams], active: bool | None = None):
    require_perm(request, "sales.view")
    queryset = selectors.products(active_only=False)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    if params.q:
        queryset = queryset.filter(name__icontains=params.q) | queryset.filter(sku__istartswith=params.q)
    return cursor_list(request, queryset, sort="sku", allowed_sorts={"sku", "name", "id"}, ordering=params.ordering,
                       cursor=params.cursor, limit=params.limit)


@router.get("/products/{product_id}", response=ProductOut)
def product_get(request, product_id: int, response: HttpResponse):
    require_perm(request, "sales.view")
    return with_etag(response, ProductOut.from_orm(get_object_or_404(Product, pk=product_id)))


@router.post("/products", response={201: ProductOut})
def product_create(request, payload: ProductIn):
    require_perm(request, "sales.manage")
    data = payload.model_dump()
    data["category"] = _pick("sales.product_category", data["category"], "category")
    return Status(201, services.product_save(actor=request.user, **data))


class PriceListOut(Schema):
    id: int
    name: str
    level: str | None
    prices: dict[str, Decimal]

    @staticmethod
    def resolve_level(obj):
        return obj.level.code if obj.level else None

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
    amount: Decimal
    currency: str = "CNY"
    expected_close_on: datetime.date | None
    competitor_id: int | None
    owner_id: int
    branch_id: int
    closed_at: datetime.datetime | None
    created_at: datetime.datetime


class OpportunityPage(Schema):
    items: list[OpportunityOut]
    next_cursor: str | None


class OpportunityIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    customer_id: int
    stage_id: int | None = None
    amount: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    expected_close_on: datetime.date | None = None
    notes: str = Field("", max_length=4000)


class OpportunityPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    expected_close_on: datetime.date | None = None
    notes: str | None = Field(None, max_length=4000)


class MoveIn(InputSchema):
    stage_id: int
    lost_reason: str | None = None


@router.get("/opportunities", response=OpportunityPage)
def opportunity_list(request, params: Query[ListParams], stage_id: int | None = None, owner_id: int | None = None,
                     customer_id: int | None = None):
    require_perm(request, "sales.view")
    queryset = selectors.opportunities_visible_to(request.user)
    for name, value in (("stage_id", stage_id), ("owner_id", owner_id), ("customer_id", customer_id)):
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if params.q:
        queryset = queryset.filter(name__icontains=params.q)
    return cursor_list(request, queryset, sort="-created_at", allowed_sorts={"created_at", "amount", "id"},
                       ordering=params.ordering, cursor=params.cursor, limit=params.limit)


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
    return Status(201, services.opportunity_create(actor=request.user, customer=customer, stage=stage, **data))


@router.patch("/opportunities/{opportunity_id}", response=OpportunityOut)
def opportunity_update(request, opportunity_id: int, payload: OpportunityPatch, response: HttpResponse):
    require_perm(request, "sales.edit")
    with transaction.atomic():
        opportunity = locked(selectors.opportunities_visible_to(request.user), opportunity_id)
        check_if_match(request, OpportunityOut.from_orm(opportunity))
        opportunity = services.opportunity_update(actor=request.user, opportunity=opportunity,
                                                  **payload.model_dump(exclude_unset=True))
    return with_etag(response, OpportunityOut.from_orm(opportunity))


@router.post("/opportunities/{opportunity_id}/move", response=OpportunityOut)
def opportunity_move(request, opportunity_id: int, payload: MoveIn):
    require_perm(request, "sales.edit")
    opportunity = selectors.opportunity_get(request.user, opportunity_id)
    stage = get_or_invalid(Stage.objects.filter(pipeline=opportunity.pipeline), payload.stage_id, "stage_id")
    reason = _pick("sales.lost_reason", payload.lost_reason, "lost_reason")
    return services.opportunity_move(actor=request.user, opportunity=opportunity, stage=stage, lost_reason=reason)


# --- leads ---------------------------------------------------------------------------
class LeadOut(Schema):
    id: int
    company: str
    name: str
    mobile: str
    email: str
    status: LeadStatus
    owner_id: int
    customer_id: int | None
    opportunity_id: int | None
    created_at: datetime.datetime


class LeadPage(Schema):
    items: list[LeadOut]
    next_cursor: str | None


class LeadIn(InputSchema):
    company: str = Field(..., min_length=1, max_length=200)
    name: str = Field("", max_length=60)
    title: str = Field("", max_length=60)
    mobile: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    source: str | None = None
    notes: str = Field("", max_length=4000)


class ConvertIn(InputSchema):
    opportunity_name: str = Field("", max_length=200)
    amount: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)


@router.get("/leads", response=LeadPage)
def lead_list(request, params: Query[ListParams], status: LeadStatus | None = None):
    require_perm(request, "sales.view")
    queryset = selectors.leads_visible_to(request.user)
    if status is not None:
        queryset = queryset.filter(status=status)
    if params.q:
        queryset = queryset.filter(company__icontains=params.q)
    return cursor_list(request, queryset, sort="-created_at", allowed_sorts={"created_at", "id"},
                       ordering=params.ordering, cursor=params.cursor, limit=params.limit)


@router.get("/leads/{lead_id}", response=LeadOut)
def lead_get(request, lead_id: int):
    require_perm(request, "sales.view")
    return selectors.lead_get(request.user, lead_id)


@router.post("/leads", response={201: LeadOut})
def lead_create(request, payload: LeadIn):
    require_perm(request, "sales.create")
    data = payload.model_dump()
    data["source"] = _pick("customers.source", data["source"], "source")
    return Status(201, services.lead_create(actor=request.user, **data))


@router.post("/leads/{lead_id}/convert", response=LeadOut)
def lead_convert(request, lead_id: int, payload: ConvertIn):
    require_perm(request, "sales.create")
    lead = selectors.lead_get(request.user, lead_id)
    return services.lead_convert(actor=request.user, lead=lead, **payload.model_dump())


# --- quotes and orders --------------------------------------------------------------------
class LineOut(Schema):
    position: int
    product_id: int | None
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal


class LineIn(InputSchema):
    product_id: int | None = None
    description: str = Field("", max_length=200)
    quantity: Decimal = Field(..., gt=0, max_digits=12, decimal_places=3)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    discount_percent: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)


def _lines(lines):
    result = []
    for index, line in enumerate(lines, start=1):
        data = line.model_dump()
        product_id = data.pop("product_id")
        data["product"] = get_or_invalid(Product.objects.filter(is_active=True), product_id,
                                         f"lines.{index}.product_id")
        if data["unit_price"] is None:
            data.pop("unit_price")
        result.append(data)
    return result


class DocumentOut(Schema):
    id: int
    number: str
    customer_id: int
    status: str
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    currency: str
    owner_id: int
    lines: list[LineOut]
    created_at: datetime.datetime

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class QuoteOut(DocumentOut):
    version: int
    valid_until: datetime.date | None


class OrderOut(DocumentOut):
    quote_id: int | None
    order_date: datetime.date
    delivery_date: datetime.date | None


class QuotePage(Schema):
    items: list[QuoteOut]
    next_cursor: str | None


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


class QuoteIn(InputSchema):
    customer_id: int
    valid_until: datetime.date | None = None
    lines: list[LineIn] = Field(..., min_length=1, max_length=500)


class OrderIn(InputSchema):
    customer_id: int
    delivery_date: datetime.date | None = None
    lines: list[LineIn] = Field(..., min_length=1, max_length=500)


def _number_or_customer(queryset, q):
    return queryset.filter(Q(number__istartswith=q) | Q(customer__name__icontains=q))


@router.get("/quotes", response=QuotePage)
def quote_list(request, params: Query[ListParams], status: QuoteStatus | None = None, customer_id: int | None = None):
    require_perm(request, "sales.view")
    queryset = selectors.quotes_visible_to(request.user).prefetch_related("lines")
    if status is not None:
        queryset = queryset.filter(status=status)
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    if params.q:
        queryset = _number_or_customer(queryset, params.q)
    return cursor_list(request, queryset, sort="-created_at", allowed_sorts={"created_at", "total", "id"},
                       ordering=params.ordering, cursor=params.cursor, limit=params.limit)


@router.get("/quotes/{quote_id}", response=QuoteOut)
def quote_get(request, quote_id: int):
    require_perm(request, "sales.view")
    return selectors.quote_get(request.user, quote_id)


@router.post("/quotes", response={201: QuoteOut})
def quote_create(request, payload: QuoteIn):
    require_perm(request, "sales.create")
    customer = customer_selectors.customer_get(request.user, payload.customer_id)
    return Status(201, services.quote_create(actor=request.user, customer=customer, valid_until=payload.valid_until,
                                             lines=_lines(payload.lines)))


@router.post("/quotes/{quote_id}/submit", response=QuoteOut)
def quote_submit(request, quote_id: int):
    require_perm(request, "sales.edit")
    return services.quote_submit(actor=request.user, quote=selectors.quote_get(request.user, quote_id))


@router.post("/quotes/{quote_id}/accept", response=OrderOut)
def quote_accept(request, quote_id: int):
    """The customer accepted: returns the order (the same one if accepted again)."""
    require_perm(request, "sales.edit")
    return services.quote_accept(actor=request.user, quote=selectors.quote_get(request.user, quote_id))


@router.get("/orders", response=OrderPage)
def order_list(request, params: Query[ListParams], status: OrderStatus | None = None, customer_id: int | None = None):
    require_perm(request, "sales.view")
    queryset = selectors.orders_visible_to(request.user).prefetch_related("lines")
    if status is not None:
        queryset = queryset.filter(status=status)
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    if params.q:
        queryset = _number_or_customer(queryset, params.q)
    return cursor_list(request, queryset, sort="-created_at", allowed_sorts={"created_at", "total", "id"},
                       ordering=params.ordering, cursor=params.cursor, limit=params.limit)


@router.get("/orders/{order_id}", response=OrderOut)
def order_get(request, order_id: int):
    require_perm(request, "sales.view")
    return selectors.order_get(request.user, order_id)


@router.post("/orders", response={201: OrderOut})
def order_create(request, payload: OrderIn):
    require_perm(request, "sales.create")
    customer = customer_selectors.customer_get(request.user, payload.customer_id)
    return Status(201, services.order_create(actor=request.user, customer=customer,
                                             delivery_date=payload.delivery_date, lines=_lines(payload.lines)))


@router.post("/orders/{order_id}/confirm", response=OrderOut)
def order_confirm(request, order_id: int):
    require_perm(request, "sales.edit")
    return services.order_confirm(actor=request.user, order=selectors.order_get(request.user, order_id))


class ShipmentOut(Schema):
    id: int
    number: str
    order_id: int
    ship_date: datetime.date
    lines: list[dict]

    @staticmethod
    def resolve_lines(obj):
        return [{"order_line": line.order_line.position, "quantity": str(line.quantity)}
                for line in obj.lines.all()]


class ShipmentIn(InputSchema):
    order_id: int
    quantities: dict[int, Decimal] = Field(..., description="order line position → quantity to ship")
    warehouse: str | None = None
    ship_date: datetime.date | None = None


class ShipmentPage(Schema):
    items: list[ShipmentOut]
    next_cursor: str | None


@router.get("/shipments", response=ShipmentPage)
def shipment_list(request, params: Query[ListParams], order_id: int | None = None):
    require_perm(request, "sales.view")
    queryset = selectors.shipments_visible_to(request.user).prefetch_related("lines__order_line")
    if order_id is not None:
        queryset = queryset.filter(order_id=order_id)
    if params.q:
        queryset = queryset.filter(Q(number__istartswith=params.q) | Q(order__number__istartswith=params.q))
    return cursor_list(request, queryset, sort="-created_at", allowed_sorts={"created_at", "ship_date", "id"},
                       ordering=params.ordering, cursor=params.cursor, limit=params.limit)


@router.get("/shipments/{shipment_id}", response=ShipmentOut)
def shipment_get(request, shipment_id: int):
    require_perm(request, "sales.view")
    return selectors.shipment_get(request.user, shipment_id)


@router.post("/shipments", response={201: ShipmentOut})
def shipment_create(request, payload: ShipmentIn):
    require_perm(request, "sales.ship")
    order = selectors.order_get(request.user, payload.order_id)
    by_position = {line.position: line.pk for line in order.lines.all()}
    unknown = [p for p in payload.quantities if p not in by_position]
    if unknown:
        raise ValidationFailed(_("Not a line of this order."), field=f"quantities.{unknown[0]}")
    quantities = {by_position[p]: q for p, q in payload.quantities.items()}
    warehouse = _pick("sales.warehouse", payload.warehouse, "warehouse")
    return Status(201, services.shipment_create(actor=request.user, order=order, quantities=quantities,
                                                warehouse=warehouse, ship_date=payload.ship_date))
