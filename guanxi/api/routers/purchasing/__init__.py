"""suppliers, purchase-orders and goods-receipts (API.md; PUR-1 suppliers, PUR-2 purchase
orders, PUR-3 goods receipts, ORG-3 scopes).

Suppliers and purchase orders belong to the purchaser who made them and their branch; a
goods receipt is in the scope of its order and makes the payable (FIN-2) in the same
transaction. The list, money and PATCH helpers are the finance router's."""

from guanxi.api.common import domain_router

from . import goods_receipts, orders, suppliers

router = domain_router("purchasing", suppliers.router, orders.router, goods_receipts.router)
