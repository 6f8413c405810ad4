"""SAL-4 / FIN-1: cancelling an order cancels its unpaid receivables, in one transaction;
money already settled on them refuses the cancel and says what to do."""

from decimal import Decimal

import pytest

from guanxi.core.errors import Conflict
from guanxi.customers.services import customer_create
from guanxi.finance import services
from guanxi.finance.models import Receivable, ReceivableStatus
from guanxi.sales import services as sales
from guanxi.sales.models import Order, OrderStatus
from guanxi.sales.tests.test_sales_api import Api, _problem
from guanxi.testing.sales import confirmed_order


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州取消订单客户有限公司")


def test_cancelling_an_order_cancels_its_unpaid_receivable(seller, customer):
    """SAL-4: the order's open receivable is cancelled with the order."""
    order = confirmed_order(seller, customer, ((2, "500.00"),))
    receivable = Receivable.objects.get(order=order)
    assert receivable.status == ReceivableStatus.OPEN
    sales.order_cancel(actor=seller, order=order, reason="客户取消采购")
    receivable.refresh_from_db()
    order.refresh_from_db()
    assert (order.status, receivable.status) == (OrderStatus.CANCELLED, ReceivableStatus.CANCELLED)


def test_cancelling_an_order_with_money_settled_is_refused_and_changes_nothing(seller, customer, cashier):
    """SAL-4: a receipt applied to the order's receivable refuses the cancel (reverse the allocation first)."""
    order = confirmed_order(seller, customer, ((2, "500.00"),))
    receivable = Receivable.objects.get(order=order)
    services.receipt_record(actor=cashier, customer=customer, amount=Decimal("200.00"),
                            allocate=[(receivable, Decimal("200.00"))])
    before = (Order.objects.get(pk=order.pk).status, Receivable.objects.get(pk=receivable.pk).status)
    with pytest.raises(Conflict) as caught:
        sales.order_cancel(actor=seller, order=order, reason="客户取消采购")
    assert "allocation" in str(caught.value.message) or "核销" in str(caught.value.message)
    assert receivable.number in str(caught.value.message)
    after = (Order.objects.get(pk=order.pk).status, Receivable.objects.get(pk=receivable.pk).status)
    assert after == before == (OrderStatus.CONFIRMED, ReceivableStatus.PARTLY_PAID)


def test_a_refused_cancel_leaves_the_other_receivables_open(seller, customer, cashier):
    """SAL-4: nothing half-changes: with one instalment paid, the unpaid ones stay open too."""
    order = confirmed_order(seller, customer, ((2, "500.00"),))
    first = Receivable.objects.get(order=order)
    # a second receivable of the same order (an instalment), nothing settled on it
    Receivable.objects.create(number="AR-TEST-2", customer=customer, order=order, owner=seller,
                              branch=order.branch, amount=Decimal("50.00"), due_on=first.due_on,
                              created_by=seller)
    services.receipt_record(actor=cashier, customer=customer, amount=Decimal("100.00"),
                            allocate=[(first, Decimal("100.00"))])
    with pytest.raises(Conflict):
        sales.order_cancel(actor=seller, order=order, reason="客户取消采购")
    statuses = set(Receivable.objects.filter(order=order).values_list("status", flat=True))
    assert ReceivableStatus.CANCELLED not in statuses


def test_cancelling_twice_is_refused_and_changes_nothing(seller, customer):
    """SAL-4: a second cancel is a 409 and leaves the order and its receivable as they were."""
    order = confirmed_order(seller, customer, ((1, "800.00"),))
    sales.order_cancel(actor=seller, order=order, reason="客户取消采购")
    receivable = Receivable.objects.get(order=order)
    state = (Order.objects.get(pk=order.pk).updated_at, receivable.updated_at, receivable.description)
    with pytest.raises(Conflict):
        sales.order_cancel(actor=seller, order=order, reason="再取消一次")
    receivable.refresh_from_db()
    assert (Order.objects.get(pk=order.pk).updated_at, receivable.updated_at, receivable.description) == state
    assert receivable.status == ReceivableStatus.CANCELLED


def test_a_draft_order_without_receivables_cancels(seller, customer):
    """SAL-4: no receivable, nothing to object: the draft is cancelled."""
    order = sales.order_create(actor=seller, customer=customer, lines=[
        {"description": "行", "quantity": Decimal("1"), "unit_price": Decimal("10")}])
    assert sales.order_cancel(actor=seller, order=order, reason="录错了").status == OrderStatus.CANCELLED


def test_the_api_and_the_page_say_why_a_cancel_is_refused(seller, customer, cashier, client):
    """SAL-4: API: 409 problem naming the receivable; page: the message, nothing changed."""

    order = confirmed_order(seller, customer, ((1, "900.00"),))
    receivable = Receivable.objects.get(order=order)
    services.receipt_record(actor=cashier, customer=customer, amount=Decimal("900.00"), allocate="oldest")
    body = _problem(Api(seller).post(f"/api/v1/orders/{order.pk}/cancel", {"reason": "客户取消"}), 409)
    assert receivable.number in body["detail"]
    client.force_login(seller)
    page = client.post(f"/sales/orders/{order.pk}/cancel/", {"reason": "客户取消"}, follow=True)
    assert receivable.number in page.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED
    assert Receivable.objects.get(pk=receivable.pk).status == ReceivableStatus.PAID
