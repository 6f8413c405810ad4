"""Writes of segments (MKT-3): create, edit (rules validated on save), freeze a dynamic
segment into a static list, add and remove members, delete to the recycle bin."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.permissions import ensure
from guanxi.core.services import assign_fields, service, soft_delete, validated_save
from guanxi.customers.models import Customer
from guanxi.org.models import User
from guanxi.org.scopes import ensure_in_scope, scoped
from guanxi.org.services import purge_in_scope, restore_in_scope

from .. import segment_rules
from ..membership import segment_customers
from ..models import Segment, SegmentKind, SegmentMember

SEGMENT_FIELDS = {"name", "description", "rules"}
MAX_IMPORT_LINES = 10_000
BATCH = 2000


def _editable(actor: User, segment: Segment) -> Segment:
    """The segment locked for the change, if it is in the actor's scope (else not found)."""
    ensure_in_scope(actor, segment)
    return Segment.objects.select_for_update().get(pk=segment.pk)


def _counted(segment: Segment) -> Segment:
    segment.member_count = segment_customers(segment).count()
    segment.counted_at = timezone.now()
    segment.save(update_fields=["member_count", "counted_at", "updated_at"])
    return segment


@service
def segment_create(*, actor: User, name: str, description: str = "", kind: str = SegmentKind.DYNAMIC,
                   rules: Any = None) -> Segment:
    """A new segment of the actor (in the actor's branch); dynamic rules are validated."""
    ensure(actor, "marketing.create")
    if actor.branch_id is None:
        raise ValidationFailed(_("You are not assigned to a branch yet; ask an administrator."))
    if kind not in SegmentKind.values:
        raise ValidationFailed(_("Choose dynamic or static."), field="kind")
    cleaned = segment_rules.validate(rules) if kind == SegmentKind.DYNAMIC else {}
    segment = validated_save(Segment(name=name, description=description, kind=kind, rules=cleaned, owner=actor,
                                     branch_id=actor.branch_id))
    return _counted(segment)


@service
def segment_update(*, actor: User, segment: Segment, **data: Any) -> Segment:
    """Change name, description or (dynamic segments) rules."""
    ensure(actor, "marketing.edit")
    segment = _editable(actor, segment)
    if "rules" in data:
        if segment.kind != SegmentKind.DYNAMIC:
            raise ValidationFailed(_("A static list has no rules; add or remove customers instead."), field="rules")
        data["rules"] = segment_rules.validate(data["rules"])
    assign_fields(segment, SEGMENT_FIELDS, data)
    validated_save(segment)
    return _counted(segment)


@service
def segment_freeze(*, actor: User, segment: Segment) -> Segment:
    """Turn a dynamic segment into a static list of the customers it holds now."""
    ensure(actor, "marketing.edit")
    segment = _editable(actor, segment)
    if segment.kind != SegmentKind.DYNAMIC:
        raise Conflict(_("This segment is already a static list."))
    ids = segment_customers(segment).values_list("pk", flat=True).order_by()
    _insert_members(segment, ids.iterator(chunk_size=BATCH))
    segment.kind = SegmentKind.STATIC
    segment.save(update_fields=["kind", "updated_at"])
    return _counted(segment)


def _insert_members(segment: Segment, ids: Iterable[int]) -> int:
    batch: list[SegmentMember] = []
    added = 0
    for customer_id in ids:
        batch.append(SegmentMember(segment=segment, customer_id=customer_id))
        if len(batch) >= BATCH:
            added += len(SegmentMember.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        added += len(SegmentMember.objects.bulk_create(batch, ignore_conflicts=True))
    return added


def _static(actor: User, segment: Segment) -> Segment:
    ensure(actor, "marketing.edit")
    segment = _editable(actor, segment)
    if segment.kind != SegmentKind.STATIC:
        raise Conflict(_("Customers are added to static lists only; freeze this segment first."))
    return segment


def _members_allowed(actor: User, segment: Segment) -> QuerySet[Customer]:
    """Customers the actor may put on the list: in the actor's and the owner's scope."""
    return scoped(scoped(Customer.objects.all(), actor), segment.owner)


@service
def segment_members_add(*, actor: User, segment: Segment, customer_ids: Iterable[int]) -> int:
    """Add customers (ids) to a static list; ones out of scope are refused, none added."""
    segment = _static(actor, segment)
    wanted = {int(i) for i in customer_ids}
    if not wanted:
        raise ValidationFailed(_("Choose at least one customer."), field="customers")
    allowed = set(_members_allowed(actor, segment).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - allowed:
        raise ValidationFailed(_("%(n)d of the customers are not yours to add.") % {"n": len(wanted - allowed)},
                               field="customers")
    before = SegmentMember.objects.filter(segment=segment).count()
    _insert_members(segment, sorted(allowed))
    _counted(segment)
    return SegmentMember.objects.filter(segment=segment).count() - before


_SPLIT = re.compile(r"[\r\n,，;；\t]+")


@service
def segment_members_import(*, actor: User, segment: Segment, text: str) -> int:
    """Add customers listed one per line (customer number or exact name); an unknown line
    refuses the whole upload with the lines named, nothing added."""
    segment = _static(actor, segment)
    lines = [part.strip() for part in _SPLIT.split(text or "") if part.strip()]
    if not lines:
        raise ValidationFailed(_("The file lists no customers."), field="file")
    if len(lines) > MAX_IMPORT_LINES:
        raise ValidationFailed(_("At most %(n)d customers at a time.") % {"n": MAX_IMPORT_LINES}, field="file")
    allowed = _members_allowed(actor, segment)
    numbers = {int(line) for line in lines if line.isdigit()}
    names = {line for line in lines if not line.isdigit()}
    by_id = set(allowed.filter(pk__in=numbers).values_list("pk", flat=True)) if numbers else set()
    by_name = dict(allowed.filter(name__in=names).values_list("name", "pk")) if names else {}
    unknown = [line for line in lines if (int(line) not in by_id if line.isdigit() else line not in by_name)]
    if unknown:
        raise ValidationFailed(_("Not found among your customers: %(lines)s") % {"lines": "、".join(unknown[:10])}
                               + ("…" if len(unknown) > 10 else ""), field="file")
    before = SegmentMember.objects.filter(segment=segment).count()
    _insert_members(segment, sorted(by_id | set(by_name.values())))
    _counted(segment)
    return SegmentMember.objects.filter(segment=segment).count() - before


@service
def segment_members_remove(*, actor: User, segment: Segment, customer_ids: Iterable[int]) -> int:
    """Take customers off a static list (only ones the actor sees)."""
    segment = _static(actor, segment)
    visible = scoped(Customer.objects.all(), actor).filter(pk__in={int(i) for i in customer_ids})
    removed, _detail = SegmentMember.objects.filter(segment=segment, customer__in=visible.values("pk")).delete()
    _counted(segment)
    return removed


@service
def segment_delete(*, actor: User, segment: Segment) -> None:
    """Move a segment to the recycle bin."""
    ensure(actor, "marketing.delete")
    soft_delete(_editable(actor, segment), actor=actor)


@service
def segment_restore(*, actor: User, segment: Segment) -> Segment:
    return restore_in_scope(actor, segment)


@service
def segment_purge(*, actor: User, segment: Segment) -> None:
    purge_in_scope(actor, segment)
