"""The list of campaigns (MKT-2)."""

from django.utils.translation import gettext_lazy as _

from guanxi.core import picklists
from guanxi.core.listing import Column, Filter, ListSpec, period_filters
from guanxi.org.scopes import people_in_scope
from guanxi.org.selectors import branch_choices

from .models import CampaignStatus
from .selectors import campaigns as selectors
from .services.campaigns import CHANNELS


def _channels(campaign):
    names = {item.code: item.name for item in picklists.active(CHANNELS)}
    return "、".join(str(names.get(code, code)) for code in campaign.channels or [])


def _owner_choices(request):
    return [(person.pk, person.display_name) for person in people_in_scope(request.user)]


class CampaignList(ListSpec):
    key = "marketing.campaigns"
    title = _("Campaigns")
    permission = "marketing.view"
    export_permission = "marketing.export"
    create_url_name = "marketing:campaign_create"
    create_permission = "marketing.create"
    export_name = "campaigns"
    default_sort = "-starts_on"
    columns = [
        Column("name", _("Name"), sortable=True, link=True),
        Column("code", _("Code"), code=True),
        Column("status", _("Status")),
        Column("channels", _("Channels"), value=_channels),
        Column("starts_on", _("Starts on"), sortable=True),
        Column("ends_on", _("Ends on"), sortable=True),
        Column("budget", _("Budget"), sortable=True),
        Column("owner", _("Owner"), value=lambda c: c.owner.display_name),
        Column("branch", _("Branch"), value=lambda c: c.branch.name),
    ]
    filters = [
        Filter("status", _("Status"), choices=CampaignStatus.choices),
        Filter("channel", _("Channel"), kind="custom",
               choices=lambda request: [(item.code, item.name) for item in picklists.active(CHANNELS)],
               # a few hundred campaigns: the JSON list's text is matched (SQLite and PostgreSQL alike)
               apply_func=lambda queryset, raw, request: queryset.filter(channels__icontains=f'"{raw}"')),
        Filter("owner", _("Owner"), lookup="owner_id", choices=_owner_choices),
        Filter("branch", _("Branch"), lookup="branch_id", choices=lambda request: branch_choices()),
        *period_filters("starts_on", _("Starts from"), _("Starts to")),
    ]
    search_fields = ["name", "code"]
    empty_text = _("No campaigns yet. Plan one: a trade show, an e-mail, a promotion.")

    def queryset(self, request):
        return selectors.campaigns_visible_to(request.user)
