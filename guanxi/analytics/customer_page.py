"""What analytics adds to the customer page: the customer's monthly value trend (ANA-1), his
churn probability, expected purchases and lifetime value (ANA-4), and the products to offer
him (ANA-5: often bought together, cross-sell, up-sell). Wired in AnalyticsConfig.ready."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.listing import Filter
from guanxi.customers import lists, summary

from .basket import bought_by, cross_sell, up_sell
from .clv import clv_of
from .measures import departed_in
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
        # counts are whole numbers (the summary API says so): churn in per cent
        return 1, [
            summary.Figure("churn_percent", _("Churn probability %"), round(records.churn * 100),
                           alert=records.churn >= 0.5),
            summary.Figure("clv", _("Lifetime value (12 months)"), records.clv, money=True),
        ]

    def rows(self, viewer, records, limit):
        return [summary.Row(label=_("Expected purchases in 90 days: %(n)s") % {"n": f"{records.expected_90:.2f}"},
                            url="", facts=(_("last purchase %(day)s") % {"day": summary.day(records.last_order)},
                                           _("%(n)s purchase days since %(day)s") % {
                                "n": records.purchases, "day": summary.day(records.first_order)},
                                   _("expected value of a purchase ¥%(value)s") % {"value": records.average_value}))]


def _bought(viewer):
    """The products the customer bought (as far as the viewer may see), once per page."""
    if not hasattr(viewer, "analytics_bought"):
        viewer.analytics_bought = bought_by(viewer.user, viewer.customer)
    return viewer.analytics_bought


class CrossSellSection(summary.Section):
    """ANA-5: often bought together with what the customer bought (the stored basket rules)."""

    key = "cross_sell"
    title = _("Often bought together")
    order = 92
    permission = "analytics.view"
    empty_text = _("No suggestion: no rule starts from what this customer bought.")

    def records(self, viewer):
        return cross_sell(viewer.user, viewer.customer, bought=_bought(viewer))

    def totals(self, viewer, records):
        return len(records), []

    def rows(self, viewer, records, limit):
        return [summary.Row(label=str(s.product), url="", facts=suggestion_facts("cross", s)) for s in records[:limit]]


class UpSellSection(CrossSellSection):
    """ANA-5: dearer products of the categories he bought, as customers of his tier buy them."""

    key = "up_sell"
    title = _("Up-sell")
    order = 93
    empty_text = _("No suggestion: no dearer product of his categories that customers of his tier buy.")

    def records(self, viewer):
        return up_sell(viewer.user, viewer.customer, bought=_bought(viewer))

    def rows(self, viewer, records, limit):
        return [summary.Row(label=str(s.product), url="", facts=suggestion_facts("up", s)) for s in records[:limit]]


def suggestion_facts(kind, suggestion):
    because = "、".join(p.name for p in suggestion.because)
    if kind == "up":
        return (_("Dearer than %(product)s") % {"product": because},
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
    summary.register(CrossSellSection())
    summary.register(UpSellSection())
    lists.register_filter(Filter("rf", _("RFM cell"), kind="custom", choices=RF_CELLS, apply_func=filter_rf_cell))
    lists.register_filter(Filter("departed", _("Departed in"), kind="custom", apply_func=departed_in))
