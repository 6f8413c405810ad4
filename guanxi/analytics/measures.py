"""Measures: the one definition of every figure analytics shows (ANA-7…11).

A measure is a named figure over a period, read through the viewer's scope, optionally
split by branch, department or person. The home dashboard's widgets, the periodic
decision-support report, scorecards and quality alerts all read figures here, so a
figure means the same on every page, in every PDF and in the API
(``/api/v1/analytics/measures/{code}``).

A module registers its measures in its ``AppConfig.ready`` (analytics registers the
sales and receipts figures below); ``compute(user, period, by)`` returns
``{group key: value}``, with the key ``None`` when ``by`` is ``None``. Money is
``Decimal``, counts are ``int``, rates are ``Decimal`` percentages.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi.core.periods import Period, add_months, parse_range, range_value
from guanxi.customers.models import LifecycleStage
from guanxi.customers.selectors import customers_visible_to
from guanxi.finance.models import Receivable, ReceivableStatus
from guanxi.finance.selectors import received_in
from guanxi.org.scopes import scoped
from guanxi.sales.models import Opportunity, StageKind
from guanxi.service.lists import breached_q
from guanxi.service.models import OPEN_STATUSES, Ticket

from . import rollups
from .lifecycle_models import LifecycleMove

StrOrPromise = str | Promise  # a label may be lazy (gettext_lazy)
ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)
MONEY_UNIT, COUNT_UNIT, PERCENT_UNIT = "money", "count", "percent"
GROUPS = ("branch", "department", "owner")


@dataclass(frozen=True)
class Measure:
    """``compute(user, period, by)`` → ``{key: value}``; ``drill(period, by, key)`` → the
    address of the list behind a figure (or ``None``)."""

    code: str
    label: StrOrPromise
    unit: str
    compute: Callable
    definition: StrOrPromise = ""
    permission: str | None = None
    groups: tuple = GROUPS
    better: str = "up"  # "up" when more is better, "down" when less is
    drill: Callable | None = None
    tags: tuple = field(default_factory=tuple)
    # A balance read as of a day (the end of the period, today at most) rather than a
    # flow summed over the period: receivables, the open pipeline, open tickets.
    balance: bool = False
    # ``series(user, periods)`` → the totals of ascending periods that do not overlap, at
    # once (a trend), for a measure whose periods one read answers better than one each.
    series: Callable | None = None

    def drill_url(self, period: Period, by: str | None = None, key=None) -> str | None:
        return self.drill(period, by, key) if self.drill else None

    def value(self, user, period: Period, by: str | None = None) -> dict:
        if by is not None and by not in self.groups:
            raise ValueError(f"{self.code} cannot be split by {by}")
        return self.compute(user, period, by)

    def total(self, user, period: Period):
        return self.value(user, period).get(None, self.zero)

    def totals(self, user, periods: list[Period]) -> list:
        """The totals of ``periods`` (ascending, not overlapping): the measure's series when it has one."""
        if self.series is not None:
            return self.series(user, periods)
        return [self.total(user, period) for period in periods]

    @property
    def zero(self):
        return 0 if self.unit == COUNT_UNIT else ZERO

    def visible_to(self, user) -> bool:
        return self.permission is None or user.has_module_perm(self.permission)


_registry: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    _registry[measure.code] = measure
    return measure


def get(code: str) -> Measure:
    return _registry[code]


def all_measures() -> list[Measure]:
    return list(_registry.values())


def available(user) -> list[Measure]:
    """The measures ``user`` may read (the measure's permission, if any)."""
    return [measure for measure in _registry.values() if measure.visible_to(user)]


# Group keys of records that carry an owner and a branch.
OWNER_KEYS = {"branch": "branch_id", "department": "owner__department_id", "owner": "owner_id"}


def grouped(queryset, by, aggregate, keys=OWNER_KEYS):
    """``{key: aggregate}`` of ``queryset`` split by ``by`` (one row, key ``None``, when not split)."""
    if by is None:
        return {None: queryset.order_by().aggregate(value=aggregate)["value"]}
    key = keys[by]
    rows = queryset.order_by().values(key).annotate(value=aggregate)
    return {row[key]: row["value"] for row in rows}


