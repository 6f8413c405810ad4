"""Reads of calls (SRV-7) and of what the caller page shows, through the scope helper.

A call belongs to the agent who took it (their branch for branch scopes); whoever may
see the caller's customer sees the customer's calls too. The page then shows only what
the viewer may see: the customer, their open tickets and recent interactions each
through their own scope.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from guanxi.customers import selectors as customer_selectors
from guanxi.customers.models import Customer
from guanxi.org.scopes import ScopePaths, scope_q, scoped

from .models import OPEN_STATUSES, CallEvent
from .selectors import tickets_visible_to


def duration(seconds):
    """A call's length as m:ss."""
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"


class _CallScope:
    """How the scope helper reads a call: ``CallEvent`` has an agent, not an owner."""

    scope_paths = ScopePaths(owner="agent", branch="agent__branch")

    @staticmethod
    def scope_extra(user):
        return Q(customer__in=scoped(Customer.objects.all(), user).values("pk"))


def calls_visible_to(user):
    queryset = CallEvent.objects.select_related("agent", "customer")
    q = scope_q(user, _CallScope)
    return queryset if q is None else queryset.filter(q)


def call_get(user, pk):
    call = calls_visible_to(user).filter(pk=pk).first()
    if call is None:
        raise Http404
    return call


@dataclass
class CallerPage:
    call: CallEvent
    customer: object  # the customer if the viewer may see them, else None
    hidden_customer: bool  # a customer has this number, outside the viewer's scope
    tickets: list
    interactions: list

    @property
    def duration(self):
        return duration(self.call.duration_seconds)


def caller_page(user, pk):
    """What /service/calls/<id>/ shows; Http404 when the call is out of scope."""

    call = call_get(user, pk)
    customer, tickets, interactions = None, [], []
    if call.customer_id:
        customer = customer_selectors.customers_visible_to(user).filter(pk=call.customer_id).first()
    if customer is not None:
        tickets = list(tickets_visible_to(user).filter(customer=customer, status__in=OPEN_STATUSES)
                       .select_related("ticket_type", "severity", "assignee").order_by("-created_at")[:20])
        interactions = list(customer_selectors.interactions_visible_to(user).filter(customer=customer)
                            .select_related("author").order_by("-occurred_at")[:10])
    return CallerPage(call=call, customer=customer, hidden_customer=bool(call.customer_id and customer is None),
                      tickets=tickets, interactions=interactions)

