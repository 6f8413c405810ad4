"""Customers, their summary, the pool (CUS-1…CUS-6)."""


import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, BeforeValidator

from guanxi.core import picklists
from guanxi.core.errors import ValidationFailed
from guanxi.core.money import fen
from guanxi.core.phones import phone_field
from guanxi.customers import regions, selectors, services, summary
from guanxi.customers.models import (
    Customer,
    CustomerCategory,
    CustomerKind,
    LifecycleStage,
)
from guanxi.org.models import User

from ...common import (
    InputSchema,
    Page,
    PickCode,
    filtered,
    get_or_invalid,
    page,
    require_perm,
    with_etag,
)
from ...routes import update_route

router = Router()


# --- customers, their summary, the pool (CUS-1…CUS-6) -----------------------------------


# A region leaves as its name (its code in the ``…_code`` field beside it).
RegionName = Annotated[str, BeforeValidator(regions.name)]


class CustomerOut(Schema):
    id: int
    name: str
    kind: CustomerKind
    category: CustomerCategory
    owner_id: int | None
    branch_id: int
    phone: str
    mobile: str
    email: str
    wechat: str
    qq: str
    website: str
    province: RegionName
    province_code: str = Field(validation_alias="province")
    city: RegionName
    city_code: str = Field(validation_alias="city")
    district: RegionName
    district_code: str = Field(validation_alias="district")
    address: str
    industry: PickCode
    source: PickCode
    level: PickCode
    lifecycle_stage: LifecycleStage
    value_tier: str
    credit_limit: Decimal
    currency: str = "CNY"
    tags: list[str]
    next_follow_up_on: datetime.date | None
    last_contacted_at: datetime.datetime | None
    custom: dict
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_tags(obj):
        return sorted(tag.name for tag in obj.tags.all())

    @staticmethod
    def resolve_credit_limit(obj):
        return str(obj.credit_limit)


class CustomerPage(Page):
    items: list[CustomerOut]


# A phone as typed, checked by the validator forms and imports use (guanxi.core.phones).
Phone = Annotated[str, AfterValidator(phone_field)]


class CustomerIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: CustomerKind = CustomerKind.COMPANY
    category: CustomerCategory = CustomerCategory.PROSPECT
    phone: Phone = Field("", max_length=30)
    mobile: Phone = Field("", max_length=30)
    email: str = Field("", max_length=254)
    wechat: str = Field("", max_length=60)
    qq: str = Field("", max_length=20)
    website: str = Field("", max_length=300)
    province: str = Field("", max_length=2, description="GB/T 2260 province code, e.g. 44")
    city: str = Field("", max_length=4, description="city code, e.g. 4401")
    district: str = Field("", max_length=6, description="district code, e.g. 440106")
    address: str = Field("", max_length=300)
    industry: str | None = Field(None, description="pick-list code")
    source: str | None = Field(None, description="pick-list code")
    level: str | None = Field(None, description="pick-list code")
    lifecycle_stage: LifecycleStage = LifecycleStage.ACQUISITION
    credit_limit: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    currency: str = Field("CNY", pattern="^CNY$")
    tags: list[str] = Field(default_factory=list, max_length=20)
    next_follow_up_on: datetime.date | None = None
    notes: str = Field("", max_length=5000)
    custom: dict = Field(default_factory=dict)
    in_pool: bool = Field(False, description="create it straight into the public pool")


class CustomerPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: CustomerKind | None = None
    category: CustomerCategory | None = None
    phone: Phone | None = Field(None, max_length=30)
    mobile: Phone | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    wechat: str | None = Field(None, max_length=60)
    qq: str | None = Field(None, max_length=20)
    website: str | None = Field(None, max_length=300)
    province: str | None = Field(None, max_length=2)
    city: str | None = Field(None, max_length=4)
    district: str | None = Field(None, max_length=6)
    address: str | None = Field(None, max_length=300)
    industry: str | None = None
    source: str | None = None
    level: str | None = None
    lifecycle_stage: LifecycleStage | None = None
    credit_limit: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, pattern="^CNY$")
    tags: list[str] | None = Field(None, max_length=20)
    next_follow_up_on: datetime.date | None = None
    notes: str | None = Field(None, max_length=5000)
    custom: dict | None = None


class CustomerFilters(Schema):
    limit: int | None = None
    cursor: str | None = None
    ordering: str | None = None
    q: str | None = Field(None, max_length=100)
    category: CustomerCategory | None = None
    kind: CustomerKind | None = None
    owner_id: int | None = None
    in_pool: bool | None = None
    branch_id: int | None = None
    province: str | None = Field(None, max_length=2)
    city: str | None = Field(None, max_length=4)
    industry: str | None = None
    tag: str | None = Field(None, max_length=30)
    value_tier: Literal["A", "B", "C", "D"] | None = None


def _pick_refs(data):
    for field_name, key in (("industry", "customers.industry"), ("source", "customers.source"),
                            ("level", "customers.level")):
        if field_name in data:
            code = data[field_name]
            data[field_name] = None if code is None else picklists.items(key).filter(code=code).first()
            if code is not None and data[field_name] is None:
                raise ValidationFailed(_("Unknown value “%(code)s”.") % {"code": code}, field=field_name)
    data.pop("currency", None)
    return data


def _get(request, customer_id):
    return selectors.customer_get(request.user, customer_id)


class MoneyOut(Schema):
    amount: str = Field(..., description="decimal string with two places", examples=["1234.50"])
    currency: str = Field("CNY", description="ISO 4217")


