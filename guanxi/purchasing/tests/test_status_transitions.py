"""PUR-2: purchase orders change status through the one transition mechanism; the cancel
reason goes to the status history, not into the remarks."""

from decimal import Decimal

import pytest

from guanxi.core import transitions
from guanxi.core.models import StatusChange
from guanxi.purchasing import services
from guanxi.purchasing.models import PurchaseOrder, PurchaseStatus

ALLOWED = {
    PurchaseStatus.DRAFT: {PurchaseStatus.PENDING_APPROVAL, PurchaseStatus.ORDERED, PurchaseStatus.CANCELLED},
    PurchaseStatus.PENDING_APPROVAL: {PurchaseStatus.DRAFT, PurchaseStatus.ORDERED, PurchaseStatus.CANCELLED},
    PurchaseStatus.ORDERED: {PurchaseStatus.PARTLY_RECEIVED, PurchaseStatus.RECEIVED, PurchaseStatus.CANCELLED},
    PurchaseStatus.PARTLY_RECEIVED: {PurchaseStatus.RECEIVED},
    PurchaseStatus.RECEIVED: set(),
    PurchaseStatus.CANCELLED: set(),
}


@pytest.fixture
def buyer(demo_org):
    return demo_org["wuqiang"]


@pytest.fixture
def order(buyer):
    supplier = services.supplier_save(actor=buyer, name="东莞状态供应商有限公司")
    return services.purchase_order_create(actor=buyer, supplier=supplier, notes="月底前到货", lines=[
        {"description": "料", "quantity": Decimal("2"), "unit_price": Decimal("10"), "tax_rate": Decimal("0")}])


def test_every_move_is_allowed_or_refused_by_the_table(buyer, order):
    """PUR-2: table-driven over every (from, to) pair."""
    for current in PurchaseStatus.values:
        for target in PurchaseStatus.values:
            PurchaseOrder.objects.filter(pk=order.pk).update(status=current)
            before = StatusChange.objects.count()
            if target in ALLOWED[current]:
                assert transitions.transition(order, target, buyer).status == target
            else:
                with pytest.raises(transitions.InvalidTransition):
                    transitions.transition(order, target, buyer)
                assert PurchaseOrder.objects.get(pk=order.pk).status == current
                assert StatusChange.objects.count() == before


def test_placing_and_cancelling_are_in_the_history(buyer, order, client_for):
    """PUR-2: placed, then cancelled with a reason: both in the history; the remarks unchanged."""
    services.purchase_order_place(actor=buyer, order=order)
    services.purchase_order_cancel(actor=buyer, order=order, reason="供应商停产")
    order.refresh_from_db()
    assert order.notes == "月底前到货" and order.status == PurchaseStatus.CANCELLED
    rows = transitions.status_history(order)
    assert [r.to_label for r in rows] == [PurchaseStatus.ORDERED.label, PurchaseStatus.CANCELLED.label]
    assert rows[-1].reason == "供应商停产"
    page = client_for(buyer).get(order.get_absolute_url()).content.decode()
    assert 'id="status-history"' in page and "供应商停产" in page
