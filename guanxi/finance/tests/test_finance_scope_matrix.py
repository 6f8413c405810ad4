"""ORG-3 on money and purchasing: every demo user × receivables, receipts, suppliers and
purchase orders, on the list, search, export, API and detail, against brute force.
Payables and payments use the same screens, engine and API code as receivables and
receipts (one ``Side`` each), so their scope follows from these."""

from decimal import Decimal

import pytest

from guanxi.customers.services import customer_create
from guanxi.finance import services
from guanxi.finance.models import Receipt, Receivable
from guanxi.purchasing import services as purchasing
from guanxi.purchasing.models import PurchaseOrder, Supplier
from guanxi.testing.scope_matrix import assert_scope_matrix, matrix_users, owned_case

SELLERS = ["liuyang", "liyang", "huangli", "zhuwei", "hejing", "hanlei", "zengqiang"]
BUYERS = ["wuqiang", "dengchao"]


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


RECEIVABLES = owned_case("receivables", Receivable, module="finance", list_url="/finance/receivables/",
                         api="receivables", title_of=lambda r: r.number, search_term="矩阵财务", global_search=False)
RECEIPTS = owned_case("receipts", Receipt, module="finance", list_url="/finance/receipts/", api="receipts",
                      title_of=lambda r: r.number, search_term="矩阵", global_search=False)
SUPPLIERS = owned_case("suppliers", Supplier, module="purchasing", list_url="/purchasing/suppliers/",
                       api="suppliers", title_of=lambda s: s.name, search_term="矩阵供应商", global_search=False)
PURCHASE_ORDERS = owned_case("purchase orders", PurchaseOrder, module="purchasing", list_url="/purchasing/orders/",
                             api="purchase-orders", title_of=lambda o: o.number, search_term="矩阵供应商",
                             global_search=False)


@pytest.mark.parametrize("case", [RECEIVABLES, RECEIPTS, SUPPLIERS, PURCHASE_ORDERS], ids=lambda c: c.label)
def test_scope_matrix_for_money_and_purchasing(money, case):
    """ORG-3 (finance roles see their branch's money; salespeople only their customers'): no leak on any surface."""
    assert assert_scope_matrix(case, matrix_users()) >= 5
