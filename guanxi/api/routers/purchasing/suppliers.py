"""Suppliers (PUR-1)."""


import datetime
from typing import ClassVar

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from guanxi.customers import selectors as customer_selectors
from guanxi.purchasing import selectors, services

from ...common import (
    InputSchema,
    ListParams,
    Page,
    PickCode,
    patched,
    pick,
    require_perm,
    resolved,
)
from ...routes import delete_route, list_and_get
from ._shared import SUPPLIES

router = Router()


# --- suppliers (PUR-1) ------------------------------------------------------------------------
class SupplierOut(Schema):
    id: int
    name: str
    code: str
    category: PickCode = Field(description="what they supply: pick-list code (purchasing.supplier_category)")
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


class SupplierPage(Page):
    items: list[SupplierOut]


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
    return resolved(data, customer=customer_selectors.customers_visible_to(request.user))


list_and_get(router, "/suppliers", name="supplier", perm="purchasing.view", page=SupplierPage, out=SupplierOut,
             filters=SupplierFilters, visible=selectors.suppliers_visible_to, get=selectors.supplier_get, etag=True,
             list_doc="PUR-1: suppliers in the caller's scope.")


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


delete_route(router, "/suppliers", name="supplier", perm="purchasing.delete", get=selectors.supplier_get,
             delete=services.supplier_delete,
             doc="PUR-1: move a supplier to the recycle bin; refused (409) while it has open purchase orders.")


