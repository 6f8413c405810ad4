"""ANA-10: the dashboard's measures, each against a computation by hand over random data,
and each figure's drill-down list showing exactly the rows behind it."""

import datetime
import itertools
import random
from decimal import Decimal

from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone

from guanxi.analytics import measures
from guanxi.analytics.lifecycle_models import LifecycleMove
from guanxi.core.periods import Period, add_months, aware, month_start
from guanxi.customers.models import Customer
from guanxi.finance.models import Receivable
from guanxi.sales import services as sales_services
from guanxi.sales.models import Opportunity
from guanxi.service import services as service_services
from guanxi.service.models import Survey, Ticket

NUMBERS = itertools.count(1)
SELLERS = ("liuyang", "liyang", "zhuwei", "hanlei")
PAST = Period(datetime.date(2026, 3, 1), datetime.date(2026, 4, 1))


def this_month():
    first = month_start(timezone.localdate())
    return Period(first, add_months(first, 1))


def drilled(user, url):
    """The rows the list behind ``url`` shows ``user`` (all pages), refusing an unknown filter."""
    match = resolve(url.split("?")[0])
    spec = match.func.view_initkwargs["spec"]()
    request = RequestFactory().get(url)
    request.user = user
    state = spec.state_from(request)
    rows = spec.filtered(request, state)
    assert not state.errors, state.errors
    return rows


def check(measure, rows, value_of, keep, people, period):
    """The measure equals the sum by hand in total, per branch and in a salesperson's scope,
    and its drill list (per branch too) holds exactly the rows counted."""
    boss, seller = people["chenzhiqiang"], people["liuyang"]
    total = measure.total(boss, period)
    assert total == value_of([r for r in rows if keep(r)])
    per_branch = measure.value(boss, period, "branch")
    for branch_id in {r["branch"] for r in rows}:
        expected = value_of([r for r in rows if keep(r) and r["branch"] == branch_id])
        assert per_branch.get(branch_id, measure.zero) == expected
        listed = drilled(boss, measure.drill_url(period, "branch", branch_id))
        assert set(listed.values_list("pk", flat=True)) >= {r["pk"] for r in rows if keep(r)
                                                              and r["branch"] == branch_id}
        assert not set(listed.values_list("pk", flat=True)) & {r["pk"] for r in rows if not keep(r)}
    assert measure.total(seller, period) == value_of([r for r in rows if keep(r) and r["owner"] == seller.pk])
    return total


def test_receivables_outstanding_and_overdue_equal_brute_force(demo_org):
    """ANA-10: receivables outstanding and overdue (DueBase.overdue_q) equal sums by hand, per branch, in scope."""
    rng = random.Random(12)
    today = timezone.localdate()
    rows = []
    for name in SELLERS:
        seller = demo_org[name]
        customer = Customer.objects.create(name=f"应收客户{name}", owner=seller, branch=seller.branch)
        for _ in range(8):
            amount = Decimal(rng.randint(1000, 99999)) / 100
            allocated = rng.choice([Decimal(0), amount / 2, amount]).quantize(Decimal("0.01"))
            issued = today - datetime.timedelta(days=rng.randint(0, 90))
            due = issued + datetime.timedelta(days=rng.randint(0, 60))
            cancelled = rng.random() < 0.15
            receivable = Receivable.objects.create(
                number=f"AR-D-{next(NUMBERS)}", customer=customer, owner=seller, branch=seller.branch, amount=amount,
                allocated=allocated, issued_on=issued, due_on=due, created_by=seller,
                status="cancelled" if cancelled else ("paid" if allocated == amount else "open"))
            rows.append({"pk": receivable.pk, "branch": seller.branch_id, "owner": seller.pk, "due": due,
                         "open": amount - allocated if not cancelled else Decimal(0)})

    def value_of(chosen):
        return sum((r["open"] for r in chosen), Decimal(0))

    period = this_month()
    outstanding = check(measures.get("receivables"), rows, value_of, lambda r: r["open"] > 0, demo_org, period)
    overdue = check(measures.get("overdue"), rows, value_of, lambda r: r["open"] > 0 and r["due"] < today,
                    demo_org, period)
    assert outstanding > overdue > 0


def test_pipeline_and_forecast_equal_brute_force(demo_org):
    """ANA-10: open pipeline and weighted forecast equal Σ amount and Σ amount × probability by hand."""
    rng = random.Random(34)
    stages = list(sales_services.default_pipeline().stages.order_by("position"))
    today = timezone.localdate()
    period = this_month()
    rows = []
    for name in SELLERS:
        seller = demo_org[name]
        customer = Customer.objects.create(name=f"商机客户{name}", owner=seller, branch=seller.branch)
        for _ in range(8):
            stage = rng.choice(stages)
            amount = Decimal(rng.randint(1000, 500000))
            close = today + datetime.timedelta(days=rng.randint(-45, 60))
            opportunity = Opportunity.objects.create(
                name=f"商机{next(NUMBERS)}", customer=customer, owner=seller, branch=seller.branch, amount=amount,
                pipeline=stage.pipeline, stage=stage, expected_close_on=close)
            rows.append({"pk": opportunity.pk, "branch": seller.branch_id, "owner": seller.pk, "amount": amount,
                         "open": stage.kind == "open", "close": close, "p": stage.probability})

    def keep(row):
        return row["open"] and row["close"] < period.end

    check(measures.get("pipeline"), rows, lambda chosen: sum((r["amount"] for r in chosen), Decimal(0)),
          keep, demo_org, period)
    check(measures.get("forecast"), rows, lambda chosen: sum(
        (r["amount"] * r["p"] / 100 for r in chosen), Decimal(0)).quantize(Decimal("0.01")), keep, demo_org, period)


