"""Scheduled sales jobs (thin: they call services)."""

from celery import shared_task

from .deliveries import send_contract_reminders, send_delivery_reminders


@shared_task(acks_late=True)
def delivery_reminders():
    return send_delivery_reminders() + send_contract_reminders()
