"""Scheduled service jobs (thin: they call services)."""

from celery import shared_task


@shared_task(acks_late=True)
def start_flows(ticket_id):
    from . import flows
    from .models import Ticket

    ticket = Ticket.objects.filter(pk=ticket_id).select_related("ticket_type", "severity").first()
    return flows.start(ticket).pk if ticket else None


@shared_task(acks_late=True)
def resume_flows():
    from . import flows

    return flows.resume_due()


@shared_task(acks_late=True)
def escalate_overdue():
    from .services import escalate_overdue as run

    return run()
