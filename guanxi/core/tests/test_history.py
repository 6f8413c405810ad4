"""CUS-10: the history tab shows a record's own fields, not its reverse relations."""

from guanxi.core.history import history_for
from guanxi.customers.services import customer_create
from guanxi.testing.sales import confirmed_order


def test_creation_entry_lists_own_fields_only(demo_org):
    """CUS-10: an order's creation shows its number and total, not "lines: sales.OrderLine.None"."""
    seller = demo_org["liuyang"]
    order = confirmed_order(seller, customer_create(actor=seller, name="历史客户"))
    created = history_for(order)[-1]
    values = {str(row["new"]) for row in created["changes"]}
    assert order.number in values
    assert not any(value.endswith(".None") for value in values)
