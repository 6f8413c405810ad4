"""Lists of the e-mail part of marketing (the list kit: search, filters, keyset pages, export)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.listing import Column, Filter, ListSpec, period_filters

from .models import Channel, SendStatus, SuppressionReason
from .selectors import email as selectors


class EmailTemplateList(ListSpec):
    key = "marketing.email_templates"
    title = _("E-mail templates")
    permission = "marketing.view"
    export_permission = "marketing.export"
    create_url_name = "marketing:email_template_create"
    create_permission = "marketing.create"
    export_name = "email-templates"
    columns = [
        Column("name", _("Name"), sortable=True, link=True),
        Column("subject", _("Subject")),
        Column("owner", _("Owner"), value=lambda t: t.owner.display_name),
        Column("created_at", _("Created"), sortable=True),
    ]
    search_fields = ["name", "subject"]
    empty_text = _("No templates yet. Write the first message you want to send.")

    def queryset(self, request):
        return selectors.templates_visible_to(request.user)


class EmailSendList(ListSpec):
    key = "marketing.email_sends"
    title = _("E-mail campaigns")
    permission = "marketing.view"
    export_permission = "marketing.export"
    create_url_name = "marketing:email_send_create"
    create_permission = "marketing.create"
    export_name = "email-campaigns"
    columns = [
        Column("name", _("Name"), sortable=True, link=True),
        Column("channel", _("Channel")),
        Column("status", _("Status")),
        Column("template", _("Template"), value=lambda s: s.template.name),
        Column("segment", _("Segment"), value=lambda s: s.segment.name if s.segment_id else ""),
        Column("scheduled_at", _("Send at"), sortable=True),
        Column("owner", _("Owner"), value=lambda s: s.owner.display_name),
        Column("created_at", _("Created"), sortable=True),
    ]
    filters = [
        Filter("status", _("Status"), choices=SendStatus.choices),
        Filter("channel", _("Channel"), choices=Channel.choices),
        *period_filters("created_at", _("Created from"), _("Created to")),
    ]
    search_fields = ["name"]
    empty_text = _("No e-mail campaigns yet. Choose a template and a segment to send one.")

    def queryset(self, request):
        return selectors.sends_visible_to(request.user)


class SuppressionList(ListSpec):
    key = "marketing.suppressions"
    title = _("Unsubscribed and bounced addresses")
    permission = "marketing.view"
    export_permission = "marketing.export"
    create_url_name = "marketing:suppression_add"
    create_permission = "marketing.send"
    export_name = "suppressed-addresses"
    columns = [
        Column("address", _("Address"), sortable=True, link=True),
        Column("reason", _("Reason")),
        Column("created_at", _("Suppressed at"), sortable=True),
    ]
    filters = [Filter("reason", _("Reason"), choices=SuppressionReason.choices)]
    search_fields = ["address"]
    empty_text = _("No address is suppressed.")

    def queryset(self, request):
        return selectors.suppressions(request.user)

    def detail_url(self, obj):
        return reverse("marketing:suppression_lift", args=[obj.pk])


class JourneyList(ListSpec):
    key = "marketing.journeys"
    title = _("Journeys")
    permission = "marketing.view"
    export_permission = "marketing.export"
    create_url_name = "marketing:journey_create"
    create_permission = "marketing.create"
    export_name = "journeys"
    columns = [
        Column("name", _("Name"), sortable=True, link=True),
        Column("segment", _("Segment"), value=lambda j: j.segment.name),
        Column("is_active", _("Active")),
        Column("owner", _("Owner"), value=lambda j: j.owner.display_name),
        Column("created_at", _("Created"), sortable=True),
    ]
    search_fields = ["name"]
    empty_text = _("No journeys yet.")

    def queryset(self, request):
        return selectors.journeys_visible_to(request.user)
