"""Scheduled customer jobs (thin: they call services)."""

from celery import shared_task

from .reminders import send_follow_up_notices
from .services import customers_recycle


@shared_task(acks_late=True)
def recycle_customers():
    return customers_recycle()


@shared_task(acks_late=True)
def follow_up_reminders():
    return send_follow_up_notices()