def money_sum(path):
    return Coalesce(Sum(path), Value(ZERO), output_field=MONEY)


def as_of(period: Period, today=None) -> datetime.date:
    """The day a balance is read on for ``period``: its end, or today while it runs."""
    return min(period.end, (today or timezone.localdate()) + datetime.timedelta(days=1)) - datetime.timedelta(days=1)


def _whole_months(period: Period) -> int | None:
    """How many whole months the period is, or None when it does not run month to month."""
    if period.start.day != 1 or period.end.day != 1:
        return None
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month


def previous_period(period: Period) -> Period:
    """The period just before, as long (in months when it is whole months)."""
    months = _whole_months(period)
    if months:
        return Period(add_months(period.start, -months), period.start)
    return Period(period.start - datetime.timedelta(days=period.days), period.start)


def year_before(period: Period) -> Period:
    """The same dates a year earlier (the same months when it is whole months)."""
    if _whole_months(period):
        return Period(add_months(period.start, -12), add_months(period.end, -12))
    return Period(period.start - datetime.timedelta(days=365), period.end - datetime.timedelta(days=365))


def compared(measure: Measure, user, period: Period, by: str | None = None) -> dict:
    """``{key: (value, previous period's, a year before's)}``: the figure with its comparisons."""
    now, before, last_year = (measure.value(user, p, by) for p in (period, previous_period(period),
                                                                   year_before(period)))
    keys = list(dict.fromkeys([*now, *before, *last_year]))
    return {key: (now.get(key, measure.zero), before.get(key, measure.zero), last_year.get(key, measure.zero))
            for key in keys}


def _is_current(period: Period) -> bool:
    return period.start <= timezone.localdate() < period.end


# The lists behind the figures: each split has the list filter of the same name
# ("department" covers the department and the ones below it).
def drill_to(url_name, fixed=None, dates=None):
    """``drill(period, by, key)`` for the list ``url_name`` with the ``fixed`` filters,
    ``dates(period)`` filters and the split's filter (``branch``/``department``/``owner``)."""

    def drill(period, by=None, key=None):
        params = dict(fixed or {})
        if dates:
            params.update(dates(period))
        if by is not None and key is not None:
            params[by] = key
        return f"{reverse(url_name)}?{urlencode(params)}" if params else reverse(url_name)

    return drill


def _day_range(start_name, end_name):
    return lambda period: {start_name: period.start.isoformat(), end_name: period.last_day.isoformat()}


def counted_orders_in(user, period):
    """The raw records behind ``sales`` and ``orders`` (the drill-down and the rollups' check)."""
    return scoped(rollups.counted_orders().filter(order_date__gte=period.start, order_date__lt=period.end), user)


# The money figures read the daily rollups once built (see rollups.py), else the raw records.
def _sales(user, period, by):
    if rollups.ready():
        return grouped(rollups.days(user, period, "orders_count"), by, money_sum("orders_amount"))
    return grouped(counted_orders_in(user, period), by, money_sum("total"))


def _orders(user, period, by):
    if rollups.ready():
        return grouped(rollups.days(user, period, "orders_count"), by,
                       Coalesce(Sum("orders_count"), Value(0)))
    return grouped(counted_orders_in(user, period), by, Count("pk"))


def _received(user, period, by):
    if rollups.ready():
        return grouped(rollups.days(user, period, "receipts_count"), by, money_sum("received_amount"))
    return grouped(received_in(user, period.start, period.end), by, money_sum("amount"))


ORDERS_DRILL = drill_to("sales:order_list", {"booked": "1"}, _day_range("from", "to"))
register(Measure(
    "sales", _("Sales"), MONEY_UNIT, _sales, permission="sales.view",
    definition=_("Total of confirmed, shipped and completed orders dated in the period (tax included)."),
    tags=("sales",), drill=ORDERS_DRILL))
register(Measure(
    "orders", _("Orders"), COUNT_UNIT, _orders, permission="sales.view",
    definition=_("Number of confirmed, shipped and completed orders dated in the period."),
    tags=("sales",), drill=ORDERS_DRILL))
