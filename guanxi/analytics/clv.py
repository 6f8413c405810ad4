"""Lifetime value and churn per customer (ANA-4): BG/NBD + Gamma-Gamma (``clv_model``).

Purchases are the days with a counted order (confirmed, shipped in part or whole,
completed): several orders on one day are one purchase, their amounts summed. Time is in
weeks. Per customer, from the first purchase: ``x`` repeat purchases (purchase days − 1),
``t_x`` the weeks to the last, ``T`` the weeks to today. The spend per purchase is the
mean of the customer's purchase days (gross amounts, as in RFM).

Figures: churn = 1 − P(alive); expected purchases in the next 90 days; lifetime value =
the purchases expected in each of the next 12 months × the Gamma-Gamma expected value of a
purchase, discounted by 1 % a month (≈ 12.7 % a year); value at risk = churn × the
customer's yearly spend so far (spend / years since the first purchase, at least one).

Back-test: the same models fitted on the orders up to 180 days before today predict each
of those customers' purchases in the last 180 days; the run stores the per-customer mean
absolute error, the aggregate error and a table by calibration frequency.

The run is a job in the worker (nightly and on demand) with progress; pages read the
stored ``CustomerClv`` rows and the job's result.
"""

import datetime
import time
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import Count, F, Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import DomainError
from guanxi.core.fastinsert import insert_rows
from guanxi.core.permissions import ensure
from guanxi.core.services import service
from guanxi.customers.models import Customer
from guanxi.org.scopes import scoped
from guanxi.sales.models import Order

from . import clv_model
from .clv_models import AnalysisJob, CustomerClv, JobKind, JobStatus
from .value import COUNTED

WEEK = 7
HORIZON_DAYS = 90
CLV_MONTHS = 12
MONTHLY_DISCOUNT = 0.01
HOLDOUT_DAYS = 180
FIT_SAMPLE = 200_000
MIN_CUSTOMERS = 20  # fewer customers with orders: no fit
FREQUENCY_ROWS = 7  # the back-test table: 0, 1, …, 6 and "7 or more" repeat purchases
CENT = Decimal("0.01")


@dataclass
class History:
    """The customers' purchase histories as arrays (one position per customer)."""

    customer_ids: np.ndarray
    first: np.ndarray  # ordinal days
    last: np.ndarray
    days: np.ndarray  # purchase days
    spend: np.ndarray

    def __len__(self):
        return len(self.customer_ids)

    def model_inputs(self, today):
        """(x, t_x, T) in weeks as of ``today``."""
        return (self.days - 1.0, (self.last - self.first) / WEEK, (today.toordinal() - self.first) / WEEK)


# --- extraction ----------------------------------------------------------------------------------
def counted(until, since=None):
    orders = Order.objects.filter(status__in=COUNTED, order_date__lte=until)
    return orders.filter(order_date__gt=since) if since else orders


def history(until):
    """One grouped query: each customer's first and last purchase day, purchase days and spend."""
    rows = list(counted(until).values("customer_id").annotate(
        first=Min("order_date"), last=Max("order_date"), days=Count("order_date", distinct=True),
        spend=Sum("total")).order_by().values_list("customer_id", "first", "last", "days", "spend"))
    if not rows:
        return History(*(np.zeros(0) for _i in range(5)))
    ids, first, last, days, spend = zip(*rows, strict=True)
    return History(np.array(ids, dtype=np.int64), np.array([d.toordinal() for d in first], dtype=float),
                   np.array([d.toordinal() for d in last], dtype=float), np.array(days, dtype=float),
                   np.array([float(s or 0) for s in spend]))


def purchases_between(since, until):
    """{customer id: purchase days} in (since, until]."""
    return dict(counted(until, since).values("customer_id").annotate(n=Count("order_date", distinct=True))
                .order_by().values_list("customer_id", "n"))


# --- the models on a history -----------------------------------------------------------------------
@dataclass(frozen=True)
class Fit:
    bgnbd: clv_model.BgNbd
    gamma_gamma: clv_model.GammaGamma | None


