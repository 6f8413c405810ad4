"""Scheduled analytics jobs (thin: they call services)."""

from celery import shared_task

from .value import value_recompute_all


@shared_task(acks_late=True)
def recompute_customer_value():
    return value_recompute_all().customers
