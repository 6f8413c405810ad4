"""Lists of the capture part of marketing: forms, their responses, department forms."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.listing import Column, Filter, ListSpec, period_filters

from .models import FormKind, ReportKind, ReportStatus, ResponseStatus
from .selectors import capture as selectors


def _form_choices(request):
    return list(selectors.forms_visible_to(request.user).order_by("-created_at").values_list("pk", "name")[:200])


class MarketingFormList(ListSpec):
    key = "marketing.forms"
    title = _("Event and survey forms")
    permission = "marketing.view"
    export_permission = "marketing.export"
    export_name = "marketing-forms"
    create_url_name = "marketing:capture_form_create"
    create_permission = "marketing.create"
    columns = [
        Column("name", _("Name"), sortable=True, link=True),
        Column("kind", _("Kind")),
        Column("event_starts_at", _("Event starts"), sortable=True),
        Column("capacity", _("Capacity")),
        Column("registered_count", _("Registered")),
        Column("waiting_count", _("Waiting list")),
        Column("response_count", _("Responses")),
        Column("campaign", _("Campaign"), value=lambda f: f.campaign.name if f.campaign_id else ""),
        Column("owner", _("Owner"), value=lambda f: f.owner.display_name),
        Column("is_active", _("Published")),
        Column("created_at", _("Created"), sortable=True),
    ]
    filters = [Filter("kind", _("Kind"), choices=FormKind.choices),
               Filter("active", _("Published"), lookup="is_active", kind="boolean")]
    search_fields = ["name", "slug"]
    empty_text = _("No forms yet. Design one for your next event or survey.")

    def queryset(self, request):
        return selectors.forms_visible_to(request.user)


class ResponseList(ListSpec):
    key = "marketing.responses"
    title = _("Form responses")
    permission = "marketing.view"
    export_permission = "marketing.export"
    export_name = "form-responses"
    default_sort = "-submitted_at"
    columns = [
        Column("submitted_at", _("Submitted"), sortable=True),
        Column("form", _("Form"), value=lambda r: r.form.name),
        Column("name", _("Name"), sortable=True),
        Column("mobile", _("Mobile")),
        Column("email", _("E-mail")),
        Column("status", _("Status")),
        Column("lead", _("Lead"), value=lambda r: str(r.lead) if r.lead_id else ""),
        Column("referral_code", _("Referral code")),
        Column("utm_campaign", _("UTM campaign"), value=lambda r: r.utm.get("utm_campaign", "")),
    ]
    filters = [
        Filter("form", _("Form"), lookup="form_id", choices=_form_choices),
        Filter("status", _("Status"), choices=ResponseStatus.choices),
        *period_filters("submitted_at", _("Submitted from"), _("Submitted to")),
    ]
    search_fields = ["name", "mobile_norm", "email_norm"]
    empty_text = _("No responses yet. Share the form's public address.")

    def queryset(self, request):
        return selectors.responses_visible_to(request.user)

    def detail_url(self, obj):
        return obj.form.get_absolute_url()


class ReportList(ListSpec):
    key = "marketing.reports"
    title = _("Marketing department forms")
    permission = "marketing.view"
    export_permission = "marketing.export"
    export_name = "marketing-department-forms"
    create_url_name = "marketing:report_create"
    create_permission = "marketing.create"
    default_sort = "-period"
    columns = [
        Column("title", _("Title"), sortable=True, link=True),
        Column("kind", _("Kind")),
        Column("period", _("Month"), sortable=True, value=lambda r: r.period.strftime("%Y-%m")),
        Column("status", _("Status")),
        Column("department", _("Department"), value=lambda r: r.department.name if r.department_id else ""),
        Column("owner", _("Author"), value=lambda r: r.owner.display_name),
        Column("reviewed_by", _("Reviewed by"), value=lambda r: r.reviewed_by.display_name if r.reviewed_by_id else ""),
    ]
    filters = [
        Filter("kind", _("Kind"), choices=ReportKind.choices),
        Filter("status", _("Status"), choices=ReportStatus.choices),
        *period_filters("period", _("Month from"), _("Month to")),
    ]
    search_fields = ["title"]
    empty_text = _("No department forms yet: plans, event summaries, competitor and channel reports.")

    def queryset(self, request):
        return selectors.reports_visible_to(request.user)
