"""Scheduled finance jobs (thin: they call services)."""

from celery import shared_task
from django.utils import timezone

from guanxi.core.periods import add_months, month_start

from .commissions import statements_generate_all
from .reminders import send_receivable_reminders


@shared_task(acks_late=True)
def receivable_reminders():
    return send_receivable_reminders()


@shared_task(acks_late=True)
def monthly_commission_statements():
    """On the 1st: drafts of last month's statements for every salesperson (idempotent)."""

    return len(statements_generate_all(add_months(month_start(timezone.localdate()), -1)))
