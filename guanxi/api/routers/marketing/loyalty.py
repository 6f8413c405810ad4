"""marketing/loyalty: members, their points ledger and redemptions, coupons (API.md).
Members are scoped like the customer they belong to (out of scope answers 404);
redemptions honour ``Idempotency-Key`` (the middleware, and the ledger's source key)."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from guanxi.marketing.selectors import loyalty as selectors
from guanxi.marketing.services import loyalty as services
from guanxi.sales.selectors import orders_visible_to

from ...common import InputSchema, ListParams, Money, get_or_invalid, listing, require_perm
from ...routes import list_and_get
from ..finance._shared import IDEMPOTENT

router = Router()


class MemberOut(Schema):
    id: int
    number: str
    customer_id: int
    customer_name: str = Field(..., alias="customer.name")
    tier: str | None
    points_balance: int = Field(..., alias="balance")
    joined_on: datetime.date
    is_active: bool

    @staticmethod
    def resolve_tier(obj):
        return obj.tier.name if obj.tier_id else None


class MemberPage(Schema):
    items: list[MemberOut]
    next_cursor: str | None


class MemberFilters(ListParams):
    customer_id: int | None = None
    tier_id: int | None = None

    lookups = {"customer_id": "customer_id", "tier_id": "tier_id"}
    search = ("number__istartswith", "customer__name__icontains")
    sorts = {"id", "created_at", "balance", "number"}


class MovementOut(Schema):
    id: int
    kind: str
    points: int
    amount: Money
    currency: str = "CNY"
    source_key: str
    reason: str
    order_id: int | None
    expires_on: datetime.date | None
    created_at: datetime.datetime


class MovementPage(Schema):
    items: list[MovementOut]
    next_cursor: str | None


class MovementFilters(ListParams):
    kind: str | None = None

    lookups = {"kind": "kind"}
    sorts = {"id", "created_at"}


class RedemptionIn(InputSchema):
    points: int = Field(..., ge=1, le=99_999_999)
    order_id: int | None = Field(None, description="a draft order of the member's customer: money off the order")
    reason: str = Field("", max_length=200, description="what the points buy (a gift), without order_id")


class CouponOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    value: Money
    min_order: Money
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    max_uses: int | None
    per_customer_limit: int
    is_active: bool


class CouponPage(Schema):
    items: list[CouponOut]
    next_cursor: str | None


class CouponFilters(ListParams):
    is_active: bool | None = None

    lookups = {"is_active": "is_active"}
    search = ("code__istartswith", "name__icontains")


def _member(request, member_id):
    return get_object_or_404(selectors.members_visible_to(request.user), pk=member_id)


list_and_get(router, "/members", name="member", perm="marketing.view", page=MemberPage, out=MemberOut,
             filters=MemberFilters, visible=selectors.members_visible_to)


@router.get("/members/{member_id}/points", response=MovementPage)
def member_points(request, member_id: int, params: Query[MovementFilters]):
    """The member's points ledger, newest first by default (cursor pages)."""
    require_perm(request, "marketing.view")
    member = _member(request, member_id)
    return listing(request, selectors.movements_of(request.user, member).order_by(), params)


@router.post("/members/{member_id}/redemptions", response={201: MovementOut}, openapi_extra=IDEMPOTENT)
def member_redeem(request, member_id: int, payload: RedemptionIn):
    """Redeem points for money off a draft order, or for a gift (``reason``)."""
    require_perm(request, "marketing.edit")
    member = _member(request, member_id)
    key = request.headers.get("Idempotency-Key")
    if payload.order_id is not None:
        order = get_or_invalid(orders_visible_to(request.user), payload.order_id, "order_id")
        movement = services.points_redeem_for_order(actor=request.user, member=member, order=order,
                                                    points=payload.points, idempotency_key=key)
    else:
        movement = services.points_redeem_gift(actor=request.user, member=member, points=payload.points,
                                               reason=payload.reason, idempotency_key=key)
    return Status(201, movement)


@router.get("/coupons", response=CouponPage)
def coupon_list(request, params: Query[CouponFilters]):
    require_perm(request, "marketing.view")
    return listing(request, selectors.coupons_list().order_by(), params)
