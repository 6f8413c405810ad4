"""Reads of loyalty (MKT-6, MKT-3): members and their points ledger in the user's scope."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from guanxi.customers.models import Customer
from guanxi.org.scopes import get_scoped, scoped
from guanxi.sales.models import PriceList

from ..models.loyalty import Coupon, Member, PointsMovement, Promotion

if TYPE_CHECKING:
    from guanxi.org.models import User


def members_visible_to(user: User) -> QuerySet[Member]:
    return scoped(Member.objects.select_related("customer", "tier"), user)


def member_get(user: User, pk: int) -> Member:
    """One member in the user's scope (404 otherwise)."""
    return get_scoped(Member.objects.select_related("customer", "tier", "customer__owner"), user, pk=pk)


def member_of_customer(user: User, customer: Customer) -> Member | None:
    return members_visible_to(user).filter(customer=customer).first()


def movements_of(user: User, member: Member) -> QuerySet[PointsMovement]:
    """The ledger of one member, newest first (the member must be in scope)."""
    return (scoped(PointsMovement.objects.filter(member=member), user)
            .select_related("created_by", "order").order_by("-created_at", "-pk"))


def coupons_list() -> QuerySet[Coupon]:
    return Coupon.objects.order_by("-created_at", "-pk")


def promotions_list() -> QuerySet[Promotion]:
    return Promotion.objects.select_related("category").order_by("-valid_until", "-pk")


def price_lists_visible_to(user: User) -> QuerySet[PriceList]:
    """Price lists: per level (seen by all who see sales), per customer (only customers in scope)."""
    return (PriceList.objects.filter(customer__isnull=True)
            | PriceList.objects.filter(customer__in=scoped(Customer.objects.all(), user))
            ).select_related("level", "customer")


def tier_prices(customer: Customer, product_ids: list[int], on: datetime.date) -> dict[int, Decimal]:
    """The member tier's prices of products, by product id (a price source for
    sales.prices_for): two queries for all of a document's products."""
    member = Member.objects.filter(customer=customer, is_active=True, tier__price_list__isnull=False).values(
        "tier__price_list_id").first()
    if member is None:
        return {}
    return dict(PriceList.objects.filter(PriceList.valid_q(on), pk=member["tier__price_list_id"],
                                         items__product_id__in=product_ids)
                .values_list("items__product_id", "items__price"))
