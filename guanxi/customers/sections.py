"""The customer's own sections of the customer page (CUS-6): contacts, interactions and
feedback. Later modules add theirs the same way (summary.register in AppConfig.ready)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import selectors, summary
from .models import FeedbackStatus


class ContactsSection(summary.Section):
    key = "contacts"
    title = _("Contacts")
    order = 10
    permission = "customers.view"
    template = "customers/_section_contacts.html"
    empty_text = _("No contacts yet.")
    list_url_name = "customers:contact_list"
    create_url_name = "customers:contact_create"
    create_label = _("Add contact")
    create_path = True
    create_permission = "customers.edit"

    def records(self, viewer):
        return selectors.contacts_of_customer(viewer.user, viewer.customer)

    def rows(self, viewer, records, limit):
        return list(records[:limit])

    def may_create(self, viewer):
        return viewer.can_edit


class InteractionsSection(summary.Section):
    key = "interactions"
    title = _("Interactions")
    order = 15
    permission = "customers.view"
    empty_text = _("No interactions yet.")
    list_url_name = "customers:interaction_list"
    create_url_name = "customers:interaction_create"
    create_label = _("Log interaction")
    create_path = True
    create_permission = "customers.edit"

    def records(self, viewer):
        return selectors.interactions_of_customer(viewer.user, viewer.customer)

    def rows(self, viewer, records, limit):
        return [summary.Row(label=f"{summary.day(item.occurred_at)} · {item.get_channel_display()}",
                            url=item.get_absolute_url(),
                            facts=tuple(fact for fact in (item.contact.name if item.contact else "",
                                                          item.author.display_name, item.summary[:80]) if fact))
                for item in records[:limit]]

    def may_create(self, viewer):
        return viewer.can_edit


class FeedbackSection(summary.Section):
    key = "feedback"
    title = _("Customer feedback")
    order = 85
    permission = "customers.view"
    empty_text = _("No feedback recorded.")
    list_url_name = "customers:feedback_list"
    # Anyone who sees the customer may record what it said (CUS-8).
    create_url_name = "customers:feedback_create"
    create_label = _("Record feedback")
    create_path = True
    create_permission = "customers.view"

    def records(self, viewer):
        return selectors.feedback_of_customer(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        totals = summary.tally(records, open=Q(status=FeedbackStatus.OPEN))
        return totals["count"], [summary.Figure("open", _("Open"), totals["open"], alert=totals["open"] > 0)]

    def rows(self, viewer, records, limit):
        return [summary.Row(label=item.content[:60], url=item.get_absolute_url(),
                            facts=tuple(fact for fact in (summary.day(item.created_at), str(item.kind or ""),
                                                          item.get_status_display()) if fact),
                            alert=item.status == FeedbackStatus.OPEN)
                for item in records[:limit]]



def register():
    for section in (ContactsSection(), InteractionsSection(), FeedbackSection()):
        summary.register(section)
