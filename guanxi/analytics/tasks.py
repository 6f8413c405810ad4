"""Scheduled analytics jobs (thin: they call services)."""

from celery import shared_task

from .decision_report import scheduled as decision_report_scheduled
from .value import value_recompute_all


@shared_task(acks_late=True)
def recompute_customer_value():
    return value_recompute_all().customers


@shared_task(acks_late=True)
def decision_report(kind):
    """Weekly (Mondays) and monthly (the 1st) decision-support report."""
    report = decision_report_scheduled(kind)
    return report.pk if report is not None else None