register(Measure(
    "received", _("Money received"), MONEY_UNIT, _received, permission="finance.view",
    definition=_("Receipts dated in the period, net of reversals."), tags=("finance",),
    drill=drill_to("finance:receipt_list", dates=_day_range("from", "to"))))


# --- receivables (FIN-6): outstanding and overdue, balances as of a day ---------------------
OUTSTANDING = ExpressionWrapper(F("amount") - F("allocated"), output_field=MONEY)


def _receivables(user, day):
    """Receivables issued up to ``day`` and not settled today (settlements are not dated
    back: a past month's balance is what of it is still open now)."""
    return scoped(Receivable.objects.filter(issued_on__lte=day, allocated__lt=F("amount"))
                  .exclude(status=ReceivableStatus.CANCELLED), user)


def _outstanding(user, period, by):
    return grouped(_receivables(user, as_of(period)), by, money_sum(OUTSTANDING))


def _overdue(user, period, by):
    day = as_of(period)
    # DueBase.overdue_q is the one definition of overdue: past due on ``day``.
    overdue = _receivables(user, day).filter(Receivable.overdue_q(today=day))
    return grouped(overdue, by, money_sum(OUTSTANDING))


register(Measure(
    "receivables", _("Receivables outstanding"), MONEY_UNIT, _outstanding, permission="finance.view",
    definition=_("Amount not yet settled of the receivables issued up to the end of the period (today at most), "
                 "cancelled ones excluded."),
    better="down", balance=True, tags=("finance",),
    drill=drill_to("finance:receivable_list", {"outstanding": "1"},
                   lambda period: {"issued_to": as_of(period).isoformat()})))
register(Measure(
    "overdue", _("Overdue receivables"), MONEY_UNIT, _overdue, permission="finance.view",
    definition=_("Amount not yet settled of the receivables past their due date at the end of the period "
                 "(today for the current period)."),
    better="down", balance=True, tags=("finance",),
    drill=drill_to("finance:receivable_list", {"outstanding": "1"}, lambda period: {
        "issued_to": as_of(period).isoformat(),
        "due_to": (as_of(period) - datetime.timedelta(days=1)).isoformat()})))


# --- the pipeline (SAL-11): open opportunities expected to close in the period ---------------
def _open_opportunities(user, period):
    expected = Q(expected_close_on__gte=period.start, expected_close_on__lt=period.end)
    if _is_current(period):  # late ones still count in the current period, as in the forecast
        expected = Q(expected_close_on__lt=period.end)
    return scoped(Opportunity.objects.filter(expected, stage__kind=StageKind.OPEN), user)


def _pipeline(user, period, by):
    return grouped(_open_opportunities(user, period), by, money_sum("amount"))


def _forecast(user, period, by):
    # Σ amount × probability, divided once: SQLite would divide each row in integers.
    weighted = ExpressionWrapper(F("amount") * F("stage__probability"), output_field=MONEY)
    return {key: (Decimal(value or 0) / 100).quantize(Decimal("0.01"))
            for key, value in grouped(_open_opportunities(user, period), by, money_sum(weighted)).items()}


def _pipeline_dates(period):
    dates = {"close_to": period.last_day.isoformat()}
    if not _is_current(period):
        dates["close_from"] = period.start.isoformat()
    return dates


PIPELINE_DRILL = drill_to("sales:opportunity_list", {"open": "1"}, _pipeline_dates)
register(Measure(
    "pipeline", _("Open pipeline"), MONEY_UNIT, _pipeline, permission="sales.view",
    definition=_("Amount of the open opportunities expected to close in the period; in the current period the "
                 "late ones too."), balance=True, tags=("sales",), drill=PIPELINE_DRILL))
register(Measure(
    "forecast", _("Weighted forecast"), MONEY_UNIT, _forecast, permission="sales.view",
    definition=_("The open pipeline, each opportunity's amount times its stage's probability."),
    balance=True, tags=("sales",), drill=PIPELINE_DRILL))


