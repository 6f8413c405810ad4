"""What analytics adds to the customer page: the customer's monthly value trend (ANA-1), his
churn probability, expected purchases and lifetime value (ANA-4), and the products to offer
him (ANA-5: often bought together, cross-sell, up-sell). Wired in AnalyticsConfig.ready."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.listing import Filter
from guanxi.customers import lists, summary

from .basket import cross_sell, up_sell
from .clv import clv_of
from .value import RF_CELLS, filter_rf_cell, history_of


class ValueSection(summary.Section):
    key = "value"
    title = _("Customer value")
    order = 90
    permission = "analytics.view"
    empty_text = _("Not scored yet: no confirmed orders in the window.")

    def records(self, viewer):
        return history_of(viewer.user, viewer.customer)

    def rows(self, viewer, records, limit):
        return [summary.Row(label=snap.month.strftime("%Y-%m"), url="",
                            facts=(f"R{snap.r} F{snap.f} M{snap.m}", _("RFM total %(score)s") % {"score": snap.score},
                                   _("tier %(tier)s") % {"tier": snap.tier}))
                for snap in records.order_by("-month")[:limit]]


class ClvSection(summary.Section):
    """ANA-4: the stored figures of the last nightly (or asked-for) run."""

    key = "clv"
    title = _("Lifetime value and churn")
    order = 91
    permission = "analytics.view"
    empty_text = _("Not computed yet: the customer has no confirmed orders, or the nightly run has not run.")

    def records(self, viewer):
        return clv_of(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        if records is None:
            return 0, []
        return 1, [
            summary.Figure("churn", _("Churn probability"), f"{records.churn:.0%}", alert=records.churn >= 0.5),
            summary.Figure("expected_90", _("Expected purchases in 90 days"), f"{records.expected_90:.2f}"),
            summary.Figure("clv", _("Lifetime value (12 months)"), records.clv, money=True),
        ]

    def rows(self, viewer, records, limit):
        return [summary.Row(label=_("Last purchase %(day)s") % {"day": summary.day(records.last_order)}, url="",
                            facts=(_("%(n)s purchase days since %(day)s") % {
                                "n": records.purchases, "day": summary.day(records.first_order)},
                                   _("expected value of a purchase ¥%(value)s") % {"value": records.average_value}))]


class SuggestionSection(summary.Section):
    """ANA-5: products to offer, from the stored basket rules and the up-sell counts."""

    key = "suggestions"
    title = _("Products to offer")
    order = 92
    permission = "analytics.view"
    empty_text = _("No suggestion: no rule starts from what this customer bought.")

    def records(self, viewer):
        return [("cross", s) for s in cross_sell(viewer.user, viewer.customer)] + \
            [("up", s) for s in up_sell(viewer.user, viewer.customer)]

    def totals(self, viewer, records):
        return len(records), []

    def rows(self, viewer, records, limit):
        return [summary.Row(label=str(s.product), url="", facts=suggestion_facts(kind, s)) for kind, s in records]


def suggestion_facts(kind, suggestion):
    because = "、".join(p.name for p in suggestion.because)
    if kind == "up":
        return (_("Up-sell: above %(product)s") % {"product": because},
                _("%(n)s customers of this tier bought it") % {"n": suggestion.customers})
    return (_("Often bought together with %(products)s") % {"products": because},
            _("confidence %(confidence)s · lift %(lift)s") % {
                "confidence": f"{suggestion.confidence:.0%}", "lift": f"{suggestion.lift:.1f}"})


def basket_form_helper(request):
    """ANA-5: "often bought together" under the quote and order forms, for who may read analytics."""
    return reverse("analytics:basket_suggest") if request.user.has_module_perm("analytics.view") else ""


def register():
    summary.register(ValueSection())
    summary.register(ClvSection())
    summary.register(SuggestionSection())
    lists.register_filter(Filter("rf", _("RFM cell"), kind="custom", choices=RF_CELLS, apply_func=filter_rf_cell))