def fit(data, today):
    """Both models' parameters, fitted on at most ``FIT_SAMPLE`` customers (a fixed-seed random
    sample beyond that: the parameters are population figures, and 200,000 customers pin them
    down far below the model's own error)."""
    if len(data) < MIN_CUSTOMERS or not (data.days > 1).any():
        raise DomainError(_("Too few customers with repeat purchases to fit the model."))
    if len(data) > FIT_SAMPLE:
        chosen = np.sort(np.random.default_rng(0).choice(len(data), FIT_SAMPLE, replace=False))
        data = History(*(column[chosen] for column in (data.customer_ids, data.first, data.last, data.days,
                                                       data.spend)))
    x, t_x, T = data.model_inputs(today)
    bgnbd = clv_model.fit_bgnbd(x, t_x, T)
    repeat = (x > 0) & (data.spend > 0)
    gamma_gamma = clv_model.fit_gamma_gamma(x[repeat] + 1, (data.spend / data.days)[repeat]) \
        if repeat.sum() >= MIN_CUSTOMERS else None
    return Fit(bgnbd, gamma_gamma)


def figures(model, data, today):
    """Per customer: P(alive), expected purchases in 90 days, expected value of a purchase, CLV.
    The BG/NBD figures are computed once per distinct (x, t_x, T) (half the customers bought
    once: a thousand distinct histories) and spread back."""
    x, t_x, T = data.model_inputs(today)
    mean = data.spend / data.days
    if model.gamma_gamma is not None:
        value = clv_model.expected_value(model.gamma_gamma, x + 1, mean, fallback=float(mean.mean()))
    else:
        value = mean
    histories, back = np.unique(np.column_stack([x, t_x, T]), axis=0, return_inverse=True)
    ux, ut, uT = histories.T
    back = back.ravel()
    alive = clv_model.p_alive(model.bgnbd, ux, ut, uT)[back]
    expected = clv_model.expected_purchases(model.bgnbd, HORIZON_DAYS / WEEK, ux, ut, uT)[back]
    per_unit = clv_model.lifetime_value(model.bgnbd, ux, ut, uT, 1.0, CLV_MONTHS, MONTHLY_DISCOUNT, WEEK)[back]
    return alive, expected, value, per_unit * value


def backtest(today):
    """Fit on the orders up to ``today`` − 180 days, predict the 180 days after, compare."""
    cut = today - datetime.timedelta(days=HOLDOUT_DAYS)
    data = history(cut)
    model = fit(data, cut)
    x, t_x, T = data.model_inputs(cut)
    predicted = clv_model.expected_purchases(model.bgnbd, HOLDOUT_DAYS / WEEK, x, t_x, T)
    actual_by_id = purchases_between(cut, today)
    actual = np.array([actual_by_id.get(int(pk), 0) for pk in data.customer_ids], dtype=float)
    rows = []
    bucket = np.minimum(x, FREQUENCY_ROWS).astype(int)
    for k in range(FREQUENCY_ROWS + 1):
        chosen = bucket == k
        if chosen.any():
            rows.append({"repeat": k, "plus": k == FREQUENCY_ROWS, "customers": int(chosen.sum()),
                         "actual": round(float(actual[chosen].mean()), 3),
                         "predicted": round(float(predicted[chosen].mean()), 3)})
    total_actual, total_predicted = float(actual.sum()), float(predicted.sum())
    return {"calibration_end": cut.isoformat(), "holdout_days": HOLDOUT_DAYS, "customers": len(data),
            "mae": round(float(np.abs(predicted - actual).mean()), 4),
            "actual": int(total_actual), "predicted": round(total_predicted, 1),
            "error_percent": round(100 * (total_predicted - total_actual) / total_actual, 1) if total_actual else None,
            "by_frequency": rows}


# --- the run ---------------------------------------------------------------------------------------
def job_progress(job, percent, step):
    if job is not None:
        AnalysisJob.objects.filter(pk=job.pk).update(progress=percent, step=step)


CLV_COLUMNS = ("customer_id", "purchases", "first_order", "last_order", "spend", "average_value", "p_alive", "churn",
               "expected_90", "clv", "value_at_risk")


def _cents(values):
    return [f"{v:.2f}" for v in np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)]


def clv_rows(data, alive, expected, value, clv, today):
    """The ``CLV_COLUMNS`` of every customer as plain rows (no model instances: a million rows)."""
    years = np.maximum((today.toordinal() - data.first) / 365.25, 1.0)
    at_risk = (1 - alive) * data.spend / years
    days = {}

    def iso(ordinal):
        if ordinal not in days:
            days[ordinal] = datetime.date.fromordinal(ordinal).isoformat()
        return days[ordinal]

    return zip(data.customer_ids.tolist(), data.days.astype(int).tolist(), map(iso, data.first.astype(int).tolist()),
               map(iso, data.last.astype(int).tolist()), _cents(data.spend), _cents(value), alive.tolist(),
               (1 - alive).tolist(), expected.tolist(), _cents(clv), _cents(at_risk), strict=True)


