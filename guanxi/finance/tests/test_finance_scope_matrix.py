"""ORG-3 on money and purchasing: every demo user × receivables, receipts, suppliers and
purchase orders, on the list, search, export, API and detail, against brute force.
Payables and payments use the same screens, engine and API code as receivables and
receipts (one ``Side`` each), so their scope follows from these."""

from decimal import Decimal

import pytest

from guanxi.customers.services import customer_create
from guanxi.finance import services
from guanxi.finance.models import Receipt, Receivable
from guanxi.org.models import User
from guanxi.purchasing import services as purchasing
from guanxi.purchasing.models import PurchaseOrder, Supplier
from guanxi.testing.scope_matrix import ScopeCase, assert_scope_matrix

SELLERS = ["liuyang", "liyang", "huangli", "zhuwei", "hejing", "hanlei", "zengqiang"]
BUYERS = ["wuqiang", "dengchao"]


def _users():
    return list(User.objects.prefetch_related("roles").select_related("department__parent", "manager"))


@pytest.fixture
def money(demo_org):
    """A customer, a receivable and a receipt for sellers across the branches and tiers."""
    cashier = demo_org["chenzhiqiang"]
    for username in SELLERS:
        seller = demo_org[username]
        customer = customer_create(actor=seller, name=f"矩阵财务客户{username}")
        services.receivable_create(actor=cashier, customer=customer, amount="1000")
        services.receipt_record(actor=cashier, customer=customer, amount="300", reference=f"矩阵{username}")
    for username in BUYERS:
        buyer = demo_org[username]
        supplier = purchasing.supplier_save(actor=buyer, name=f"矩阵供应商{username}")
        purchasing.purchase_order_create(actor=buyer, supplier=supplier, lines=[
            {"description": "矩阵料", "quantity": Decimal("1"), "unit_price": Decimal("10")}])


RECEIVABLES = ScopeCase(
    label="receivables", permission="finance.view",
    records=lambda: Receivable.objects.select_related("owner__department__parent", "owner__manager"),
    owner_of=lambda r: r.owner, branch_of=lambda r: r.branch_id, title_of=lambda r: r.number,
    list_url="/finance/receivables/", detail_url=lambda r: f"/finance/receivables/{r.pk}/",
    detail_pattern=r'href="/finance/receivables/(\d+)/"', search_term="矩阵财务",
    api_list="/api/v1/receivables", api_detail=lambda r: f"/api/v1/receivables/{r.pk}",
    export_url="/finance/receivables/?export=csv", export_permission="finance.export", global_search=False,
)
RECEIPTS = ScopeCase(
    label="receipts", permission="finance.view",
    records=lambda: Receipt.objects.select_related("owner__department__parent", "owner__manager"),
    owner_of=lambda r: r.owner, branch_of=lambda r: r.branch_id, title_of=lambda r: r.number,
    list_url="/finance/receipts/", detail_url=lambda r: f"/finance/receipts/{r.pk}/",
    detail_pattern=r'href="/finance/receipts/(\d+)/"', search_term="矩阵",
    api_list="/api/v1/receipts", api_detail=lambda r: f"/api/v1/receipts/{r.pk}",
    export_url="/finance/receipts/?export=csv", export_permission="finance.export", global_search=False,
)
SUPPLIERS = ScopeCase(
    label="suppliers", permission="purchasing.view",
    records=lambda: Supplier.objects.select_related("owner__department__parent", "owner__manager"),
    owner_of=lambda s: s.owner, branch_of=lambda s: s.branch_id, title_of=lambda s: s.name,
    list_url="/purchasing/suppliers/", detail_url=lambda s: f"/purchasing/suppliers/{s.pk}/",
    detail_pattern=r'href="/purchasing/suppliers/(\d+)/"', search_term="矩阵供应商",
    api_list="/api/v1/suppliers", api_detail=lambda s: f"/api/v1/suppliers/{s.pk}",
    export_url="/purchasing/suppliers/?export=csv", export_permission="purchasing.export", global_search=False,
)
PURCHASE_ORDERS = ScopeCase(
    label="purchase orders", permission="purchasing.view",
    records=lambda: PurchaseOrder.objects.select_related("owner__department__parent", "owner__manager"),
    owner_of=lambda o: o.owner, branch_of=lambda o: o.branch_id, title_of=lambda o: o.number,
    list_url="/purchasing/orders/", detail_url=lambda o: f"/purchasing/orders/{o.pk}/",
    detail_pattern=r'href="/purchasing/orders/(\d+)/"', search_term="矩阵供应商",
    api_list="/api/v1/purchase-orders", api_detail=lambda o: f"/api/v1/purchase-orders/{o.pk}",
    export_url="/purchasing/orders/?export=csv", export_permission="purchasing.export", global_search=False,
)


@pytest.mark.parametrize("case", [RECEIVABLES, RECEIPTS, SUPPLIERS, PURCHASE_ORDERS], ids=lambda c: c.label)
def test_scope_matrix_for_money_and_purchasing(money, case):
    """ORG-3 (finance roles see their branch's money; salespeople only their customers'): no leak on any surface."""
    assert assert_scope_matrix(case, _users()) >= 5
