"""Nightly lifecycle run (ANA-2); thin: the rules live in lifecycle.py."""

import datetime

from celery import shared_task

from .lifecycle import recompute_stages


@shared_task(name="guanxi.analytics.lifecycle_tasks.nightly_lifecycle", acks_late=True)
def nightly_lifecycle(day=None):
    """Recompute every customer's lifecycle stage; ``day`` (ISO date) defaults to today."""
    return recompute_stages(datetime.date.fromisoformat(day) if day else None)
