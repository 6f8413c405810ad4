"""What daily work adds to the customer page (CUS-6): the plan items about the customer,
as a section and as entries of the customer's timeline. Wired in WorkplaceConfig.ready."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.core import timeline
from guanxi.customers import summary
from guanxi.customers.models import Customer

from . import selectors
from .models import OPEN_PLAN_STATUSES


class PlansSection(summary.Section):
    key = "plans"
    title = _("Work plans")
    order = 90
    permission = "workplace.view"
    empty_text = _("Nothing planned for this customer.")
    list_url_name = "workplace:plan_list"
    create_url_name = "workplace:my_day"  # the day page's form, with the customer chosen
    create_label = _("Add to my plan")
    create_permission = "workplace.create"

    def records(self, viewer):
        return selectors.plan_items_of_customer(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        totals = summary.tally(records, open=Q(status__in=OPEN_PLAN_STATUSES))
        return totals["count"], [summary.Figure("open", _("Open"), totals["open"])]

    def rows(self, viewer, records, limit):
        return [summary.Row(label=item.title, url=item.get_absolute_url(),
                            facts=(summary.day(item.day), item.owner.display_name, item.get_status_display()))
                for item in records[:limit]]

    def may_create(self, viewer):
        # One plans one's own customers: the plan form offers those.
        return viewer.customer.owner_id == viewer.user.pk


def plans_source(user, customer, limit):
    return [timeline.Entry(item.created_at, "plan", _("Planned: %(title)s") % {"title": item.title},
                           f"{summary.day(item.day)} · {item.get_status_display()}", url=item.get_absolute_url(),
                           actor=item.owner.display_name)
            for item in selectors.plan_items_of_customer(user, customer).order_by("-created_at")[:limit]]


def register():
    summary.register(PlansSection())
    timeline.register(Customer, plans_source, permission="workplace.view")
