"""Scheduled finance jobs (thin: they call services)."""

from celery import shared_task


@shared_task(acks_late=True)
def receivable_reminders():
    from .reminders import send_receivable_reminders

    return send_receivable_reminders()
