"""The 10C / 7P measures (ANA-3, ANA-4): profiling, persistency, profitability,
performance, prospecting and promotion, each read through the viewer's scope.

Definitions (the page shows the same text):

- **Counted orders** are confirmed, shipped and completed orders (as for the sales measure).
- **Cohort** of a customer: the month of their first counted order ever. Retention of a
  cohort after *k* months: the share of the cohort with a counted order in month *k*
  after the first (month 0 is 100 %).
- **Retention rate** of a period: of the customers who bought in the window of the same
  length just before the period, the share who bought again in the period; the **churn
  rate** is the rest (100 − retention).
- **Gross margin**: net revenue (line subtotal − discount, without tax) minus cost, where
  a product's cost is its average purchase price (purchase order lines ordered or received,
  without tax, the company's reference price). Lines whose product was never bought count
  in neither revenue nor cost of the margin; their revenue is shown as "without a cost".
- **Acquisition rate**: leads created in the period that are converted, over leads created
  in the period. **First-time buyers**: customers whose first counted order is in the
  period. **Acquisition cost**: approved sales expenses (the "sales" expense category and
  its items: travel, entertainment, marketing…) in the period per first-time buyer.
"""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.periods import Period, add_months, month_start
from guanxi.customers.models import Customer, CustomerCategory
from guanxi.finance.models import Expense, ExpenseStatus
from guanxi.org.scopes import scoped
from guanxi.purchasing.models import PurchaseOrderLine, PurchaseStatus
from guanxi.sales.models import Lead, LeadStatus, Order, OrderLine
from guanxi.sales.targets import COUNTED_ORDERS

from . import measures, rollups
from .measures import COUNT_UNIT, MONEY_UNIT, PERCENT_UNIT, ZERO, Measure, drill_to
from .rollups import LINE_NET

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
BOUGHT = [PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED, PurchaseStatus.RECEIVED]
ACQUISITION_EXPENSES = "sales"  # the expense category (and its items) counted as acquisition spending
CUSTOMER_KEYS = {"branch": "customer__branch_id", "owner": "customer__owner_id"}


def percent(part, whole):
    """``part / whole`` as a Decimal percentage with two decimals, ``None`` when ``whole`` is 0."""
    if not whole:
        return None
    return (HUNDRED * Decimal(part) / Decimal(whole)).quantize(CENT)


def counted_orders(user):
    return scoped(Order.objects.filter(status__in=COUNTED_ORDERS), user)


def order_months(user, before=None):
    """``{customer id: set of first days of the months with a counted order}`` in the user's scope."""
    orders = counted_orders(user)
    if before is not None:
        orders = orders.filter(order_date__lt=before)
    months = defaultdict(set)
    for customer_id, month in orders.order_by().annotate(month=TruncMonth("order_date")).values_list(
            "customer_id", "month").distinct():
        months[customer_id].add(month if isinstance(month, datetime.date) and not isinstance(
            month, datetime.datetime) else month.date())
    return months


# --- persistency ---------------------------------------------------------------------------
@dataclass
class Cohort:
    month: datetime.date
    size: int
    active: list  # customers active in month k after the first, k = 0, 1, …
    rates: list = field(default_factory=list)  # Decimal percentages, same length


def cohorts(user, period: Period, horizon=12, today=None):
    """Cohorts of first-order months in ``period``, followed ``horizon`` months (never past today)."""
    today = today or timezone.localdate()
    last = month_start(today)
    months = order_months(user, before=add_months(last, 1))
    by_first = defaultdict(list)
    for seen in months.values():
        first = min(seen)
        if period.start <= first < period.end:
            by_first[first].append(seen)
    result = []
    for first in sorted(by_first):
        members = by_first[first]
        span = min(horizon, (last.year - first.year) * 12 + last.month - first.month + 1)
        active = [sum(1 for seen in members if add_months(first, k) in seen) for k in range(span)]
        result.append(Cohort(first, len(members), active, [percent(n, len(members)) for n in active]))
    return result


