"""ANA-10: the measures registry — one scoped definition of each figure."""

import datetime
import itertools
import random
from decimal import Decimal

import pytest

from guanxi.analytics import measures
from guanxi.core.periods import Period
from guanxi.customers.models import Customer
from guanxi.sales.models import Order

NUMBERS = itertools.count(1)
PERIOD = Period(datetime.date(2026, 3, 1), datetime.date(2026, 4, 1))


def test_sales_equals_brute_force_per_branch_and_scope(demo_org):
    """ANA-10: the sales measure equals a sum by hand, in total, per branch and within a salesperson's scope."""
    rng = random.Random(1204)
    sellers = [demo_org[name] for name in ("liuyang", "liyang", "zhuwei", "hanlei")]
    rows = []
    for seller in sellers:
        customer = Customer.objects.create(name=f"度量客户{seller.username}", owner=seller, branch=seller.branch)
        for _ in range(12):
            day = PERIOD.start + datetime.timedelta(days=rng.randint(-10, 40))
            status = rng.choice(["confirmed", "shipped", "completed", "draft", "cancelled"])
            amount = Decimal(rng.randint(100, 99999)) / 100
            rows.append((seller, day, status, amount))
            Order.objects.create(number=f"M-{next(NUMBERS)}", customer=customer, owner=seller, branch=seller.branch,
                                 status=status, order_date=day, total=amount, subtotal=amount)

    def by_hand(keep):
        return sum((a for s, d, st, a in rows if keep(s) and st in ("confirmed", "shipped", "completed")
                    and PERIOD.start <= d < PERIOD.end), Decimal(0))

    sales = measures.get("sales")
    boss = demo_org["chenzhiqiang"]
    assert sales.total(boss, PERIOD) == by_hand(lambda s: True)
    per_branch = sales.value(boss, PERIOD, "branch")
    for seller in sellers:
        assert per_branch[seller.branch_id] == by_hand(lambda s, b=seller.branch_id: s.branch_id == b)
    liuyang = demo_org["liuyang"]
    assert sales.total(liuyang, PERIOD) == by_hand(lambda s: s == liuyang)
    assert measures.get("orders").total(boss, PERIOD) == sum(
        1 for s, d, st, a in rows if st in ("confirmed", "shipped", "completed") and PERIOD.start <= d < PERIOD.end)


def test_available_follows_permissions_and_groups_are_checked(demo_org):
    """ANA-10: a user sees only the measures their roles allow; an unknown split is refused."""
    service_agent = demo_org["xuting"]
    codes = {m.code for m in measures.available(service_agent)}
    assert "received" not in codes
    assert {"sales", "received"} <= {m.code for m in measures.available(demo_org["chenzhiqiang"])}
    with pytest.raises(ValueError):
        measures.get("sales").value(demo_org["chenzhiqiang"], PERIOD, "colour")
