"""SAL-3 / SAL-4: quotes and orders change status through the one transition mechanism:
a table of allowed moves, a history row per change (who, when, from, to, why), and a
clear refusal that changes nothing."""

from decimal import Decimal

import pytest

from guanxi.core import transitions
from guanxi.core.models import StatusChange
from guanxi.customers.services import customer_create
from guanxi.sales import services
from guanxi.sales.models import Order, OrderStatus, Quote, QuoteStatus
from guanxi.sales.tests.test_sales_api import Api, _problem
from guanxi.testing.sales import confirmed_order

# The moves each document may make (the rest are refused).
ALLOWED = {
    Order: {
        OrderStatus.DRAFT: {OrderStatus.PENDING_APPROVAL, OrderStatus.CANCELLED},
        OrderStatus.PENDING_APPROVAL: {OrderStatus.CONFIRMED, OrderStatus.DRAFT, OrderStatus.CANCELLED},
        OrderStatus.CONFIRMED: {OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.CANCELLED},
        OrderStatus.PARTLY_SHIPPED: {OrderStatus.SHIPPED},
        OrderStatus.SHIPPED: {OrderStatus.COMPLETED},
        OrderStatus.COMPLETED: set(),
        OrderStatus.CANCELLED: set(),
    },
    Quote: {
        QuoteStatus.DRAFT: {QuoteStatus.PENDING_APPROVAL, QuoteStatus.APPROVED, QuoteStatus.SUPERSEDED},
        QuoteStatus.PENDING_APPROVAL: {QuoteStatus.APPROVED, QuoteStatus.DRAFT, QuoteStatus.SUPERSEDED},
        QuoteStatus.APPROVED: {QuoteStatus.DRAFT, QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.SUPERSEDED},
        QuoteStatus.SENT: {QuoteStatus.ACCEPTED, QuoteStatus.REJECTED, QuoteStatus.SUPERSEDED},
        QuoteStatus.REJECTED: {QuoteStatus.SUPERSEDED},
        QuoteStatus.ACCEPTED: set(),
        QuoteStatus.SUPERSEDED: set(),
    },
}


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州状态客户有限公司")


def _document(model, seller, customer):
    lines = [{"description": "行", "quantity": Decimal("1"), "unit_price": Decimal("100")}]
    if model is Order:
        return services.order_create(actor=seller, customer=customer, lines=lines)
    return services.quote_create(actor=seller, customer=customer, lines=lines)


@pytest.mark.parametrize("model", [Order, Quote], ids=["order", "quote"])
def test_every_move_is_allowed_or_refused_by_the_table(model, seller, customer):
    """SAL-4: table-driven: each (from, to) pair is allowed (history row) or refused (409, nothing changed)."""
    document = _document(model, seller, customer)
    statuses = [value for value, _label in model._meta.get_field("status").choices]
    for current in statuses:
        for target in statuses:
            model.objects.filter(pk=document.pk).update(status=current)
            before = StatusChange.objects.count()
            if target in ALLOWED[model][current]:
                moved = transitions.transition(document, target, seller, reason="测试")
                assert moved.status == target == model.objects.get(pk=document.pk).status
                change = StatusChange.objects.latest("pk")
                assert (change.from_status, change.to_status, change.actor, change.reason) == (
                    current, target, seller, "测试")
            else:
                with pytest.raises(transitions.InvalidTransition):
                    transitions.transition(document, target, seller)
                assert model.objects.get(pk=document.pk).status == current
                assert StatusChange.objects.count() == before


def test_cancelling_an_order_keeps_the_reason_in_the_history_not_in_the_remarks(seller, customer):
    """SAL-4: the reason goes to the status history; the remarks stay as they were."""
    order = confirmed_order(seller, customer, notes="客户要求月底交货")
    services.order_cancel(actor=seller, order=order, reason="客户取消采购")
    order.refresh_from_db()
    assert order.notes == "客户要求月底交货"
    last = transitions.status_history(order)[-1]
    assert (last.to_label, last.reason, last.actor) == (OrderStatus.CANCELLED.label, "客户取消采购", seller)
    assert [row.to_label for row in transitions.status_history(order)] == [
        OrderStatus.PENDING_APPROVAL.label, OrderStatus.CONFIRMED.label, OrderStatus.CANCELLED.label]


def test_the_order_page_shows_the_status_history(seller, customer, client_for):
    """SAL-4: the page lists each change with the statuses' labels, the person and the local time."""
    order = confirmed_order(seller, customer)
    services.order_cancel(actor=seller, order=order, reason="客户取消采购")
    page = client_for(seller).get(order.get_absolute_url()).content.decode()
    assert 'id="status-history"' in page and "客户取消采购" in page and seller.display_name in page
    assert str(OrderStatus.CANCELLED.label) in page or "已取消" in page


def test_an_invalid_move_through_the_api_is_a_409(seller, customer):
    """SAL-4 (API): confirming a cancelled order is refused as a conflict."""

    order = confirmed_order(seller, customer)
    services.order_cancel(actor=seller, order=order, reason="客户取消采购")
    _problem(Api(seller).post(f"/api/v1/orders/{order.pk}/confirm"), 409)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
