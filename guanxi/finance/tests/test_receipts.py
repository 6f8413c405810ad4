"""FIN-1 receivables and receipts: allocation, credit, reversal, bad input."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from guanxi.customers.services import customer_create
from guanxi.finance import selectors, services
from guanxi.finance.models import Allocation, FinanceSettings, Receipt, Receivable, ReceivableSource
from guanxi.sales import services as sales
from guanxi.testing.sales import confirmed_order

ZERO = Decimal("0")


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州收款客户有限公司")


def test_a_confirmed_order_makes_one_receivable(seller, customer):
    """FIN-1: the receivable follows the confirmed order, due after the payment terms, once."""
    order = confirmed_order(seller, customer, ((2, "500.00"),))
    receivable = Receivable.objects.get(order=order)
    assert receivable.amount == order.total == Decimal("1000.00")
    assert (receivable.due_on - receivable.issued_on).days == 30 and receivable.owner == seller
    assert services.receivable_for_order(order, seller) == receivable
    assert Receivable.objects.filter(order=order).count() == 1


def test_receivables_from_shipments_when_the_branch_says_so(seller, customer, demo_org):
    """FIN-1: with the shipment setting, each shipping note makes its own receivable."""
    FinanceSettings.objects.create(branch=seller.branch, receivable_source=ReceivableSource.SHIPMENT)
    order = confirmed_order(seller, customer, ((4, "250.00"),))
    assert not Receivable.objects.filter(order=order).exists()
    line = order.lines.get()
    sales.shipment_create(actor=demo_org["huangli"], order=order, quantities={line.pk: Decimal("1")})
    sales.shipment_create(actor=demo_org["huangli"], order=order, quantities={line.pk: Decimal("3")})
    assert sorted(r.amount for r in Receivable.objects.filter(order=order)) == [Decimal("250.00"), Decimal("750.00")]


def test_allocate_oldest_first_keep_credit_and_reverse(seller, customer, cashier):
    """FIN-1: oldest due first, the rest as credit; a reversal takes everything back and stays in the ledger."""
    first = confirmed_order(seller, customer, ((1, "300.00"),))
    second = confirmed_order(seller, customer, ((1, "500.00"),))
    Receivable.objects.filter(order=second).update(due_on="2020-01-01")  # the older one
    receipt = services.receipt_record(actor=cashier, customer=customer, amount="600", allocate="oldest")
    older, newer = Receivable.objects.get(order=second), Receivable.objects.get(order=first)
    assert older.allocated == Decimal("500.00") and older.status == "paid"
    assert newer.allocated == Decimal("100.00") and newer.status == "partly_paid"
    assert selectors.customer_position(cashier, customer) == {
        "receivable": Decimal("800.00"), "received": Decimal("600.00"), "outstanding": Decimal("200.00"),
        "credit": ZERO, "invoiced": ZERO}
    extra = services.receipt_record(actor=cashier, customer=customer, amount="1000", allocate="oldest")
    assert extra.allocated == Decimal("200.00")
    assert selectors.customer_position(cashier, customer)["credit"] == Decimal("800.00")
    reversal = services.receipt_reverse(actor=cashier, receipt=receipt, reason="银行退票")
    assert reversal.amount == Decimal("-600.00") and reversal.reverses == receipt
    older.refresh_from_db()
    assert older.allocated == ZERO and older.status == "open"
    assert Receipt.objects.count() == 3 and Allocation.objects.filter(reversed_at__isnull=True).count() == 1
    with pytest.raises(Conflict):
        services.receipt_reverse(actor=cashier, receipt=receipt, reason="again")
    with pytest.raises(Conflict):
        services.receipt_reverse(actor=cashier, receipt=reversal, reason="reverse the reversal")
    with pytest.raises(Conflict):
        services.receipt_allocate(actor=cashier, receipt=receipt)


@pytest.mark.parametrize("amount", ["-1", "0", "abc", "1e30", "12.345", "NaN", "Infinity", "99999999999999"])
def test_bad_amounts_are_refused_and_nothing_moves(customer, cashier, amount):
    """FIN-1: negative, zero, absurd or malformed amounts: a clear error, nothing recorded."""
    with pytest.raises(ValidationFailed):
        services.receipt_record(actor=cashier, customer=customer, amount=amount)
    assert not Receipt.objects.exists()


def test_wrong_currency_and_manual_over_allocation_are_refused(seller, customer, cashier):
    """FIN-1: only CNY; never more than is outstanding or left on the receipt."""
    order = confirmed_order(seller, customer, ((1, "300.00"),))
    receivable = Receivable.objects.get(order=order)
    with pytest.raises(ValidationFailed):
        services.receipt_record(actor=cashier, customer=customer, amount="10", currency="USD")
    receipt = services.receipt_record(actor=cashier, customer=customer, amount="200", allocate=None)
    with pytest.raises(ValidationFailed):
        services.receipt_allocate(actor=cashier, receipt=receipt, allocations=[(receivable, Decimal("250"))])
    other = confirmed_order(seller, customer, ((1, "900.00"),))
    with pytest.raises(ValidationFailed):
        services.receipt_allocate(actor=cashier, receipt=receipt, allocations=[(
            Receivable.objects.get(order=other), Decimal("201"))])
    receivable.refresh_from_db()
    assert receivable.allocated == ZERO and not Allocation.objects.exists()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Receivable.objects.filter(pk=receivable.pk).update(allocated=Decimal("301"))  # the database refuses too


def test_scope_and_permission(seller, customer, cashier, demo_org):
    """ORG-3 on money: Beijing's finance cannot touch a Guangzhou customer; a salesperson cannot record."""
    with pytest.raises(NotFound):
        services.receipt_record(actor=demo_org["gaoyan"], customer=customer, amount="10")
    with pytest.raises(Forbidden):
        services.receipt_record(actor=seller, customer=customer, amount="10")
    services.receipt_record(actor=cashier, customer=customer, amount="10")
    assert selectors.receipts_visible_to(seller).count() == 1  # their customer's money
    assert selectors.receipts_visible_to(demo_org["gaoyan"]).count() == 0


