"""Registrations of the segments part of marketing (called from MarketingConfig.ready)."""

from auditlog.registry import auditlog
from django.utils.translation import gettext_lazy as _

from guanxi.core import navigation, recycle
from guanxi.core.listing import BulkAction
from guanxi.customers.lists import CustomerList

from . import segment_rules, segments_customer_page
from .models import Segment, SegmentMember
from .selectors import segments as selectors
from .services import segments as services

ADD_TO_LIST = BulkAction("add_to_segment", _("Add to a static segment"), "marketing.edit",
                         "marketing:segment_add_selection")


def connect():
    """Register permissions-checked menu items, search, recycle bin, audit, signals."""
    segment_rules.register_defaults()
    navigation.add_items("marketing", navigation.Item(_("Segments"), "marketing:segment_list", "marketing.view"))
    recycle.register(recycle.RecycleKind(
        code="marketing.segment", label=_("Segments"), model=Segment,
        deleted_for=selectors.segments_deleted_visible_to,
        restore=lambda *, actor, record: services.segment_restore(actor=actor, segment=record),
        purge=lambda *, actor, record: services.segment_purge(actor=actor, segment=record),
    ))
    auditlog.register(Segment, exclude_fields=["updated_at", "member_count", "counted_at"])
    auditlog.register(SegmentMember)
    segments_customer_page.register()
    # The customer list's ticked rows go onto a static segment (its bulk actions are the
    # list's registry of what other modules do with a selection).
    if ADD_TO_LIST not in CustomerList.bulk_actions:
        CustomerList.bulk_actions = [*CustomerList.bulk_actions, ADD_TO_LIST]
