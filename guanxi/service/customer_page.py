"""What service adds to the customer page (CUS-6): the customer's tickets (open and past
their target highlighted) as a section and as entries of the customer's timeline.
Wired in ServiceConfig.ready."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core import timeline
from guanxi.customers import summary
from guanxi.customers.models import Customer

from . import selectors
from .models import OPEN_STATUSES


class TicketsSection(summary.Section):
    key = "tickets"
    title = _("Tickets")
    order = 80
    permission = "service.view"
    empty_text = _("No tickets.")
    list_url_name = "service:ticket_list"
    # The form's view asks service.create and answers 404 for a customer out of scope.
    create_url_name = "service:ticket_create"
    create_label = _("New ticket")
    create_permission = "service.create"

    def records(self, viewer):
        return selectors.tickets_of_customer(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        is_open = Q(status__in=OPEN_STATUSES)
        totals = summary.tally(records, open=is_open, overdue=is_open & Q(resolve_by__lt=timezone.now()))
        return totals["count"], [
            summary.Figure("open", _("Open"), totals["open"]),
            summary.Figure("overdue", _("Past the target"), totals["overdue"], alert=totals["overdue"] > 0),
        ]

    def rows(self, viewer, records, limit):
        return [summary.Row(label=ticket.number, url=ticket.get_absolute_url(), alert=ticket.overdue,
                            facts=(ticket.subject, ticket.get_status_display(), summary.day(ticket.created_at)))
                for ticket in records[:limit]]


def tickets_source(user, customer, limit):
    entries = []
    for ticket in selectors.tickets_of_customer(user, customer)[:limit]:
        entries.append(timeline.Entry(ticket.created_at, "ticket", f"{ticket.number} {ticket.subject}",
                                      ticket.get_status_display(), url=ticket.get_absolute_url()))
        if ticket.closed_at:
            entries.append(timeline.Entry(ticket.closed_at, "ticket", _("Closed: %(ticket)s") % {
                "ticket": ticket.number}, url=ticket.get_absolute_url()))
    return entries


def register():
    summary.register(TicketsSection())
    timeline.register(Customer, tickets_source, permission="service.view")
