"""What the capture part of marketing adds to the customer page (CUS-6): the forms the
customer's people filled in, and the customer's referral code with the leads it brought."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.customers import summary

from .selectors import capture as selectors


class FormResponsesSection(summary.Section):
    lazy = True  # loaded after the customer page shows (its own request)
    key = "marketing_forms"
    title = _("Marketing forms")
    order = 95
    permission = "marketing.view"
    empty_text = _("No forms filled in.")

    def records(self, viewer):
        return selectors.responses_of_customer(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        totals = summary.tally(records, attended=Q(status="attended"))
        return totals["count"], [summary.Figure("attended", _("Attended"), totals["attended"])]

    def rows(self, viewer, records, limit):
        return [summary.Row(label=response.form.name, url=response.form.get_absolute_url(),
                            facts=(response.get_status_display(), summary.day(response.submitted_at)))
                for response in records[:limit]]


class ReferralsSection(summary.Section):
    lazy = True  # loaded after the customer page shows (its own request)
    key = "referrals"
    title = _("Referrals")
    order = 96
    permission = "marketing.view"
    empty_text = _("No referrals yet.")

    def records(self, viewer):
        return selectors.referrals_of_customer(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        totals = summary.tally(records, converted=Q(converted_at__isnull=False))
        return totals["count"], [summary.Figure("converted", _("Converted"), totals["converted"])]

    def rows(self, viewer, records, limit):
        return [summary.Row(label=str(referral.lead), url=referral.lead.get_absolute_url(),
                            facts=(referral.code.code, summary.day(referral.created_at),
                                   _("converted") if referral.converted_at else _("not converted yet")))
                for referral in records[:limit]]

    def list_url(self, viewer):
        return reverse("marketing:referrals", args=[viewer.customer.pk])


def register():
    summary.register(FormResponsesSection())
    summary.register(ReferralsSection())