def retention(user, period: Period, by=None):
    """``{key: (base, retained)}``: buyers of the previous window of the same length, and those of
    them who bought again in ``period`` (one grouped query over the previous window's purchases:
    the customer-day rollups once built, else the orders)."""
    before = Period(period.start - datetime.timedelta(days=period.days), period.start)
    again = rollups.purchases(user, period.start, period.end).rows
    base, _day, branch = rollups.purchases(user, before.start, before.end)
    base = base.annotate(again=Exists(again.filter(customer_id=OuterRef("customer_id"))))
    figures = {"base": Count("customer_id", distinct=True),
               "kept": Count("customer_id", distinct=True, filter=Q(again=True))}
    if by == "branch":
        return {row[branch]: (row["base"], row["kept"]) for row in base.values(branch).annotate(**figures)}
    found = base.aggregate(**figures)
    return {None: (found["base"], found["kept"])} if found["base"] else {}


def retention_series(user, periods):
    """``[(base, retained)]`` of each of ``periods`` as ``retention`` counts them, from one read
    of the purchases spanning every window (customer ids and day numbers as numpy arrays),
    instead of one query per period. Equal to ``retention`` per period (tested)."""
    windows = [(period.start - datetime.timedelta(days=period.days), period.start, period.end) for period in periods]
    found = rollups.purchases(user, min(w[0] for w in windows), max(w[2] for w in windows))
    customers, days = rollups.purchase_arrays(found)
    result = []
    for start, middle, end in (tuple(rollups.day_number(day) for day in window) for window in windows):
        base = np.unique(customers[(days >= start) & (days < middle)])
        again = np.unique(customers[(days >= middle) & (days < end)])
        result.append((int(base.size), int(np.intersect1d(base, again, assume_unique=True).size)))
    return result


def _retention_rate_series(user, periods):
    return [percent(kept, base) if base else ZERO for base, kept in retention_series(user, periods)]


def _churn_rate_series(user, periods):
    return [HUNDRED - percent(kept, base) if base else ZERO for base, kept in retention_series(user, periods)]


def _retention_rate(user, period, by):
    return {key: percent(kept, base) for key, (base, kept) in retention(user, period, by).items()}


def _churn_rate(user, period, by):
    return {key: None if rate is None else HUNDRED - rate for key, rate in _retention_rate(user, period, by).items()}


# --- profitability -------------------------------------------------------------------------
def unit_costs():
    """``{product id: average purchase price without tax}``: the company's reference cost."""
    rows = PurchaseOrderLine.objects.filter(order__status__in=BOUGHT, product__isnull=False).order_by().values(
        "product_id").annotate(net=Sum(LINE_NET), quantity=Sum("quantity"))
    return {row["product_id"]: row["net"] / row["quantity"] for row in rows if row["quantity"]}


@dataclass
class Profit:
    key: object
    label: str = ""
    revenue: Decimal = ZERO  # net revenue of lines with a known cost
    cost: Decimal = ZERO
    uncosted: Decimal = ZERO  # net revenue of lines without a cost

    @property
    def margin(self):
        return self.revenue - self.cost

    @property
    def margin_rate(self):
        return percent(self.margin, self.revenue)


# Keys the product-month rollups can split by (their own column names).
ROLLUP_KEYS = {None: None, "order__branch_id": "branch_id", "order__owner_id": "owner_id"}


def _line_figures(user, period: Period, key):
    """``(rows, key column, product column)``: net revenue and quantity per product (and key) of
    the counted orders' lines dated in ``period``, from the product-month rollups when they can
    answer (whole months, split by nothing, branch or owner), else from the order lines."""
    slices = rollups.product_months(user, period) if key in ROLLUP_KEYS else None
    if slices is not None:
        column = ROLLUP_KEYS[key]
        paths = ("product_key",) if column is None else (column, "product_key")
        return slices.order_by().values(*paths).annotate(net=Sum("net"), quantity=Sum("quantity")), column, \
            "product_key"
    lines = OrderLine.objects.filter(order__in=counted_orders(user).filter(
        order_date__gte=period.start, order_date__lt=period.end))
    paths = ("product_id",) if key is None else (key, "product_id")
    return lines.order_by().values(*paths).annotate(net=Sum(LINE_NET), quantity=Sum("quantity")), key, "product_id"


def profit(user, period: Period, key=None):
    """``{key: Profit}`` over the lines of counted orders dated in ``period`` (one row, key ``None``,
    when ``key`` is ``None``; else an ORM path such as ``order__customer_id``)."""
    costs = unit_costs()
    result = {}
    rows, column, product = _line_figures(user, period, key)
    for row in rows:
        group = row[column] if column else None
        item = result.setdefault(group, Profit(group))
        cost = costs.get(row[product] or None)
        if cost is None:
            item.uncosted += row["net"]
        else:
            item.revenue += row["net"]
            item.cost += (cost * row["quantity"]).quantize(CENT)
    return result