operation = st.one_of(
    st.tuples(st.just("receivable"), st.integers(min_value=1, max_value=50_000)),
    st.tuples(st.just("receipt"), st.integers(min_value=1, max_value=50_000), st.sampled_from(["oldest", None])),
    st.tuples(st.just("allocate"), st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=20),
              st.integers(min_value=1, max_value=60_000)),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("unallocate"), st.integers(min_value=0, max_value=40)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=25))
def test_ledger_invariants_hold_for_any_sequence(customer, cashier, operations):
    """FIN-1 (acceptance, property-based): for any sequence of receivables, receipts, allocations
    and reversals, allocations never exceed receipts or amounts due, outstanding = amount −
    allocated ≥ 0, and the ledger balances."""
    for op in operations:
        try:
            if op[0] == "receivable":
                services.receivable_create(actor=cashier, customer=customer, amount=Decimal(op[1]) / 100)
            elif op[0] == "receipt":
                services.receipt_record(actor=cashier, customer=customer, amount=Decimal(op[1]) / 100,
                                        allocate=op[2])
            elif op[0] == "allocate":
                receipts = list(Receipt.objects.filter(kind="receipt").order_by("pk"))
                receivables = list(Receivable.objects.order_by("pk"))
                if receipts and receivables:
                    services.receipt_allocate(actor=cashier, receipt=receipts[op[1] % len(receipts)], allocations=[
                        (receivables[op[2] % len(receivables)], Decimal(op[3]) / 100)])
            elif op[0] == "reverse":
                receipts = list(Receipt.objects.order_by("pk"))
                if receipts:
                    services.receipt_reverse(actor=cashier, receipt=receipts[op[1] % len(receipts)], reason="测试")
            elif op[0] == "unallocate":
                allocations = list(Allocation.objects.order_by("pk"))
                if allocations:
                    services.allocation_reverse(actor=cashier, allocation=allocations[op[1] % len(allocations)])
        except (ValidationFailed, Conflict):
            pass  # refused operations must leave everything as it was: checked below
        _assert_ledger_balances()
    Allocation.objects.all().delete()
    Receipt.objects.filter(kind="reversal").delete()
    Receipt.objects.all().delete()
    Receivable.objects.all().delete()


def _assert_ledger_balances():
    active = Allocation.objects.filter(reversed_at__isnull=True)
    for receivable in Receivable.objects.all():
        allocated = sum((a.amount for a in active.filter(receivable=receivable)), ZERO)
        assert receivable.allocated == allocated and ZERO <= allocated <= receivable.amount
        assert receivable.outstanding == receivable.amount - allocated >= 0
    for receipt in Receipt.objects.all():
        allocated = sum((a.amount for a in active.filter(receipt=receipt)), ZERO)
        assert receipt.allocated == allocated
        if receipt.kind == "receipt":
            assert ZERO <= allocated <= receipt.amount
            if hasattr(receipt, "reversed_by"):
                assert allocated == ZERO and receipt.reversed_by.amount == -receipt.amount
        else:
            assert allocated == ZERO and receipt.amount < 0
    received = sum((r.amount for r in Receipt.objects.all()), ZERO)
    credit = sum((r.amount - r.allocated for r in Receipt.objects.filter(kind="receipt", reversed_by__isnull=True)),
                 ZERO)
    assert received == sum((a.amount for a in active), ZERO) + credit
