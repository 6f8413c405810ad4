"""Regional analysis (ANA-6): customers, sales, service quality and behaviour per province,
or per city of one province, with a per-region sales forecast and its back-test (the same
line fitted on the 9 months before the last 3, compared with those 3).

A customer's region is its address's province and city (``customers.regions``, GB/T 2260);
orders, tickets and surveys count in their customer's region. Definitions:

- *Customers*: customers (category "customer") in scope created before the period's end.
- *Sales*, *orders*: counted orders (confirmed, shipped, completed) dated in the period.
- *Orders per customer*: orders / customers who ordered in the period; *average order*: sales / orders.
- *Tickets*: service tickets created in the period; *satisfaction*: see ``satisfaction``.
- *Forecast*: a least-squares linear trend over the region's monthly sales of the last 12
  full months, extended 3 months and floored at zero (documented in docs/analytics.md).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from guanxi.core.periods import Period, add_months, month_start
from guanxi.customers import regions
from guanxi.customers.models import Customer, CustomerCategory
from guanxi.org.scopes import scoped
from guanxi.service.models import Ticket

from . import satisfaction
from .tenc import counted_orders

ZERO = Decimal("0")
CENT = Decimal("0.01")
HISTORY_MONTHS, FORECAST_MONTHS = 12, 3
BACKTEST_FIT = HISTORY_MONTHS - FORECAST_MONTHS  # the back-test fits on 9 months, predicts the last 3
METRICS = {
    "sales": _("Sales"), "customers": _("Customers"), "orders": _("Orders"),
    "orders_per_customer": _("Orders per customer"), "average_order": _("Average order"),
    "tickets": _("Service tickets"), "satisfaction": _("Satisfaction rate"),
}
MONEY_METRICS = ("sales", "average_order")
# Official English forms where the pinyin of the short name would be ambiguous or unusual.
ENGLISH = {"61": "Shaanxi", "15": "Inner Mongolia", "54": "Tibet", "81": "Hong Kong", "82": "Macao"}


def english_name(code):
    """An English (pinyin) name of a province or city: 广东省 → Guangdong."""
    if code in ENGLISH:
        return ENGLISH[code]
    short = regions.short_name(regions.name(code))
    return "".join(lazy_pinyin(short)).capitalize() if short else ""


def display_name(code, language):
    if not code:
        return str(_("Not given"))
    chinese = regions.name(code)
    return english_name(code) or chinese if (language or "").startswith("en") else chinese


@dataclass
class RegionRow:
    code: str
    customers: int = 0
    sales: Decimal = ZERO
    orders: int = 0
    buyers: int = 0
    tickets: int = 0
    answered: int = 0
    satisfied: int = 0
    history: list = field(default_factory=list)  # monthly sales, oldest first
    forecast: list = field(default_factory=list)
    backtest: list = field(default_factory=list)  # the last 3 months of history, as forecast from the 9 before

    @property
    def backtest_actual(self):
        return self.history[BACKTEST_FIT:]

    @property
    def backtest_abs_error(self):
        """Σ |predicted − actual| over the held-out months."""
        return sum((abs(p - a) for p, a in zip(self.backtest, self.backtest_actual, strict=True)), ZERO)

    @property
    def backtest_mae(self):
        """Mean absolute error per held-out month (money)."""
        return (self.backtest_abs_error / len(self.backtest)).quantize(CENT) if self.backtest else None

    @property
    def backtest_error(self):
        """WAPE: Σ |predicted − actual| ÷ Σ actual, in percent (None without sales to compare)."""
        return wape(self.backtest_abs_error, sum(self.backtest_actual, ZERO))

    @property
    def orders_per_customer(self):
        return (Decimal(self.orders) / self.buyers).quantize(CENT) if self.buyers else None

    @property
    def average_order(self):
        return (self.sales / self.orders).quantize(CENT) if self.orders else None

    @property
    def satisfaction(self):
        return satisfaction.rate(self.satisfied, self.answered)

    def metric(self, name):
        return getattr(self, name)


def linear_forecast(values, ahead=FORECAST_MONTHS):
    """Least-squares line through ``values`` (one per month), extended ``ahead`` months, ≥ 0."""
    n = len(values)
    if not n:
        return [ZERO] * ahead
    ys = [Decimal(v) for v in values]
    mean_x, mean_y = Decimal(n - 1) / 2, sum(ys) / n
    spread = sum((Decimal(x) - mean_x) ** 2 for x in range(n))
    slope = sum((Decimal(x) - mean_x) * (y - mean_y) for x, y in enumerate(ys)) / spread if spread else ZERO
    return [max(ZERO, (mean_y + slope * (n - 1 + k - mean_x)).quantize(CENT)) for k in range(1, ahead + 1)]


def wape(abs_error, actual):
    return (abs_error * 100 / actual).quantize(Decimal("0.1")) if actual > 0 else None


def backtest_summary(rows):
    """The forecast's back-test over all regions: (WAPE %, mean absolute error per
    region-month, regions with sales in the held-out months)."""
    scored = [row for row in rows if row.backtest and sum(row.backtest_actual, ZERO) > 0]
    error = sum((row.backtest_abs_error for row in scored), ZERO)
    actual = sum((sum(row.backtest_actual, ZERO) for row in scored), ZERO)
    months = FORECAST_MONTHS * len(scored)
    return wape(error, actual), (error / months).quantize(CENT) if months else None, len(scored)


def region_rows(user, period: Period, province="", today=None):
    """``{region code: RegionRow}`` per province, or per city of ``province``."""
    level = "city" if province else "province"

    def where(prefix):
        return {f"{prefix}province": province} if province else {}

    rows = {}

    def row(code):
        return rows.setdefault(code or "", RegionRow(code or ""))

    start, end = period.aware_range()
    customers = scoped(Customer.objects.filter(category=CustomerCategory.CUSTOMER, created_at__lt=end,
                                               **where("")), user)
    for item in customers.order_by().values(level).annotate(n=Count("pk")):
        row(item[level]).customers = item["n"]
    key = f"customer__{level}"
    orders = counted_orders(user).filter(order_date__gte=period.start, order_date__lt=period.end,
                                         **where("customer__"))
    for item in orders.order_by().values(key).annotate(n=Count("pk"), sales=Sum("total"),
                                                        buyers=Count("customer_id", distinct=True)):
        target = row(item[key])
        target.orders, target.sales, target.buyers = item["n"], item["sales"] or ZERO, item["buyers"]
    tickets = scoped(Ticket.objects.filter(created_at__gte=start, created_at__lt=end, **where("customer__")), user)
    for item in tickets.order_by().values(key).annotate(n=Count("pk")):
        row(item[key]).tickets = item["n"]
    surveys = satisfaction.answered(user, period).filter(**where("ticket__customer__"))
    for code, (n, happy, _average) in satisfaction.summary(surveys, f"ticket__customer__{level}").items():
        target = row(code)
        target.answered, target.satisfied = n, happy
    _forecast(user, rows, key, where("customer__"), today or timezone.localdate())
    return rows


def _forecast(user, rows, key, where, today):
    last = month_start(today)
    first = add_months(last, -HISTORY_MONTHS)
    months = [add_months(first, k) for k in range(HISTORY_MONTHS)]
    sales = defaultdict(dict)
    history = counted_orders(user).filter(order_date__gte=first, order_date__lt=last, **where).order_by().annotate(
        month=TruncMonth("order_date")).values(key, "month").annotate(total=Sum("total"))
    for item in history:
        month = item["month"].date() if isinstance(item["month"], datetime.datetime) else item["month"]
        sales[item[key] or ""][month] = item["total"] or ZERO
    for code, by_month in sales.items():
        target = rows.setdefault(code, RegionRow(code))
        target.history = [by_month.get(month, ZERO) for month in months]
    for target in rows.values():
        target.history = target.history or [ZERO] * HISTORY_MONTHS
        target.forecast = linear_forecast(target.history)
        target.backtest = linear_forecast(target.history[:BACKTEST_FIT])
    return months
