"""FIN-4 ageing and FIN-5 analysis: equal to a brute-force computation over random data."""

import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.customers.services import customer_create
from guanxi.finance import services
from guanxi.finance.ageing import BUCKETS, AgeingReport, due_soon, receivable_shares
from guanxi.finance.models import Allocation, Receivable

TODAY = timezone.localdate()
ZERO = Decimal("0")


@pytest.fixture
def random_ledger(demo_org):
    """Receivables of three customers of two branches, partly paid at random dates, some
    allocations taken back later."""
    rng = random.Random(11)
    cashiers = {"gz": demo_org["zhouhong"], "bj": demo_org["gaoyan"]}
    customers = [customer_create(actor=demo_org["liuyang"], name="账龄客户甲"),
                 customer_create(actor=demo_org["liyang"], name="账龄客户乙"),
                 customer_create(actor=demo_org["zhuwei"], name="账龄客户丙")]
    for customer in customers:
        cashier = cashiers[customer.branch.code]
        for _ in range(12):
            issued = TODAY - datetime.timedelta(days=rng.randint(0, 400))
            receivable = services.receivable_create(
                actor=cashier, customer=customer, amount=Decimal(rng.randint(100, 90000)) / 10, issued_on=issued,
                due_on=issued + datetime.timedelta(days=rng.choice([0, 15, 30, 60])))
            if rng.random() < 0.6:
                amount = (receivable.amount * Decimal(rng.choice(["0.2", "0.5", "1"]))).quantize(Decimal("0.01"))
                receipt = services.receipt_record(actor=cashier, customer=customer, amount=amount,
                                                  allocate=[(receivable, amount)])
                paid_on = issued + datetime.timedelta(days=rng.randint(0, 200))
                allocation = Allocation.objects.get(receipt=receipt)
                Allocation.objects.filter(pk=allocation.pk).update(created_at=timezone.make_aware(
                    datetime.datetime.combine(min(paid_on, TODAY), datetime.time(12))))
                if rng.random() < 0.2:
                    services.allocation_reverse(actor=cashier, allocation=allocation)
                    Allocation.objects.filter(pk=allocation.pk).update(reversed_at=timezone.make_aware(
                        datetime.datetime.combine(min(paid_on + datetime.timedelta(days=20), TODAY),
                                                  datetime.time(12))))
    return customers


def brute_force(as_of, visible):
    """Outstanding per customer and bucket, counted one receivable at a time."""
    end = timezone.make_aware(datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min))
    result = {}
    for receivable in Receivable.objects.filter(pk__in=visible):
        if receivable.issued_on > as_of or receivable.status == "cancelled":
            continue
        paid = sum((a.amount for a in receivable.allocations.all()
                    if a.created_at < end and (a.reversed_at is None or a.reversed_at >= end)), ZERO)
        left = receivable.amount - paid
        if left <= 0:
            continue
        days = (as_of - receivable.due_on).days
        bucket = next(name for name, first, last in BUCKETS
                      if (first is None or days >= first) and (last is None or days <= last))
        row = result.setdefault(receivable.customer_id, {name: ZERO for name, _f, _l in BUCKETS})
        row[bucket] += left
    return result


@pytest.mark.parametrize("days_back", [0, 45, 200])
def test_ageing_equals_brute_force(random_ledger, demo_org, days_back):
    """FIN-4 (acceptance): the ageing report equals a brute-force computation, today and in the past."""
    as_of = TODAY - datetime.timedelta(days=days_back)
    chairman = demo_org["chenzhiqiang"]
    rows, totals = AgeingReport(chairman, as_of=as_of, group="customer").run()
    expected = brute_force(as_of, Receivable.objects.values("pk"))
    assert {row.key: row.buckets for row in rows} == expected
    assert totals.total == sum((sum(b.values(), ZERO) for b in expected.values()), ZERO)


def test_ageing_per_salesperson_and_branch_and_scope(random_ledger, demo_org):
    """FIN-4: per salesperson and branch the same money; Beijing finance sees Beijing's only."""
    chairman = demo_org["chenzhiqiang"]
    _rows, totals = AgeingReport(chairman, group="customer").run()
    for group in ("owner", "branch"):
        rows, other = AgeingReport(chairman, group=group).run()
        assert other.buckets == totals.buckets
    beijing_rows, _t = AgeingReport(demo_org["gaoyan"], group="customer").run()
    assert [r.label for r in beijing_rows] == ["账龄客户丙"] or not beijing_rows
    expected = brute_force(TODAY, Receivable.objects.filter(branch=demo_org["gaoyan"].branch).values("pk"))
    assert {r.key: r.buckets for r in beijing_rows} == expected
    seller_rows, _t = AgeingReport(demo_org["liuyang"]).run()
    assert {r.label for r in seller_rows} <= {"账龄客户甲"}


def test_analysis_shares_over_limit_and_due_soon(random_ledger, demo_org):
    """FIN-5: shares of receivables add to 100 %; customers over their credit limit; due this week."""
    from guanxi.customers.models import Customer

    chairman = demo_org["chenzhiqiang"]
    shares, whole = receivable_shares(chairman)
    assert round(sum(share for _row, share in shares)) == 100
    assert whole == sum((row.total for row, _share in shares), ZERO)
    Customer.objects.filter(name="账龄客户甲").update(credit_limit=Decimal("1"))
    rows, _totals = AgeingReport(chairman).run()
    flagged = {r.label for r in rows if r.over_limit}
    overdue = {r.label for r in rows if r.overdue > 1}
    assert flagged == ({"账龄客户甲"} & overdue)
    receivable = services.receivable_create(actor=chairman, customer=random_ledger[0], amount="10",
                                            due_on=TODAY + datetime.timedelta(days=3))
    assert receivable in due_soon(chairman)
    assert receivable not in due_soon(demo_org["gaoyan"])


def test_reminders_and_credit_alerts_once_a_day(random_ledger, demo_org, client_for):
    """FIN-4/FIN-5: owners hear of money due, finance of overdue totals, credit alerts once a month."""
    from guanxi.core.models import Notification
    from guanxi.customers.models import Customer
    from guanxi.finance.reminders import digest_section, send_receivable_reminders

    Customer.objects.filter(name="账龄客户甲").update(credit_limit=Decimal("1"))
    first = send_receivable_reminders()
    assert first > 0 and send_receivable_reminders() == 0
    assert Notification.objects.filter(recipient=demo_org["liuyang"], kind="finance.due").count() == 1
    assert Notification.objects.filter(recipient=demo_org["zhouhong"], kind="finance.credit").count() == 1
    assert not Notification.objects.filter(recipient=demo_org["gaoyan"], kind="finance.credit").exists()
    assert digest_section(demo_org["zhouhong"], TODAY) and digest_section(demo_org["liuyang"], TODAY)
    page = client_for(demo_org["zhouhong"]).get("/finance/ageing/?group=customer").content.decode()
    assert "账龄客户甲" in page and "⚠" in page and "账龄客户丙" not in page
    export = client_for(demo_org["zhouhong"]).get("/finance/ageing/?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
