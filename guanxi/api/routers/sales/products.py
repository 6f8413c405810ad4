"""Products and price lists."""


import datetime
from decimal import Decimal

from django.db.models import Q
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.money import default_tax_rate
from guanxi.customers.models import Customer
from guanxi.org.scopes import scoped
from guanxi.sales import selectors, services
from guanxi.sales.models import (
    PriceList,
)

from ...common import (
    InputSchema,
    ListParams,
    Money,
    Page,
    PickCode,
    filtered,
    page,
    patched,
    picked,
    require_perm,
    searched,
)
from ...routes import get_route
from ._shared import MoneyIn

router = Router()


# --- products and price lists --------------------------------------------------------
class ProductOut(Schema):
    id: int
    sku: str
    name: str
    model_number: str
    category: PickCode
    unit: str
    list_price: Money
    currency: str = "CNY"
    tax_rate: Decimal
    is_active: bool
    description: str


class ProductPage(Page):
    items: list[ProductOut]


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
    queryset = searched(queryset, params.q, "name__icontains", "sku__istartswith")
    return page(request, queryset, params, sort="sku", allowed={"sku", "name", "id"})


get_route(router, "/products", name="product", perm="sales.view", out=ProductOut, visible=lambda user: _products(),
          etag=True)


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
    level: PickCode
    customer_id: int | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    currency: str = "CNY"
    prices: dict[str, Money]

    @staticmethod
    def resolve_prices(obj):
        return {item.product.sku: item.price for item in obj.items.all()}


@router.get("/price-lists", response=list[PriceListOut])
def price_list_list(request):
    require_perm(request, "sales.view")
    # One-to-one price lists only of customers in the caller's scope.
    return list(PriceList.objects.filter(Q(customer__isnull=True) | Q(customer__in=scoped(Customer.objects.all(),
                                                                                          request.user)),
                                         is_active=True).select_related("level").prefetch_related("items__product"))


