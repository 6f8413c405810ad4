"""Customer lifecycle (ANA-2): a stage per customer from its order history, the stage
moves of each month and a suggested strategy per stage.

Rules (also in docs/analytics.md), as of day ``today``, over the customer's orders that
count (confirmed, partly shipped, shipped, completed) dated on or before ``today``; the
thresholds are the one ``LifecycleSettings`` row (N = acquisition_days, M = departure_days,
P = period_days, T = trend_percent, G = gap_percent):

1. no order yet → acquisition;
2. more than M days since the last order → departure;
3. the first order at most N days ago → acquisition;
4. one order only, or days since the last order > G % of the usual interval
   ((last − first) / (orders − 1)) → decline;
5. amount of the last P days > (100 + T) % of the P days before → growth;
6. amount of the last P days < (100 − T) % of the P days before → decline;
7. otherwise → maturity (regular orders, stable amount).

The nightly run computes every customer from one grouped query, writes the changed
stages with one UPDATE per stage and batch and records each change as a ``LifecycleMove``.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, DecimalField, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.periods import add_months, aware, month_start
from guanxi.core.permissions import ensure
from guanxi.core.services import assign_fields, service, validated_save
from guanxi.customers.models import Customer, LifecycleStage
from guanxi.sales.models import Order, OrderStatus

from .lifecycle_models import LifecycleMove, LifecycleSettings
from .runner import ReportRunner

COUNTED_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.COMPLETED)
BATCH = 1000
STAGES = [stage for stage, _label in LifecycleStage.choices]

STRATEGIES = {
    LifecycleStage.ACQUISITION: (
        _("Win the first and the second order."),
        [_("Follow up within a week of the first contact"), _("Offer a trial order or a starter package"),
         _("Introduce the products that fit the customer's industry")]),
    LifecycleStage.GROWTH: (
        _("Grow the share of the customer's purchases."),
        [_("Suggest related and higher-grade products"), _("Agree on volume prices or a framework contract"),
         _("Visit regularly and deepen the relationship")]),
    LifecycleStage.MATURITY: (
        _("Keep the customer loyal and the orders steady."),
        [_("Serve promptly and keep the delivery reliable"), _("Offer loyalty terms and priority service"),
         _("Ask for referrals")]),
    LifecycleStage.DECLINE: (
        _("Find out why orders fall and win them back."),
        [_("Call back and learn the reason, offer an exclusive discount"),
         _("Have the manager visit the customer"), _("Check open complaints and service requests")]),
    LifecycleStage.DEPARTURE: (
        _("Try to win the customer back at low cost."),
        [_("Send a win-back offer"), _("Ask what made the customer leave"),
         _("Return the customer to the public pool if there is no reply")]),
}


@dataclass(frozen=True)
class History:
    """What the rules need of one customer's orders."""

    orders: int
    first: datetime.date | None
    last: datetime.date | None
    current: object  # amount of the last period (Decimal)
    previous: object  # amount of the period before


def classify(history, today, rules):
    """The stage for one customer's ``History`` (the rules in the module docstring)."""
    if not history.orders:
        return LifecycleStage.ACQUISITION
    since_last = (today - history.last).days
    if since_last > rules.departure_days:
        return LifecycleStage.DEPARTURE
    if (today - history.first).days <= rules.acquisition_days:
        return LifecycleStage.ACQUISITION
    span = (history.last - history.first).days
    if history.orders == 1 or since_last * 100 * (history.orders - 1) > rules.gap_percent * span:
        return LifecycleStage.DECLINE
    if history.current * 100 > history.previous * (100 + rules.trend_percent):
        return LifecycleStage.GROWTH
    if history.current * 100 < history.previous * (100 - rules.trend_percent):
        return LifecycleStage.DECLINE
    return LifecycleStage.MATURITY


def histories(today, rules):
    """{customer id: History} for every customer with a counted order, in one grouped query."""
    period = datetime.timedelta(days=rules.period_days)
    zero = Value(0, output_field=DecimalField(max_digits=18, decimal_places=2))
    rows = (Order.objects.filter(status__in=COUNTED_STATUSES, order_date__lte=today)
            .values("customer_id")
            .annotate(orders=Count("pk"), first=Min("order_date"), last=Max("order_date"),
                      current=Coalesce(Sum("total", filter=Q(order_date__gt=today - period)), zero),
                      previous=Coalesce(Sum("total", filter=Q(order_date__gt=today - 2 * period,
                                                               order_date__lte=today - period)), zero))
            .order_by())
    return {row["customer_id"]: History(row["orders"], row["first"], row["last"], row["current"], row["previous"])
            for row in rows}


