from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core import picklists
from guanxi.core.listing import Column, Filter, ListSpec, period_filters
from guanxi.core.periods import aware, parse_range
from guanxi.customers.lists import customer_filter
from guanxi.org.scopes import people_in_scope
from guanxi.org.selectors import branch_choices

from . import selectors
from .models import OPEN_STATUSES, TicketChannel, TicketStatus


def _overdue(queryset, raw, request):
    if raw != "1":
        return None
    return queryset.filter(status__in=OPEN_STATUSES, resolve_by__lt=timezone.now())


def breached_q(start, end, now=None):
    """Tickets whose resolve-by time fell in [start, end) (datetimes, not later than now)
    and that were not resolved by it: the SLA breaches of a period."""
    end = min(end, now or timezone.now())
    return (Q(resolve_by__gte=start, resolve_by__lt=end)
            & (Q(resolved_at__isnull=True) | Q(resolved_at__gt=F("resolve_by"))))


def _breached(queryset, raw, request):
    found = parse_range(raw)
    if found is None:
        return None
    return queryset.filter(breached_q(aware(found[0]), aware(found[1])))


def _assignee_choices(request):
    return [(person.pk, person.display_name) for person in people_in_scope(request.user, active_only=False)]


def _mine(queryset, raw, request):
    return queryset.filter(assignee=request.user) if raw == "1" else None


class TicketList(ListSpec):
    key = "service.tickets"
    title = _("Tickets")
    permission = "service.view"
    export_permission = "service.export"
    create_url_name = "service:ticket_create"
    create_permission = "service.create"
    export_name = "tickets"
    columns = [
        Column("number", _("Number"), sortable=True, link=True), Column("subject", _("Subject")),
        Column("ticket_type", _("Type"), value=lambda t: t.ticket_type), Column("severity", _("Severity"),
                                                                                value=lambda t: t.severity),
        Column("status", _("Status")), Column("customer", _("Customer"), value=lambda t: t.customer or ""),
        Column("assignee", _("Assignee"), value=lambda t: t.assignee.display_name if t.assignee else ""),
        Column("resolve_by", _("Resolve by"), sortable=True, overdue=lambda t: t.overdue), Column("created_at", _("Created"), sortable=True),
    ]
    filters = [Filter("status", _("Status"), choices=TicketStatus.choices),
               Filter("type", _("Type"), lookup="ticket_type_id",
                      choices=lambda r: picklists.choices("service.ticket_type")),
               Filter("severity", _("Severity"), lookup="severity_id",
                      choices=lambda r: picklists.choices("service.severity")),
               Filter("channel", _("Channel"), choices=TicketChannel.choices),
               Filter("overdue", _("Past the target"), kind="custom", choices=[("1", _("Yes"))], apply_func=_overdue),
               Filter("mine", _("Assigned to me"), kind="custom", choices=[("1", _("Yes"))], apply_func=_mine),
               Filter("open", _("Not resolved"), kind="custom", choices=[("1", _("Yes"))],
                      apply_func=lambda queryset, raw, request: queryset.filter(status__in=OPEN_STATUSES)),
               Filter("breached", _("Target missed in"), kind="custom", apply_func=_breached),
               *period_filters("created_at", _("Created from"), _("Created to")),
               Filter("branch", _("Branch"), lookup="branch_id", choices=lambda r: branch_choices()),
               Filter("owner", _("Assignee"), lookup="assignee_id", choices=_assignee_choices),
               customer_filter()]
    search_fields = ["number", "subject", "customer__name", "contact_email", "contact_phone"]
    empty_text = _("No tickets.")

    visible_to = selectors.tickets_visible_to
