"""SRV-1: tickets change status through the one transition mechanism: the table of
allowed moves, a history row per change (who, when, from, to, why), a clear refusal."""

import pytest

from guanxi.core import transitions
from guanxi.core.errors import Conflict
from guanxi.core.models import StatusChange
from guanxi.service import services
from guanxi.service.models import Ticket, TicketStatus

ALLOWED = {
    TicketStatus.NEW: {TicketStatus.OPEN, TicketStatus.WAITING, TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.OPEN: {TicketStatus.WAITING, TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.WAITING: {TicketStatus.OPEN, TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.RESOLVED: {TicketStatus.OPEN, TicketStatus.CLOSED},
    TicketStatus.CLOSED: {TicketStatus.OPEN},
}


@pytest.fixture
def agent(demo_org):
    return demo_org["xuting"]


@pytest.fixture
def ticket(agent):
    return services.ticket_create(actor=agent, subject="设备报修", ticket_type=services.pick("service.ticket_type", "repair"),
                                  severity=services.pick("service.severity", "normal"))


def test_every_move_is_allowed_or_refused_by_the_table(agent, ticket):
    """SRV-1: table-driven over every (from, to) pair of a ticket."""
    for current in TicketStatus.values:
        for target in TicketStatus.values:
            Ticket.objects.filter(pk=ticket.pk).update(status=current)
            before = StatusChange.objects.count()
            if target in ALLOWED[current]:
                assert transitions.transition(ticket, target, agent, "测试").status == target
                assert StatusChange.objects.latest("pk").from_status == current
            else:
                with pytest.raises(transitions.InvalidTransition):
                    transitions.transition(ticket, target, agent)
                assert Ticket.objects.get(pk=ticket.pk).status == current
                assert StatusChange.objects.count() == before


def test_a_status_change_is_in_the_history_and_on_the_page(agent, ticket, client_for):
    """SRV-1: the note goes to the history row; the page shows it; a refused move changes nothing."""
    services.ticket_set_status(actor=agent, ticket=ticket, status=TicketStatus.RESOLVED, note="已更换主板")
    last = transitions.status_history(ticket)[-1]
    assert (last.to_label, last.reason, last.actor) == (TicketStatus.RESOLVED.label, "已更换主板", agent)
    services.ticket_set_status(actor=agent, ticket=ticket, status=TicketStatus.CLOSED)
    with pytest.raises(Conflict):
        services.ticket_set_status(actor=agent, ticket=ticket, status=TicketStatus.WAITING)
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CLOSED
    page = client_for(agent).get(f"/service/tickets/{ticket.pk}/").content.decode()
    assert 'id="status-history"' in page and "已更换主板" in page