PROFIT_KEYS = {None: None, "branch": "order__branch_id", "owner": "order__owner_id"}


def _profits(user, period, by):
    found = profit(user, period, PROFIT_KEYS[by])
    return found if by else {None: found.get(None, Profit(None))}


def _gross_margin(user, period, by):
    return {key: item.margin for key, item in _profits(user, period, by).items()}


def _gross_margin_rate(user, period, by):
    return {key: item.margin_rate for key, item in _profits(user, period, by).items()}


# --- prospecting ---------------------------------------------------------------------------
def first_time_buyers(user, period: Period, by=None):
    """``{key: customers whose first counted order (in the user's scope) is dated in the period}``:
    those with a purchase in the period and none before it, so only the period's purchases are
    read (each checked for an earlier one through the customer's index), not all history."""
    earlier = rollups.purchases(user, end=period.start).rows
    firsts, _day, branch = rollups.purchases(user, period.start, period.end)
    firsts = firsts.filter(~Exists(earlier.filter(customer_id=OuterRef("customer_id"))))
    if by == "branch":
        return {row[branch]: row["n"] for row in firsts.values(branch).annotate(
            n=Count("customer_id", distinct=True))}
    found = firsts.aggregate(n=Count("customer_id", distinct=True))["n"]
    return {None: found} if found else {}


def first_time_buyers_series(user, periods):
    """First-time buyers of each of ``periods`` (ascending, e.g. a 12-month trend) in one
    query: each customer's first purchase in the user's scope, kept when it falls in the
    span, counted per period. Equal to ``first_time_buyers`` per period (tested), and one
    read of the history instead of one per period."""
    rows, day, _branch = rollups.purchases(user)
    firsts = rows.values("customer_id").annotate(first=Min(day)).filter(
        first__gte=periods[0].start, first__lt=periods[-1].end).values_list("first", flat=True)
    starts = [period.start for period in periods]
    counts = [0] * len(periods)
    for first in firsts.iterator(chunk_size=10_000):
        index = bisect.bisect_right(starts, first) - 1
        if first < periods[index].end:
            counts[index] += 1
    return counts


def leads(user, period: Period, by=None):
    """``{key: (created, converted)}`` of the leads created in the period."""
    start, end = period.aware_range()
    rows = scoped(Lead.objects.filter(created_at__gte=start, created_at__lt=end), user).order_by()
    if by is None:
        found = rows.aggregate(n=Count("pk"), won=Count("pk", filter=Q(status=LeadStatus.CONVERTED)))
        return {None: (found["n"], found["won"])}
    rows = rows.values("branch_id").annotate(n=Count("pk"), won=Count("pk", filter=Q(status=LeadStatus.CONVERTED)))
    return {row["branch_id"]: (row["n"], row["won"]) for row in rows}


def acquisition_spending(user, period: Period, by=None):
    expenses = scoped(Expense.objects.filter(
        Q(category__code=ACQUISITION_EXPENSES) | Q(category__parent__code=ACQUISITION_EXPENSES),
        status=ExpenseStatus.APPROVED, spent_on__gte=period.start, spent_on__lt=period.end), user)
    return measures.grouped(expenses, by, measures.money_sum("amount"), keys={"branch": "branch_id"})


def _acquisition_rate(user, period, by):
    return {key: percent(won, n) for key, (n, won) in leads(user, period, by).items()}


def _first_time_buyers(user, period, by):
    found = first_time_buyers(user, period, by)
    return found if by else {None: found.get(None, 0)}


def _cost_per_buyer(spent, buyers):
    return (spent / buyers).quantize(CENT) if buyers else None


def _acquisition_cost(user, period, by):
    spent = acquisition_spending(user, period, by)
    buyers = first_time_buyers(user, period, by)
    return {key: _cost_per_buyer(spent.get(key, ZERO), buyers.get(key)) for key in set(spent) | set(buyers)}


