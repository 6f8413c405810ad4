"""The customer's contributions to the one timeline (core.timeline)."""

from django.utils.translation import gettext as _

from guanxi.core import timeline

from . import selectors
from .models import Customer


def ownership_source(user, customer, limit):
    entries = []
    for change in customer.ownership_changes.select_related("from_user", "to_user", "actor").order_by(
            "-created_at")[:limit]:
        who = change.to_user.display_name if change.to_user else _("public pool")
        body = change.reason
        entries.append(timeline.Entry(change.created_at, "ownership",
                                      f"{change.get_event_display()} → {who}", body,
                                      actor=str(change.actor or "")))
    return entries


def contacts_source(user, customer, limit):
    return [
        timeline.Entry(c.created_at, "contact", _("Contact added: %(name)s") % {"name": c.name},
                       c.title, url=c.get_absolute_url())
        for c in selectors.contacts_of_customer(user, customer).order_by("-created_at")[:limit]
    ]


def interactions_source(user, customer, limit):
    entries = []
    for item in selectors.interactions_of_customer(user, customer)[:limit]:
        title = f"{item.get_channel_display()}" + (f" · {item.contact.name}" if item.contact else "")
        entries.append(timeline.Entry(item.occurred_at, "interaction", title, item.summary,
                                      url=item.get_absolute_url(), actor=item.author.display_name))
    return entries


def feedback_source(user, customer, limit):
    return [timeline.Entry(item.created_at, "feedback", _("Feedback: %(kind)s") % {"kind": item.kind or _("other")},
                           item.content, url=item.get_absolute_url())
            for item in selectors.feedback_of_customer(user, customer)[:limit]]


def register():
    timeline.register(Customer, timeline.audit_source)
    timeline.register(Customer, ownership_source)
    timeline.register(Customer, contacts_source)
    timeline.register(Customer, interactions_source)
    timeline.register(Customer, feedback_source)


def timeline_for(user, customer, limit=30):
    return timeline.timeline(user, customer, limit)
