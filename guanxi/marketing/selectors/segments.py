"""Reads of segments (MKT-3): every one takes the user and goes through the scope helper
first; members are within the segment owner's scope (``membership``) AND the viewer's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from guanxi.core.pagination import capped_count
from guanxi.customers.models import Customer
from guanxi.org.models import User
from guanxi.org.scopes import get_scoped, scoped

from .. import segment_rules
from ..membership import segment_customers
from ..models import Segment, SegmentKind, SegmentMember


def segments_visible_to(user: User) -> QuerySet[Segment]:
    return scoped(Segment.objects.select_related("owner", "branch"), user)


def segment_get(user: User, pk: int) -> Segment:
    return get_scoped(Segment.objects.select_related("owner", "branch"), user, pk=pk)


def segments_editable_by(user: User) -> QuerySet[Segment]:
    """The segments the user may change: in scope without sharing (``extra=False``)."""
    return scoped(Segment.objects.all(), user, extra=False)


def segments_deleted_visible_to(user: User) -> QuerySet[Segment]:
    return scoped(Segment.all_objects.filter(deleted_at__isnull=False).select_related("owner", "branch"), user)


def static_segments_editable_by(user: User) -> QuerySet[Segment]:
    return segments_editable_by(user).filter(kind=SegmentKind.STATIC).order_by("name", "pk")


def segment_members(user: User, segment: Segment) -> QuerySet[Customer]:
    """The segment's customers the viewer may see (a salesperson sees only his own in a
    shared segment), with what the members list shows."""
    return scoped(segment_customers(segment), user).select_related("owner", "branch", "industry", "level")


def segment_member_count(user: User, segment: Segment) -> tuple[int, bool]:
    """How many members the viewer sees now (capped: ``(count, capped)``)."""
    return capped_count(scoped(segment_customers(segment), user))


def rules_preview_count(user: User, rules: Any) -> tuple[int, bool]:
    """How many customers in the user's scope match ``rules`` now (ValidationFailed if bad)."""
    return capped_count(segment_rules.customers_matching(scoped(Customer.objects.all(), user), rules))


def static_segments_of_customer(user: User, customer: Customer) -> QuerySet[Segment]:
    """The static segments (lists) the user may see that hold ``customer``."""
    return segments_visible_to(user).filter(
        kind=SegmentKind.STATIC,
        pk__in=SegmentMember.objects.filter(customer=customer).values("segment_id"),
    ).order_by("name", "pk")
