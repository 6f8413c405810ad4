"""Demo lifecycle history (ANA-2): the nightly run replayed at the end of each of the last
eleven months and today, so the lifecycle page has twelve months of stages and moves."""

import datetime

from django.utils import timezone

from guanxi.core.periods import add_months, month_start

from .lifecycle import recompute_stages
from .lifecycle_models import LifecycleMove


def run_days(today):
    """The last day of each of the 11 months before ``today``'s, then ``today``."""
    this_month = month_start(today)
    return [add_months(this_month, -back) - datetime.timedelta(days=1) for back in range(10, -1, -1)] + [today]


def build(stdout=None, seed=None):
    if LifecycleMove.objects.exists():
        return
    today = timezone.localdate()
    changed = sum(recompute_stages(day) for day in run_days(today))
    if stdout is not None:
        stdout.write(f"Demo lifecycle: {changed} stage moves over 12 months\n")
