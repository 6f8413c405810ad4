"""SAL-4 / SAL-3: the discount limit holds for orders as for quotes. An order with a line
beyond the branch's limit goes through the discount approval before it is confirmed,
however it was made or changed (services, pages, API)."""

from decimal import Decimal

import pytest

from guanxi.approvals.models import ApprovalPolicy, ApprovalStep, ApproverKind
from guanxi.approvals.services import approval_decide, latest_for
from guanxi.customers.services import customer_create
from guanxi.sales import services
from guanxi.sales.models import Order, OrderStatus, Product, QuoteStatus
from guanxi.sales.tests.test_sales_api import Api

LIMIT = Decimal("10")  # the default limit of the branch


@pytest.fixture
def manager(demo_org):
    return demo_org["wangjianguo"]  # 刘洋's manager


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州折扣客户有限公司")


@pytest.fixture
def product(db):
    return Product.objects.create(sku="GX-DC1", name="工业显示器", list_price=Decimal("1000.00"))


@pytest.fixture(autouse=True)
def discount_policy(demo_org):
    """The discount approval flow: the manager decides."""
    policy = ApprovalPolicy.objects.create(doc_type="sales.quote_discount", name="折扣审批")
    ApprovalStep.objects.create(policy=policy, position=1, name="经理", approver_kind=ApproverKind.MANAGER)
    return policy


def _order(seller, customer, product, discount):
    return services.order_create(actor=seller, customer=customer, lines=[
        {"product": product, "quantity": Decimal("2"), "discount_percent": Decimal(discount)}])


def test_an_order_at_the_limit_confirms_at_once(seller, customer, product):
    """SAL-4: a discount at the limit needs no approval."""
    order = services.order_confirm(actor=seller, order=_order(seller, customer, product, LIMIT))
    assert order.status == OrderStatus.CONFIRMED
    assert latest_for("sales.order_discount", order.pk) is None


def test_an_order_over_the_limit_waits_for_the_discount_approval(seller, customer, product, manager):
    """SAL-4: 95% off with the limit at 10%: not confirmed until the manager approves."""
    order = services.order_confirm(actor=seller, order=_order(seller, customer, product, "95"))
    assert order.status == OrderStatus.PENDING_APPROVAL and order.confirmed_at is None
    request = latest_for("sales.order_discount", order.pk)
    assert request is not None and request.status == "pending"
    approval_decide(actor=manager, request=request, approve=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED  # no contract flow configured: confirmed after the discount


def test_a_rejected_discount_returns_the_order_to_draft(seller, customer, product, manager):
    """SAL-4: rejected: the order is a draft again, to be changed."""
    order = services.order_confirm(actor=seller, order=_order(seller, customer, product, "30"))
    approval_decide(actor=manager, request=latest_for("sales.order_discount", order.pk), approve=False,
                    comment="折扣太大")
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_the_contract_flow_follows_an_approved_discount(seller, customer, product, manager):
    """SAL-4: with a contract flow too, the discount is approved first, then the contract."""
    policy = ApprovalPolicy.objects.create(doc_type="sales.contract", name="合同审批")
    ApprovalStep.objects.create(policy=policy, position=1, name="经理", approver_kind=ApproverKind.MANAGER)
    order = services.order_confirm(actor=seller, order=_order(seller, customer, product, "30"))
    approval_decide(actor=manager, request=latest_for("sales.order_discount", order.pk), approve=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL
    approval_decide(actor=manager, request=latest_for("sales.contract", order.pk), approve=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_an_order_from_an_approved_quote_needs_no_second_approval(seller, customer, product, manager):
    """SAL-3: the quote's discount was approved; the order made from it keeps that approval."""
    quote = services.quote_create(actor=seller, customer=customer, lines=[
        {"product": product, "quantity": Decimal("1"), "discount_percent": Decimal("25")}])
    services.quote_submit(actor=seller, quote=quote)
    approval_decide(actor=manager, request=latest_for("sales.quote_discount", quote.pk), approve=True)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED
    order = services.order_confirm(actor=seller, order=services.quote_accept(actor=seller, quote=quote))
    assert order.status == OrderStatus.CONFIRMED


def _form(customer, product, discount):
    return {"customer": customer.pk, "product_1": product.sku, "quantity_1": "2", "discount_1": str(discount)}


@pytest.mark.parametrize(("discount", "expected"), [(LIMIT, OrderStatus.CONFIRMED),
                                                    (Decimal("95"), OrderStatus.PENDING_APPROVAL)])
def test_pages_create_then_confirm(seller, customer, product, client_for, discount, expected):
    """SAL-4 (pages): an order typed with the discount, then confirmed."""
    client = client_for(seller)
    assert client.post("/sales/orders/new/", _form(customer, product, discount)).status_code == 302
    order = Order.objects.get()
    client.post(f"/sales/orders/{order.pk}/confirm/")
    order.refresh_from_db()
    assert order.status == expected
    page = client.get(f"/sales/orders/{order.pk}/").content.decode()
    request = latest_for("sales.order_discount", order.pk)
    assert (request is not None and request.get_absolute_url() in page) == (expected == OrderStatus.PENDING_APPROVAL)


@pytest.mark.parametrize(("discount", "expected"), [(LIMIT, OrderStatus.CONFIRMED),
                                                    (Decimal("95"), OrderStatus.PENDING_APPROVAL)])
def test_pages_edit_then_confirm(seller, customer, product, client_for, discount, expected):
    """SAL-4 (pages): a plain order edited to the discount, then confirmed."""
    client = client_for(seller)
    order = _order(seller, customer, product, "0")
    response = client.post(f"/sales/orders/{order.pk}/edit/", _form(customer, product, discount))
    assert response.status_code == 302
    client.post(f"/sales/orders/{order.pk}/confirm/")
    order.refresh_from_db()
    assert order.status == expected and order.lines.get().discount_percent == discount


@pytest.mark.parametrize(("discount", "expected"), [(LIMIT, OrderStatus.CONFIRMED),
                                                    (Decimal("95"), OrderStatus.PENDING_APPROVAL)])
def test_api_create_then_confirm(seller, customer, product, discount, expected):
    """SAL-4 (API): an order posted with the discount, then confirmed."""
    api = Api(seller)
    created = api.post("/api/v1/orders", {"customer_id": customer.pk, "lines": [
        {"product_id": product.pk, "quantity": "2", "discount_percent": str(discount)}]})
    assert created.status_code == 201, created.content
    confirmed = api.post(f"/api/v1/orders/{created.json()['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == expected


@pytest.mark.parametrize(("discount", "expected"), [(LIMIT, OrderStatus.CONFIRMED),
                                                    (Decimal("95"), OrderStatus.PENDING_APPROVAL)])
def test_api_edit_then_confirm(seller, customer, product, discount, expected):
    """SAL-4 (API): a plain order patched to the discount, then confirmed."""
    api = Api(seller)
    order = _order(seller, customer, product, "0")
    url = f"/api/v1/orders/{order.pk}"
    patched = api.patch(url, {"lines": [{"product_id": product.pk, "quantity": "2",
                                         "discount_percent": str(discount)}]}, headers={"If-Match": api.get(url)["ETag"]})
    assert patched.status_code == 200, patched.content
    assert api.post(f"{url}/confirm").json()["status"] == expected
