"""Scheduled marketing jobs (thin: they call services; idempotent, safe to retry)."""

from celery import shared_task

from . import journeys
from .services import email as email_services


@shared_task(acks_late=True)
def start_send(send_id):
    """Start a scheduled send when it is due (its ETA); the beat task catches any missed."""
    return email_services.send_start(send_id)


@shared_task(acks_late=True)
def start_due_sends():
    """Start the due scheduled sends, and pick up sends whose delivery chain stopped
    (a worker restarted): claims are atomic, so an extra chain sends nothing twice."""
    started = email_services.sends_due_start()
    for send_id in email_services.sends_stalled():
        deliver_send.delay(send_id)
    return started


@shared_task(acks_late=True)
def deliver_send(send_id):
    """Deliver one batch, then queue the next after the pause the rate limit asks."""
    result = email_services.send_deliver_batch(send_id)
    if result.remaining and (result.sent or result.failed or result.bounced or result.suppressed or result.recovered):
        deliver_send.apply_async((send_id,), countdown=email_services.pause_seconds(result))
    return result.sent


@shared_task(acks_late=True)
def poll_bounces():
    return email_services.bounces_poll()


@shared_task(acks_late=True)
def advance_journeys():
    touched = journeys.journeys_advance()
    for send_id in touched:
        deliver_send.delay(send_id)
    return len(touched)
