"""The list of segments (MKT-3): search, filters, live counts (each row asks for its own
count after the page shows), export."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from guanxi.core.listing import Column, Filter, ListSpec, period_filters
from guanxi.org.selectors import branch_choices

from .models import SegmentKind
from .selectors import segments as selectors


def _live_count(segment):
    """The last count at once, replaced by the live one (in the viewer's scope) by HTMX."""
    return format_html('<span class="live-count" hx-get="{}" hx-trigger="load" hx-swap="innerHTML">{}</span>',
                       reverse("marketing:segment_count", args=[segment.pk]), segment.member_count)


class SegmentList(ListSpec):
    key = "marketing.segments"
    title = _("Segments")
    permission = "marketing.view"
    export_permission = "marketing.export"
    create_url_name = "marketing:segment_create"
    create_permission = "marketing.create"
    export_name = "segments"
    columns = [
        Column("name", _("Name"), sortable=True, link=True),
        Column("kind", _("Kind")),
        Column("members", _("Members"), value=_live_count, export=False),
        Column("owner", _("Owner"), value=lambda s: s.owner.display_name),
        Column("branch", _("Branch"), value=lambda s: s.branch.name),
        Column("created_at", _("Created"), sortable=True),
    ]
    filters = [
        Filter("kind", _("Kind"), choices=SegmentKind.choices),
        Filter("branch", _("Branch"), lookup="branch_id", choices=lambda request: branch_choices()),
        Filter("mine", _("Mine"), kind="custom", choices=[("1", _("Yes"))],
               apply_func=lambda queryset, raw, request: queryset.filter(owner=request.user)),
        *period_filters("created_at", _("Created from"), _("Created to")),
    ]
    search_fields = ["name", "description"]
    empty_text = _("No segments yet. Start from a template: high value customers who stopped ordering, "
                   "new customers this quarter…")

    @property
    def export_columns(self):
        exported = [c for c in self.columns if c.export]
        return [*exported[:2], Column("member_count", _("Members (last count)")), *exported[2:]]

    def queryset(self, request):
        return selectors.segments_visible_to(request.user)
