"""Scheduled analytics jobs (thin: they call services)."""

from celery import shared_task

from .alerts import alerts_evaluate
from .decision_report import scheduled as decision_report_scheduled
from .rollups import rollups_rebuild
from .value import value_recompute_all


@shared_task(acks_late=True)
def recompute_customer_value():
    return value_recompute_all().customers


@shared_task(acks_late=True)
def decision_report(kind):
    """Weekly (Mondays) and monthly (the 1st) decision-support report."""
    report = decision_report_scheduled(kind)
    return report.pk if report is not None else None
@shared_task(bind=True, acks_late=True)
def rebuild_rollups(self):
    """Nightly: rebuild the daily sales rollups; the phase shows as the task's progress."""

    def progress(step, done):
        self.update_state(state="PROGRESS", meta={"step": step, "done": done})

    return rollups_rebuild(progress).rows


@shared_task(acks_late=True)
def evaluate_alerts():
    """Daily: check the quality alert rules on their last finished period (idempotent)."""
    return len(alerts_evaluate())
