"""Scheduled service jobs (thin: they call services)."""

from celery import shared_task

from . import flows
from .models import Ticket
from .services import escalate_overdue as run_escalation


@shared_task(acks_late=True)
def start_flows(ticket_id):
    """Put a new ticket on its flow; a ticket no flow applies to (or gone) gets None."""
    ticket = Ticket.objects.filter(pk=ticket_id).select_related("ticket_type", "severity").first()
    run = flows.start(ticket) if ticket else None
    return run.pk if run else None


@shared_task(acks_late=True)
def resume_flows():
    return flows.resume_due()


@shared_task(acks_late=True)
def escalate_overdue():
    return run_escalation()