def clv_compute(job=None, today=None, with_backtest=True):
    """Fit, score every customer with orders, store the rows; returns the result summary."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    job_progress(job, 5, "extract")
    data = history(today)
    job_progress(job, 25, "fit")
    model = fit(data, today)
    job_progress(job, 40, "score")
    alive, expected, value, clv = figures(model, data, today)
    job_progress(job, 55, "store")
    with transaction.atomic():
        CustomerClv.objects.all().delete()
        insert_rows(CustomerClv, CLV_COLUMNS, clv_rows(data, alive, expected, value, clv, today))
    seconds = time.perf_counter() - started
    job_progress(job, 75, "backtest")
    result = {"customers": len(data), "seconds": round(seconds, 2), "as_of": today.isoformat(),
              "bgnbd": vars(model.bgnbd), "gamma_gamma": vars(model.gamma_gamma) if model.gamma_gamma else None,
              "horizon_days": HORIZON_DAYS, "months": CLV_MONTHS, "monthly_discount": MONTHLY_DISCOUNT}
    if with_backtest:
        try:
            result["backtest"] = backtest(today)
        except DomainError as exc:
            result["backtest"] = {"error": str(exc.message)}
    return result


# --- selectors -------------------------------------------------------------------------------------
SORTS = {"risk": ["-value_at_risk", "pk"], "clv": ["-clv", "pk"], "churn": ["-churn", "pk"]}


def clv_visible_to(user):
    return CustomerClv.objects.filter(customer_id__in=scoped(Customer.objects.all(), user).values("pk"))


def at_risk(user, min_churn=0.0, tier="", sort="risk"):
    """The user's customers by value at risk (or CLV, or churn), from ``min_churn`` on."""
    rows = clv_visible_to(user).filter(churn__gte=min_churn).select_related("customer", "customer__owner")
    if tier:
        rows = rows.filter(customer__value_tier=tier)
    return rows.order_by(*SORTS.get(sort, SORTS["risk"]))


def clv_of(user, customer):
    return clv_visible_to(user).filter(customer=customer).first()


def churn_histogram(user):
    """Customers per tenth of churn probability (one query)."""
    counts = [0] * 10
    for churn, n in clv_visible_to(user).values_list("churn").annotate(n=Count("pk")).order_by():
        counts[min(int(churn * 10), 9)] += n
    return counts


def totals(user):
    return clv_visible_to(user).aggregate(customers=Count("pk"), clv=Sum("clv"), at_risk=Sum("value_at_risk"),
                                          expected=Sum(F("expected_90")))


def latest_job(kind, done=True):
    jobs = AnalysisJob.objects.filter(kind=kind)
    return (jobs.filter(status=JobStatus.DONE) if done else jobs).first()


def active_job(kind):
    return AnalysisJob.objects.filter(kind=kind, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()


# --- jobs --------------------------------------------------------------------------------------------
RUNNERS = {}


def register_runner(kind, func):
    RUNNERS[kind] = func


register_runner(JobKind.CLV, lambda job: clv_compute(job, job.as_of))


@service
def analysis_request(*, actor, kind):
    """Queue a recompute (at most one waiting or running per kind); the caller starts the task
    on commit. Returns (job, created)."""
    ensure(actor, "customers.manage")
    current = active_job(kind)
    if current is not None:
        return current, False
    return AnalysisJob.objects.create(kind=kind, requested_by=actor, as_of=timezone.localdate()), True


def run_job(job_id):
    """Run a queued job in the worker: progress on the row, the result or the error at the end."""
    job = AnalysisJob.objects.get(pk=job_id)
    AnalysisJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=1)
    try:
        result = RUNNERS[job.kind](job)
    except DomainError as exc:
        AnalysisJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                                     result={"error": str(exc.message)})
        return None
    except Exception:
        AnalysisJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                                     result={"error": "internal"})
        raise
    AnalysisJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, progress=100, step="",
                                                 finished_at=timezone.now(), result=result)
    return result


def run_now(kind, today=None):
    """The nightly run: a job row, run at once in this worker."""
    job = AnalysisJob.objects.create(kind=kind, as_of=today or timezone.localdate())
    return run_job(job.pk)
