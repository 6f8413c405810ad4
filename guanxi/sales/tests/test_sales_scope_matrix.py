"""ORG-3 for leads, quotes, orders and shipping notes: every demo user × every record, on
the list, search, export, detail page and the API (opportunities: test_sales_views.py)."""

from decimal import Decimal

import pytest

from guanxi.customers.services import customer_create
from guanxi.org.models import Branch, User
from guanxi.sales import services
from guanxi.sales.models import Lead, Order, Product, Quote, Shipment
from guanxi.testing.scope_matrix import assert_scope_matrix, matrix_users, owned_case


def _sellers():
    return [u for u in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk")
            if u.has_module_perm("sales.create") and u.has_module_perm("customers.create")]


@pytest.fixture
def matrix_records(demo_org):
    """For every seller: a customer, a lead, a quote and a confirmed order, shipped in part
    by the chairman (so a shipping note's creator is never what decides who sees it).
    刘洋's records are booked to Shenzhen, as if he had moved: the branch path and the
    owner path then disagree, and both must count."""
    product = Product.objects.create(sku="GX-MATRIX", name="矩阵产品", list_price=Decimal("100.00"))
    chairman = demo_org["chenzhiqiang"]
    for user in _sellers():
        customer = customer_create(actor=user, name=f"矩阵客户{user.username}")
        services.lead_create(actor=user, company=f"矩阵线索{user.username}")
        services.quote_create(actor=user, customer=customer, lines=[{"product": product, "quantity": Decimal(1)}])
        order = services.order_create(actor=user, customer=customer,
                                      lines=[{"product": product, "quantity": Decimal(5)}])
        services.order_confirm(actor=user, order=order)
        services.shipment_create(actor=chairman, order=order, quantities={order.lines.get().pk: Decimal(1)})
    shenzhen = Branch.objects.get(code="sz")
    moved = demo_org["liuyang"]
    for model in (Lead, Quote, Order):
        assert model.objects.filter(owner=moved).update(branch=shenzhen) == 1
    assert Shipment.objects.exclude(created_by=chairman).count() == 0


def _owned(label, model, *, title_of, search_term, url, api, owner="owner"):
    """A ScopeCase for a sales model (its owner's scope and branch)."""
    return owned_case(label, model, module="sales", list_url=f"/sales/{url}/", api=api, title_of=title_of,
                      search_term=search_term, owner=owner, global_search=False)


LEADS = _owned("leads", Lead, title_of=lambda lead: lead.company, search_term="矩阵", url="leads", api="leads")
QUOTES = _owned("quotes", Quote, title_of=lambda quote: quote.number, search_term="矩阵", url="quotes",
                api="quotes")
ORDERS = _owned("orders", Order, title_of=lambda order: order.number, search_term="矩阵", url="orders",
                api="orders")
SHIPMENTS = _owned("shipments", Shipment, title_of=lambda s: s.number, search_term="SN-", url="shipments",
                   api="shipments", owner="order.owner")


@pytest.mark.parametrize("case", [LEADS, QUOTES, ORDERS, SHIPMENTS], ids=lambda case: case.label)
def test_scope_matrix_for_sales_records(matrix_records, case):
    """ORG-3 with SAL-1 (leads), SAL-3 (quotes), SAL-4 (orders) and SAL-5 (shipping notes,
    seen by whoever sees their order, whoever made them): every surface, every user."""
    assert assert_scope_matrix(case, matrix_users()) >= 20
