"""Registrations of the capture part of marketing (called from MarketingConfig.ready):
menu items, the customer list's filters for target groups, customer-page sections, the
recycle bin, audit, the status table of department forms and the order signal."""

from auditlog.registry import auditlog
from django.utils.translation import gettext_lazy as _

from guanxi.core import navigation, recycle
from guanxi.core.listing import Filter
from guanxi.customers import lists as customer_lists
from guanxi.sales.signals import order_confirmed

from . import audience, customer_page_capture
from .models import DepartmentReport, FormResponse, MarketingForm, Referral, ReferralCode
from .selectors import capture as selectors
from .services import capture as services


def connect():
    """Register permissions-checked menu items, search, recycle bin, audit, signals."""
    navigation.add_items(
        "marketing",
        navigation.Item(_("Target groups"), "marketing:audience", "marketing.view"),
        navigation.Item(_("Event and survey forms"), "marketing:capture_form_list", "marketing.view"),
        navigation.Item(_("Department forms"), "marketing:report_list", "marketing.view"),
    )
    # The target-group page drills into the customer list by these too.
    customer_lists.register_filter(Filter("occupation", _("Occupation"), kind="custom",
                                          apply_func=audience.occupation_filter))
    customer_lists.register_filter(Filter("age", _("Age band"), kind="custom", choices=audience.age_choices,
                                          apply_func=audience.age_filter))
    customer_lists.register_filter(Filter("owner_user", _("Owner (person)"), kind="custom",
                                          apply_func=audience.owner_filter))
    customer_page_capture.register()
    recycle.register(recycle.RecycleKind(
        code="marketing.form", label=_("Marketing forms"), model=MarketingForm,
        deleted_for=selectors.forms_deleted_visible_to,
        restore=lambda *, actor, record: services.marketing_form_restore(actor=actor, form=record),
        purge=lambda *, actor, record: services.marketing_form_purge(actor=actor, form=record),
    ))
    recycle.register(recycle.RecycleKind(
        code="marketing.report", label=_("Marketing department forms"), model=DepartmentReport,
        deleted_for=selectors.reports_deleted_visible_to,
        restore=lambda *, actor, record: services.report_restore(actor=actor, report=record),
        purge=lambda *, actor, record: services.report_purge(actor=actor, report=record),
    ))
    for model in (MarketingForm, DepartmentReport):
        auditlog.register(model, exclude_fields=["updated_at"])
    for model in (FormResponse, ReferralCode, Referral):
        auditlog.register(model)
    services.register_transitions()
    order_confirmed.connect(services.order_confirmed, dispatch_uid="marketing.capture.order_confirmed")