# --- customers: new ones and lost ones (lifecycle departure, ANA-2) -------------------------
def _new_customers(user, period, by):
    start, end = period.aware_range()
    return grouped(customers_visible_to(user).filter(created_at__gte=start, created_at__lt=end), by, Count("pk"))


LOST_KEYS = {"branch": "customer__branch_id", "department": "customer__owner__department_id",
             "owner": "customer__owner_id"}


def _lost_customers(user, period, by):
    moves = LifecycleMove.objects.filter(to_stage=LifecycleStage.DEPARTURE, moved_on__gte=period.start,
                                         moved_on__lt=period.end,
                                         customer__in=customers_visible_to(user).values("pk"))
    return grouped(moves, by, Count("customer", distinct=True), LOST_KEYS)


def departed_in(queryset, raw, request):
    """The customer list's filter ``departed=<first day>..<last day>`` (registered in ready)."""
    found = parse_range(raw)
    if found is None:
        return None
    return queryset.filter(pk__in=LifecycleMove.objects.filter(
        to_stage=LifecycleStage.DEPARTURE, moved_on__gte=found[0], moved_on__lt=found[1]).values("customer_id"))


register(Measure(
    "new_customers", _("New customers"), COUNT_UNIT, _new_customers, permission="customers.view",
    definition=_("Customers created in the period (their own, shared and those in the public pool one may see)."),
    tags=("customers",), drill=drill_to("customers:customer_list", dates=_day_range("from", "to"))))
register(Measure(
    "lost_customers", _("Lost customers"), COUNT_UNIT, _lost_customers, permission="customers.view",
    definition=_("Customers whose lifecycle stage moved to departure in the period (no order for the departure "
                 "days of the lifecycle settings)."),
    better="down", tags=("customers",),
    drill=drill_to("customers:customer_list", dates=lambda period: {"departed": range_value(period)})))


# --- service: load, SLA and satisfaction -----------------------------------------------------
TICKET_KEYS = {"branch": "branch_id", "owner": "assignee_id"}


def _tickets(user):
    return scoped(Ticket.objects.all(), user)


def _tickets_opened(user, period, by):
    start, end = period.aware_range()
    return grouped(_tickets(user).filter(created_at__gte=start, created_at__lt=end), by, Count("pk"), TICKET_KEYS)


def _tickets_open(user, period, by):
    if _is_current(period):
        tickets = _tickets(user).filter(status__in=OPEN_STATUSES)
    else:  # open at the end of a past period: created before it, resolved or closed after it
        _start, end = period.aware_range()
        tickets = _tickets(user).filter(Q(created_at__lt=end) & (
            Q(resolved_at__gte=end) | Q(closed_at__gte=end, resolved_at__isnull=True)
            | Q(status__in=OPEN_STATUSES, resolved_at__isnull=True)))
    return grouped(tickets, by, Count("pk"), TICKET_KEYS)


def _sla_breached(user, period, by):
    return grouped(_tickets(user).filter(breached_q(*period.aware_range())), by, Count("pk"), TICKET_KEYS)


TICKET_GROUPS = ("branch", "owner")
register(Measure(
    "tickets_opened", _("Tickets opened"), COUNT_UNIT, _tickets_opened, permission="service.view",
    definition=_("Tickets created in the period."), better="down", groups=TICKET_GROUPS, tags=("service",),
    drill=drill_to("service:ticket_list", dates=_day_range("from", "to"))))
register(Measure(
    "tickets_open", _("Open tickets"), COUNT_UNIT, _tickets_open, permission="service.view",
    definition=_("Tickets not resolved at the end of the period (now for the current period)."), better="down",
    balance=True, groups=TICKET_GROUPS, tags=("service",),
    drill=drill_to("service:ticket_list", {"open": "1"})))
register(Measure(
    "sla_breached", _("Resolution targets missed"), COUNT_UNIT, _sla_breached, permission="service.view",
    definition=_("Tickets whose resolve-by time fell in the period (up to now) and that were not resolved by it."),
    better="down", groups=TICKET_GROUPS, tags=("service",),
    drill=drill_to("service:ticket_list", dates=lambda period: {"breached": range_value(period)})))