class SummarySectionOut(Schema):
    title: str = Field(..., description="the section's heading in the request's language")
    count: int = Field(..., description="the customer's records of this kind that the caller may see")
    counts: dict[str, int] = Field(..., description="counts that sum the section up (open, overdue …)")
    money: dict[str, MoneyOut] = Field(..., description="amounts that sum it up (open_amount, outstanding …)")


class CustomerSummaryOut(Schema):
    customer_id: int
    name: str
    sections: dict[str, SummarySectionOut] = Field(..., description=(
        "by section key: contacts, interactions, opportunities, quotes, orders, shipments, receivables, "
        "receipts, invoices, tickets, feedback, plans (those the caller's roles may read)"))


def _summary_section(section):
    return {"title": section.title, "count": section.count,
            "counts": {f.key: f.value for f in section.figures if not f.money},
            "money": {f.key: {"amount": str(fen(f.value)), "currency": f.currency} for f in section.figures
                      if f.money}}


@router.get("/customers/{customer_id}/summary", response=CustomerSummaryOut)
def customer_summary(request, customer_id: int):
    """CUS-6: what every module holds about the customer, as far as the caller may see:
    per section a count, counts and money figures (the customer page's sections)."""
    require_perm(request, "customers.view")
    customer = _get(request, customer_id)
    return {"customer_id": customer.pk, "name": customer.name,
            "sections": {section.key: _summary_section(section)
                         for section in summary.customer_summary(request.user, customer)}}


@router.get("/customers", response=CustomerPage)
def customer_list(request, params: Query[CustomerFilters]):
    require_perm(request, "customers.view")
    queryset = selectors.customers_visible_to(request.user).prefetch_related("tags")
    if params.q:
        queryset = selectors.customer_search(queryset, params.q)
    filters = {"category": params.category, "kind": params.kind, "owner_id": params.owner_id,
               "branch_id": params.branch_id, "province": params.province, "city": params.city,
               "industry__code": params.industry, "tags__name": params.tag,
               "value_tier": params.value_tier}
    queryset = filtered(queryset, **filters)
    if params.in_pool is not None:
        queryset = queryset.filter(owner__isnull=params.in_pool)
    return page(request, queryset, params, sort="-created_at", allowed={"created_at", "name", "id"})


class DuplicateOut(Schema):
    id: int
    name: str
    reasons: list[str]
    whose: str
    visible: bool
    in_pool: bool
    claimable: bool
    score: int


@router.get("/customers/duplicates", response=list[DuplicateOut])
def customer_duplicates(request, name: str = Query("", max_length=200), phone: str = Query("", max_length=30),
                        email: str = Query("", max_length=254)):
    """Likely duplicates across the whole company; owners shown only as far as you may see."""
    require_perm(request, "customers.view")
    hits = selectors.duplicate_check(request.user, name=name, phone=phone, email=email, limit=20)
    return [{"id": h.customer.pk, "name": h.customer.name, "reasons": h.reasons, "whose": h.whose,
             "visible": h.visible, "in_pool": h.customer.owner_id is None, "claimable": h.claimable,
             "score": h.score} for h in hits]


@router.get("/customers/{customer_id}", response=CustomerOut)
def customer_get(request, customer_id: int, response: HttpResponse):
    require_perm(request, "customers.view")
    return with_etag(response, CustomerOut.from_orm(_get(request, customer_id)))


@router.post("/customers", response={201: CustomerOut})
def customer_create(request, payload: CustomerIn):
    require_perm(request, "customers.create")
    data = _pick_refs(payload.model_dump())
    in_pool = data.pop("in_pool")
    customer = services.customer_create(actor=request.user, owner=None if in_pool else ..., **data)
    return Status(201, selectors.customer_get(request.user, customer.pk))


update_route(router, "/customers", name="customer", perm="customers.edit", out=CustomerOut, patch=CustomerPatch,
             visible=selectors.customers_visible_to,
             update=lambda user, customer, data: services.customer_update(actor=user, customer=customer, **_pick_refs(data)))


@router.delete("/customers/{customer_id}", response={204: None})
def customer_delete(request, customer_id: int):
    """Move a customer to the recycle bin (restorable for 30 days)."""
    require_perm(request, "customers.delete")
    services.customer_delete(actor=request.user, customer=_get(request, customer_id))
    return Status(204, None)


class ReleaseIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=300)


class TransferIn(InputSchema):
    to_user_id: int | None = Field(..., description="null releases to the public pool")
    reason: str = Field("", max_length=300)


@router.post("/customers/{customer_id}/claim", response=CustomerOut)
def customer_claim(request, customer_id: int):
    require_perm(request, "customers.claim")
    customer = services.customer_claim(actor=request.user, customer=_get(request, customer_id))
    return _get(request, customer.pk)


@router.post("/customers/{customer_id}/release", response=CustomerOut)
def customer_release(request, customer_id: int, payload: ReleaseIn):
    require_perm(request, "customers.view")
    customer = services.customer_release(actor=request.user, customer=_get(request, customer_id),
                                         reason=payload.reason)
    return Customer.objects.get(pk=customer.pk)  # the caller held it a moment ago


@router.post("/customers/{customer_id}/transfer", response=CustomerOut)
def customer_transfer(request, customer_id: int, payload: TransferIn):
    require_perm(request, "customers.transfer")
    customer = _get(request, customer_id)
    to_user = get_or_invalid(User.objects.filter(is_active=True), payload.to_user_id, "to_user_id")
    services.customers_transfer(actor=request.user, customers=[customer], to_user=to_user, reason=payload.reason)
    return Customer.objects.get(pk=customer.pk)  # the caller held it a moment ago


