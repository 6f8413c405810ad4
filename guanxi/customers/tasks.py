"""Scheduled customer jobs (thin: they call services)."""

from celery import shared_task


@shared_task(acks_late=True)
def recycle_customers():
    from .services import customers_recycle

    return customers_recycle()


@shared_task(acks_late=True)
def follow_up_reminders():
    from .reminders import send_follow_up_notices

    return send_follow_up_notices()
