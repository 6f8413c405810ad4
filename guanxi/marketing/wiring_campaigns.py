"""Registrations of the campaigns part of marketing (called from MarketingConfig.ready):
menu, channel pick-list, status table, search, recycle bin, audit, the customer page's
section and timeline, and the lead conversion that carries touches to the customer."""

from auditlog.registry import auditlog
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from guanxi.core import navigation, picklists, recycle, search, timeline, transitions
from guanxi.customers import summary
from guanxi.customers.merge import register_child
from guanxi.customers.models import Customer
from guanxi.sales.signals import lead_converted

from .models import Campaign, CampaignExpense, CampaignTouch
from .selectors import campaigns as selectors
from .services import campaigns as services

CHANNEL_DEFAULTS = [
    ("exhibition", "展会", "Trade show"), ("email", "电子邮件", "E-mail"), ("sms", "短信", "SMS"),
    ("wechat", "微信", "WeChat"), ("online_ads", "网络广告", "Online ads"), ("event", "会议活动", "Event"),
    ("promotion", "促销", "Promotion"), ("dealer", "经销商", "Dealers"), ("print", "印刷品", "Print"),
]


class CampaignsSection(summary.Section):
    """The campaigns that reached the customer (MKT-2), linking to each campaign."""
    lazy = True  # loaded after the customer page shows (its own request)

    key = "campaigns"
    title = _("Campaigns")
    order = 95
    permission = "marketing.view"
    empty_text = _("No campaign has reached this customer.")
    list_url_name = "marketing:campaign_list"

    def records(self, viewer):
        return selectors.campaigns_of_customer(viewer.user, viewer.customer)

    def rows(self, viewer, records, limit):
        campaigns = records.annotate(last=Max("touches__touched_at", filter=Q(touches__customer=viewer.customer)))
        return [summary.Row(label=campaign.name, url=campaign.get_absolute_url(),
                            facts=(campaign.get_status_display(), summary.day(campaign.last)))
                for campaign in campaigns.order_by("-last", "-pk")[:limit]]


def campaign_touches_source(user, customer, limit):
    return [timeline.Entry(touch.touched_at, "campaign", _("Campaign: %(name)s") % {"name": touch.campaign.name},
                           touch.get_source_display(), url=touch.campaign.get_absolute_url())
            for touch in selectors.customer_touches(user, customer)[:limit]]


def _follow_conversion(sender, lead, **kwargs):
    services.touches_follow_customer(lead=lead)


def connect():
    """Register permissions-checked menu items, search, recycle bin, audit, signals."""
    navigation.add_items(
        "marketing",
        navigation.Item(_("Campaigns"), "marketing:campaign_list", "marketing.view"),
        navigation.Item(_("Campaign returns"), "marketing:campaign_compare", "marketing.view"),
    )
    picklists.register(services.CHANNELS, _("Campaign channels"), CHANNEL_DEFAULTS)
    transitions.register(Campaign, services.CAMPAIGN_TRANSITIONS, permission="marketing.edit",
                         guard=services.campaign_guard)
    search.register(selectors.campaign_search_hits, permission="marketing.view", key="marketing.campaign",
                    label=_("Campaigns"))
    recycle.register(recycle.RecycleKind(
        code="marketing.campaign", label=_("Campaigns"), model=Campaign,
        deleted_for=selectors.campaigns_deleted_visible_to,
        restore=lambda *, actor, record: services.campaign_restore(actor=actor, campaign=record),
        purge=lambda *, actor, record: services.campaign_purge(actor=actor, campaign=record),
    ))
    auditlog.register(Campaign, exclude_fields=["updated_at"])
    auditlog.register(CampaignTouch)
    auditlog.register(CampaignExpense)
    summary.register(CampaignsSection())
    timeline.register(Customer, campaign_touches_source, permission="marketing.view")
    register_child(CampaignTouch, "customer")
    lead_converted.connect(_follow_conversion, sender=None, dispatch_uid="marketing.campaign_touches_follow_lead")