def recompute_stages(today=None):
    """Write every customer's stage as of ``today`` and record the moves; returns the
    number of customers whose stage changed. Running it again the same day changes nothing."""
    today = today or timezone.localdate()
    rules = LifecycleSettings.current()
    found = histories(today, rules)
    empty = History(0, None, None, 0, 0)
    changed, moves = defaultdict(list), []
    # Customers entered after the day are not there yet (a replayed run keeps history exact).
    existing = Customer.objects.filter(created_at__lt=aware(today + datetime.timedelta(days=1))).order_by()
    for pk, stage in existing.values_list("pk", "lifecycle_stage").iterator(chunk_size=5000):
        new = classify(found.get(pk, empty), today, rules)
        if new != stage:
            changed[new].append(pk)
            moves.append(LifecycleMove(customer_id=pk, month=month_start(today), moved_on=today,
                                       from_stage=stage, to_stage=new))
    with transaction.atomic():
        # One UPDATE per stage and batch: far faster than bulk_update's CASE per row.
        for stage, pks in changed.items():
            for start in range(0, len(pks), BATCH):
                Customer.objects.filter(pk__in=pks[start:start + BATCH]).update(lifecycle_stage=stage)
        LifecycleMove.objects.bulk_create(moves, batch_size=BATCH)
    return len(moves)


SETTINGS_FIELDS = ["acquisition_days", "departure_days", "period_days", "trend_percent", "gap_percent"]


@service
def lifecycle_settings_update(*, actor, **data):
    """Change the thresholds (takes effect at the next nightly run)."""
    ensure(actor, "customers.manage")
    current = LifecycleSettings.objects.select_for_update().get(pk=LifecycleSettings.stored().pk)
    assign_fields(current, set(SETTINGS_FIELDS), data)
    return validated_save(current)


@dataclass
class StageRow:
    stage: str
    label: str
    count: int = 0
    strategy: str = ""
    actions: list = field(default_factory=list)


@dataclass
class LifecycleResult:
    stages: list  # [StageRow]
    matrix: list  # [(from label, [count per to stage], row total)]
    moves_total: int
    months: list  # [(month, [count per stage])]
    month: datetime.date


class LifecycleReport(ReportRunner):
    """``LifecycleReport(user, today=None).run()``: counts per stage at the end of ``today``'s
    month (now for this month), that month's moves as a from → to matrix and the counts per
    stage at the end of each of the 12 months up to it."""

    def customers(self):
        return self.scoped(Customer.objects.all())

    def calculate(self):
        now = timezone.localdate()
        this_month = month_start(min(self.params.get("today") or now, now))
        first_month = add_months(this_month, -11)
        customers = self.customers()
        labels = dict(LifecycleStage.choices)
        moves = (LifecycleMove.objects.filter(customer__in=customers.values("pk"), month__gte=first_month)
                 .values_list("month", "from_stage", "to_stage").annotate(n=Count("pk")).order_by())
        by_month = {}
        for month, from_stage, to_stage, n in moves:
            by_month.setdefault(month, Counter())[(from_stage, to_stage)] += n
        created = Counter(dict(customers.filter(created_at__gte=aware(first_month))
                               .annotate(month=TruncMonth("created_at")).values_list("month")
                               .annotate(n=Count("pk")).order_by()))
        created = Counter({_as_date(month): n for month, n in created.items()})
        # Rewind from today's counts: undo the moves and the new customers of each later month.
        counts = Counter(dict(customers.values_list("lifecycle_stage").annotate(n=Count("pk")).order_by()))
        months, month = [], month_start(now)
        while month >= first_month:
            if month <= this_month:
                months.append((month, [counts[stage] for stage in STAGES]))
            for (from_stage, to_stage), n in by_month.get(month, {}).items():
                counts[to_stage] -= n
                counts[from_stage] += n
            counts[LifecycleStage.ACQUISITION] -= created[month]
            month = add_months(month, -1)
        months.reverse()
        at_month = dict(zip(STAGES, months[-1][1], strict=True))
        stages = [StageRow(stage, labels[stage], at_month[stage], STRATEGIES[stage][0], list(STRATEGIES[stage][1]))
                  for stage in STAGES]
        this = by_month.get(this_month, Counter())
        matrix = [(labels[f], [this[(f, t)] for t in STAGES], sum(this[(f, t)] for t in STAGES)) for f in STAGES]
        return LifecycleResult(stages, matrix, sum(this.values()), months, this_month)


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value