def test_new_and_lost_customers_equal_brute_force(demo_org):
    """ANA-10: new customers (created in the period) and lost ones (moved to departure in it) by hand."""
    rng = random.Random(56)
    rows = []
    for name in SELLERS:
        seller = demo_org[name]
        for index in range(10):
            created = aware(PAST.start + datetime.timedelta(days=rng.randint(-20, 45), hours=rng.randint(0, 23)))
            customer = Customer.objects.create(name=f"新客户{name}{index}", owner=seller, branch=seller.branch)
            Customer.objects.filter(pk=customer.pk).update(created_at=created)
            moved = PAST.start + datetime.timedelta(days=rng.randint(-20, 45))
            departed = rng.random() < 0.4
            if departed:
                LifecycleMove.objects.create(customer=customer, month=month_start(moved), moved_on=moved,
                                             from_stage="decline", to_stage="departure")
            rows.append({"pk": customer.pk, "branch": seller.branch_id, "owner": seller.pk,
                         "new": PAST.start <= timezone.localdate(created) < PAST.end,
                         "lost": departed and PAST.start <= moved < PAST.end})

    def count(chosen):
        return len(chosen)

    check(measures.get("new_customers"), rows, count, lambda r: r["new"], demo_org, PAST)
    check(measures.get("lost_customers"), rows, count, lambda r: r["lost"], demo_org, PAST)


def test_service_measures_equal_brute_force(demo_org):
    """ANA-10: tickets opened, open, resolution targets missed and satisfaction equal counts by hand."""
    rng = random.Random(78)
    agents = [demo_org[name] for name in ("xuting", "luobin", "jiangwei")]
    start, end = PAST.aware_range()
    kind, severity = service_services.pick("service.ticket_type", "repair"), service_services.pick(
        "service.severity", "normal")
    rows = []
    for agent in agents:
        for _ in range(10):
            created = start + datetime.timedelta(hours=rng.randint(-200, 900))
            resolve_by = created + datetime.timedelta(hours=rng.randint(4, 120))
            resolved = created + datetime.timedelta(hours=rng.randint(1, 150)) if rng.random() < 0.7 else None
            ticket = Ticket.objects.create(
                number=f"T-D-{next(NUMBERS)}", subject="故障", assignee=agent, ticket_type=kind, severity=severity, branch=agent.branch,
                status="resolved" if resolved else "open", resolve_by=resolve_by, resolved_at=resolved)
            Ticket.objects.filter(pk=ticket.pk).update(created_at=created)
            rating = rng.randint(1, 5) if resolved and rng.random() < 0.8 else None
            if rating:
                Survey.objects.create(ticket=ticket, token_hash=f"{ticket.pk:064d}", answered_at=resolved,
                                      rating=rating, agent=agent, branch=agent.branch)
            rows.append({"pk": ticket.pk, "branch": agent.branch_id, "owner": agent.pk, "created": created,
                         "resolved": resolved, "resolve_by": resolve_by, "rating": rating})
    now = timezone.now()
    opened = [r for r in rows if start <= r["created"] < end]
    assert measures.get("tickets_opened").total(demo_org["chenzhiqiang"], PAST) == len(opened)
    missed = [r for r in rows if start <= r["resolve_by"] < min(end, now)
              and (r["resolved"] is None or r["resolved"] > r["resolve_by"])]
    breached = measures.get("sla_breached")
    assert breached.total(demo_org["chenzhiqiang"], PAST) == len(missed)
    per_branch = breached.value(demo_org["chenzhiqiang"], PAST, "branch")
    for agent in agents:
        mine = {r["pk"] for r in missed if r["branch"] == agent.branch_id}
        assert per_branch.get(agent.branch_id, 0) == len(mine)
        listed = drilled(demo_org["chenzhiqiang"], breached.drill_url(PAST, "branch", agent.branch_id))
        assert set(listed.values_list("pk", flat=True)) == mine
    still_open = [r for r in rows if r["created"] < end and (r["resolved"] is None or r["resolved"] >= end)]
    assert measures.get("tickets_open").total(demo_org["chenzhiqiang"], PAST) == len(still_open)
    answered = [r for r in rows if r["rating"] and start <= r["resolved"] < end]
    happy = sum(1 for r in answered if r["rating"] >= 4)
    expected = (Decimal(happy) * 100 / len(answered)).quantize(Decimal("0.1"))
    assert measures.get("satisfaction").total(demo_org["chenzhiqiang"], PAST) == expected
    # Another branch's service agent sees none of the Guangzhou desk's tickets.
    assert measures.get("tickets_opened").total(demo_org["luobin"], PAST) == len(
        [r for r in opened if r["branch"] == demo_org["luobin"].branch_id])


def test_every_measure_has_a_definition_and_a_drill(demo_org):
    """ANA-10: each registered measure says what it counts and links to the list behind it."""
    boss = demo_org["chenzhiqiang"]
    for measure in measures.available(boss):
        assert str(measure.definition)
        assert measure.drill_url(this_month()), measure.code
        assert measure.better in ("up", "down")


def test_satisfaction_without_answers_is_no_rate(demo_org):
    """ANA-10: with no survey answered in the period, satisfaction is no figure ("—"), not 0 %."""
    assert measures.get("satisfaction").total(demo_org["chenzhiqiang"], PAST) is None
