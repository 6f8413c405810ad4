"""What analytics adds to the customer page (ANA-1): the customer's monthly value trend.
Wired in AnalyticsConfig.ready."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.listing import Filter
from guanxi.customers import lists, summary

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


def register():
    summary.register(ValueSection())
    lists.register_filter(Filter("rf", _("RFM cell"), kind="custom", choices=RF_CELLS, apply_func=filter_rf_cell))
    lists.register_filter(Filter("departed", _("Departed in"), kind="custom", apply_func=departed_in))
