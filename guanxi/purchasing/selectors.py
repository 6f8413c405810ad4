"""Reads of purchasing records; every one through the scope helper."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from guanxi.org.scopes import get_scoped, scoped

from .models import GoodsReceipt, PurchaseOrder, Supplier

if TYPE_CHECKING:
    from guanxi.org.models import User


def suppliers_visible_to(user: User) -> QuerySet[Supplier]:
    return scoped(Supplier.objects.prefetch_related("owner", "category"), user)


def supplier_get(user: User, pk: int) -> Supplier:
    return get_scoped(Supplier.objects.select_related("owner", "branch", "category", "customer"), user, pk=pk)


def purchase_orders_visible_to(user: User) -> QuerySet[PurchaseOrder]:
    return scoped(PurchaseOrder.objects.prefetch_related("supplier", "owner"), user)


def purchase_order_get(user: User, pk: int) -> PurchaseOrder:
    return get_scoped(PurchaseOrder.objects.select_related("supplier", "owner", "branch"), user, pk=pk)


def goods_receipts_visible_to(user: User) -> QuerySet[GoodsReceipt]:
    return scoped(GoodsReceipt.objects.prefetch_related("order__supplier", "warehouse"), user)


def goods_receipt_get(user: User, pk: int) -> GoodsReceipt:
    return get_scoped(GoodsReceipt.objects.select_related("order__supplier", "warehouse", "created_by")
                      .prefetch_related("lines__order_line"), user, pk=pk)


def suppliers_deleted_visible_to(user: User) -> QuerySet[Supplier]:
    return scoped(Supplier.all_objects.filter(deleted_at__isnull=False).select_related("owner", "deleted_by"), user)
