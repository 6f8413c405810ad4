"""ORG-3 for tickets: every demo user × every ticket on the list, search, export, the
detail page and the API, against a brute-force reading of the rules."""

import pytest

from guanxi.core import picklists
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_create
from guanxi.org.models import User
from guanxi.service import services
from guanxi.service.models import Ticket
from guanxi.testing.scope_matrix import (
    assert_scope_matrix,
    brute_force_visible,
    matrix_users,
    owned_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix_tickets(demo_org):
    """A customer per salesperson and one in the pool; then per person who handles tickets
    a ticket assigned to them, about the customers in turn, filed by the chairman, so the
    assignee, the ticket's branch (the customer's), its handling department and the
    customer's owner each decide a share of who may see it. A last ticket has no customer
    and no assignee: only its branch and department count."""
    chairman = demo_org["chenzhiqiang"]
    sellers = [u for u in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk")
               if u.has_module_perm("customers.create") and u.has_module_perm("sales.create")]
    customers = [customer_create(actor=seller, name=f"矩阵工单客户{seller.username}") for seller in sellers]
    pooled = customer_create(actor=chairman, name="矩阵工单公海客户")
    Customer.objects.filter(pk=pooled.pk).update(owner=None)
    customers.append(Customer.objects.get(pk=pooled.pk))
    handlers = [u for u in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk")
                if u.has_module_perm("service.create")]
    kind = picklists.items("service.ticket_type").get(code="consultation")
    level = picklists.items("service.severity").get(code="normal")
    for index, handler in enumerate(handlers):
        services.ticket_create(actor=chairman, subject=f"矩阵工单 {handler.username}", ticket_type=kind,
                               severity=level, customer=customers[index % len(customers)], assignee=handler)
    orphan = services.ticket_create(actor=chairman, subject="矩阵工单 无人", ticket_type=kind, severity=level)
    Ticket.objects.filter(pk=orphan.pk).update(assignee=None)
    assert len(handlers) >= 8


def _through_department_or_customer(user, ticket):
    """Ticket.scope_extra read by hand: the handling department, and the customer's
    owner and whoever has that owner (or the customer's branch) in scope."""
    if ticket.department_id and ticket.department_id == user.department_id:
        return True
    customer = ticket.customer
    return customer is not None and brute_force_visible(user, customer.owner, customer.branch_id)


TICKETS = owned_case("tickets", Ticket, module="service", list_url="/service/tickets/", api="tickets",
                     owner="assignee", related=("customer__owner__department__parent", "customer__owner__manager"),
                     title_of=lambda t: t.number, search_term="矩阵工单", global_search=False,
                     extra_visible=_through_department_or_customer)


def test_scope_matrix_for_tickets(matrix_tickets):
    """ORG-3 + SRV-1: a ticket is seen by its assignee and their scope, its branch's
    scope, its handling department and whoever sees its customer; nobody else, on any
    surface."""
    assert assert_scope_matrix(TICKETS, matrix_users()) >= 10
