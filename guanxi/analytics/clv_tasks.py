"""Lifetime value, churn and basket rules in the worker (ANA-4, ANA-5); thin: the work is in
clv.py and basket.py."""

from celery import shared_task

from . import basket  # noqa: F401  (registers the basket job's runner)
from .clv import run_job, run_now
from .clv_models import JobKind


@shared_task(name="guanxi.analytics.clv_tasks.run_analysis_job", acks_late=True)
def run_analysis_job(job_id):
    """A recompute someone asked for on the page (its progress is on the job row)."""
    return run_job(job_id)


@shared_task(name="guanxi.analytics.clv_tasks.nightly_clv", acks_late=True)
def nightly_clv():
    return run_now(JobKind.CLV)


@shared_task(name="guanxi.analytics.clv_tasks.nightly_basket", acks_late=True)
def nightly_basket():
    return run_now(JobKind.BASKET)
