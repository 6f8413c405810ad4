"""Who is in a segment: the one answer every part of marketing uses (e-mail sends, campaign
targets, counts). Static segments are their list; dynamic ones their rules
(``segment_rules.customers_matching``), always within the segment owner's data scope.
A viewer's own scope narrows this further (``selectors.segments.segment_members``)."""

from django.db.models import QuerySet

from guanxi.customers.models import Customer
from guanxi.org.scopes import scoped

from . import segment_rules
from .models import Segment, SegmentKind, SegmentMember


def segment_customers(segment: Segment) -> QuerySet[Customer]:
    """The customers in ``segment`` now, as a queryset (not evaluated)."""
    base = scoped(Customer.objects.all(), segment.owner)
    if segment.kind == SegmentKind.STATIC:
        return base.filter(pk__in=SegmentMember.objects.filter(segment_id=segment.pk).values("customer_id"))
    return segment_rules.customers_matching(base, segment.rules or {})
