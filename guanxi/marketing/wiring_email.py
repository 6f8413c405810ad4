"""Registrations of the email part of marketing (called from MarketingConfig.ready)."""

from auditlog.registry import auditlog
from django.utils.translation import gettext_lazy as _

from guanxi.core import navigation
from guanxi.customers import summary

from .models import EmailSend, EmailTemplate, Journey, JourneyStep, Suppression
from .selectors import email as selectors


class SuppressedAddressesSection(summary.Section):
    """The flag on the customer page: addresses of the customer marketing will not write to."""
    lazy = True  # loaded after the customer page shows (its own request)

    key = "marketing_suppressed"
    title = _("Marketing e-mail")
    order = 95
    permission = "marketing.view"
    empty_text = _("No address of this customer has unsubscribed or bounced.")
    list_url_name = ""

    def records(self, viewer):
        return selectors.customer_suppressions(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        count = records.count()
        return count, [summary.Figure("suppressed", _("Unsubscribed or bounced"), count, alert=count > 0)]

    def rows(self, viewer, records, limit):
        return [summary.Row(label=row.address, url="", alert=True,
                            facts=(row.get_reason_display(), summary.day(row.created_at)))
                for row in records[:limit]]


def connect():
    """Register permissions-checked menu items, search, recycle bin, audit, signals."""
    navigation.add_items(
        "marketing",
        navigation.Item(_("E-mail campaigns"), "marketing:email_send_list", "marketing.view"),
        navigation.Item(_("E-mail templates"), "marketing:email_template_list", "marketing.view"),
        navigation.Item(_("Journeys"), "marketing:journey_list", "marketing.view"),
        navigation.Item(_("Unsubscribed and bounced addresses"), "marketing:suppression_list", "marketing.view"),
    )
    summary.register(SuppressedAddressesSection())
    auditlog.register(EmailTemplate, exclude_fields=["updated_at"])
    auditlog.register(EmailSend, exclude_fields=["updated_at", "links"])
    auditlog.register(Journey, exclude_fields=["updated_at"])
    auditlog.register(JourneyStep)
    # Re-subscribing is audited: who lifted the suppression, when and why.
    auditlog.register(Suppression)