def _acquisition_cost_series(user, periods):
    buyers = first_time_buyers_series(user, periods)
    return [_cost_per_buyer(acquisition_spending(user, period).get(None, ZERO), count)
            for period, count in zip(periods, buyers, strict=True)]


# --- profiling and performance ------------------------------------------------------------
PROFILES = {
    "industry": ("industry_id", _("Industry")),
    "kind": ("kind", _("Type (company or individual)")),
    "province": ("province", _("Region")),
    "source": ("source_id", _("Source")),
    "level": ("level_id", _("Level")),
}


def profile(user, dimension, period: Period):
    """``{value: customers}`` of the customers (category "customer") in scope created before the period's end."""
    key = PROFILES[dimension][0]
    start, end = period.aware_range()
    customers = scoped(Customer.objects.filter(category=CustomerCategory.CUSTOMER, created_at__lt=end), user)
    return dict(customers.order_by().values_list(key).annotate(n=Count("pk")).values_list(key, "n"))


PERFORMANCE = {
    "category": ("product__category_id", _("Product category")),
    "channel": ("order__customer__source_id", _("Channel (customer source)")),
    "region": ("order__customer__province", _("Region")),
}


def performance(user, dimension, period: Period):
    """``{value: (orders, sales)}`` of counted order lines dated in the period (tax included)."""
    key = PERFORMANCE[dimension][0]
    lines = OrderLine.objects.filter(order__in=counted_orders(user).filter(
        order_date__gte=period.start, order_date__lt=period.end))
    rows = lines.order_by().values(key).annotate(orders=Count("order_id", distinct=True), sales=Sum("total"))
    return {row[key]: (row["orders"], row["sales"] or ZERO) for row in rows}


BRANCH = ("branch",)
for _measure in (
    Measure("retention_rate", _("Retention rate"), PERCENT_UNIT, _retention_rate, series=_retention_rate_series,
            permission="sales.view",
            groups=BRANCH, drill=drill_to("analytics:tenc", {"tab": "persistency"}), tags=("customers", "10c"),
            definition=_("Of the customers who bought in the window of the same length just before the period, "
                         "the share who bought again in the period.")),
    Measure("churn_rate", _("Churn rate"), PERCENT_UNIT, _churn_rate, series=_churn_rate_series,
            permission="sales.view", groups=BRANCH,
            better="down", drill=drill_to("analytics:tenc", {"tab": "persistency"}), tags=("customers", "10c"),
            definition=_("100 % minus the retention rate: customers of the previous window who did not buy again.")),
    Measure("gross_margin", _("Gross margin"), MONEY_UNIT, _gross_margin, permission="finance.view",
            groups=("branch", "owner"), drill=drill_to("analytics:tenc", {"tab": "profitability"}), tags=("finance", "10c"),
            definition=_("Net revenue (without tax) of order lines minus their cost at the product's average "
                         "purchase price; lines of products never bought are left out.")),
    Measure("gross_margin_rate", _("Gross margin rate"), PERCENT_UNIT, _gross_margin_rate,
            permission="finance.view", groups=("branch", "owner"), drill=drill_to("analytics:tenc", {"tab": "profitability"}), tags=("finance", "10c"),
            definition=_("Gross margin over the net revenue of the lines with a known cost.")),
    Measure("acquisition_rate", _("Acquisition rate"), PERCENT_UNIT, _acquisition_rate, permission="sales.view",
            groups=BRANCH, drill=drill_to("analytics:tenc", {"tab": "prospecting"}), tags=("customers", "10c"),
            definition=_("Leads created in the period that are converted into customers, over the leads created "
                         "in the period.")),
    Measure("first_time_buyers", _("First-time buyers"), COUNT_UNIT, _first_time_buyers,
            series=first_time_buyers_series, permission="sales.view", groups=BRANCH, drill=drill_to("analytics:tenc", {"tab": "prospecting"}), tags=("customers", "10c"),
            definition=_("Customers whose first counted order is dated in the period.")),
    Measure("acquisition_cost", _("Acquisition cost"), MONEY_UNIT, _acquisition_cost,
            series=_acquisition_cost_series, permission="finance.view",
            groups=BRANCH, better="down", drill=drill_to("analytics:tenc", {"tab": "prospecting"}), tags=("finance", "10c"),
            definition=_("Approved sales expenses (travel, entertainment, marketing…) in the period per "
                         "first-time buyer.")),
):
    measures.register(_measure)
