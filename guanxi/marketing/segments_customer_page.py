"""What segments add to the customer page (CUS-6, MKT-3): the static segments (lists) the
customer is on, each linking to its segment; the segment's members link back."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.customers import summary

from .selectors import segments as selectors

LISTED = 50


class SegmentsSection(summary.Section):
    lazy = True  # loaded after the customer page shows (its own request)
    key = "segments"
    title = _("Segments")
    order = 95
    permission = "marketing.view"
    empty_text = _("Not on any static segment.")

    def records(self, viewer):
        return selectors.static_segments_of_customer(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        # One query for count and rows: a customer is on a handful of lists.
        viewer.segment_rows = list(records[:LISTED + 1])
        count = len(viewer.segment_rows)
        return (records.count() if count > LISTED else count), []

    def rows(self, viewer, records, limit):
        shown = getattr(viewer, "segment_rows", None) or list(records[:limit])
        return [summary.Row(label=segment.name, url=reverse("marketing:segment_detail", args=[segment.pk]),
                            facts=(segment.owner.display_name, segment.get_kind_display()))
                for segment in shown[:limit]]


def register():
    summary.register(SegmentsSection())
