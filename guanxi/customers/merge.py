"""The duplicate scan and merging two customers, with undo (CUS-5)."""

import difflib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from guanxi.core.permissions import ensure
from guanxi.core.services import service
from guanxi.org.scopes import ensure_in_scope

from .models import (
    Contact,
    Customer,
    CustomerShare,
    DuplicateFlag,
    Feedback,
    Interaction,
    MergeRecord,
    OwnershipChange,
    OwnershipEvent,
)
from .selectors import can_edit, customers_visible_to
from .services import _log_owner, _prepare_customer, _touch_customer

# Fields a merge may take from either side (owner is chosen separately).
MERGE_FIELDS = ["name", "kind", "category", "industry", "source", "level", "lifecycle_stage", "value_tier",
                "occupation", "birthday", "gender", "province", "city", "district", "address", "phone", "mobile",
                "email", "wechat", "qq", "website", "credit_limit", "notes", "next_follow_up_on"]
# Records that belong to a customer and move to the kept one. Later modules add theirs.
CHILDREN = [(Contact, "customer"), (Interaction, "customer"), (Feedback, "customer"),
            (OwnershipChange, "customer")]


def register_child(model, field_name):
    CHILDREN.append((model, field_name))


@dataclass
class DuplicateGroup:
    key: str
    reason: str  # "name", "phone", "email", "similar"
    customers: list
    score: int


def similarity(names):
    """The mean difflib ratio of each pair of names, in percent."""
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    if not pairs:
        return 100
    return round(100 * sum(difflib.SequenceMatcher(None, a, b).ratio() for a, b in pairs) / len(pairs))


def duplicate_scan(user, limit=100):
    """Likely duplicate groups among the customers the user may see, most certain first."""

    visible = customers_visible_to(user)
    groups = []
    for field_name, reason in (("name_norm", "name"), ("mobile_norm", "phone"), ("email_norm", "email"),
                               ("name_core", "similar")):
        keys = (visible.exclude(**{field_name: ""}).values(field_name).annotate(n=Count("pk"))
                .filter(n__gt=1).order_by("-n").values_list(field_name, flat=True)[:limit])
        for key in keys:
            members = list(visible.filter(**{field_name: key}).order_by("created_at")[:20])
            names = [c.name_norm for c in members]
            score = 100 if reason != "similar" else similarity(names)
            groups.append(DuplicateGroup(key, reason, members, score))
    seen, unique = set(), []
    for group in sorted(groups, key=lambda g: (-g.score, -len(g.customers))):
        ids = frozenset(c.pk for c in group.customers)
        if ids not in seen:
            seen.add(ids)
            unique.append(group)
    return unique[:limit]


def possible_duplicates(user, limit=100):
    """Open possible-duplicate flags (from imports) whose two customers the user may see
    and are both live, newest first."""

    visible = customers_visible_to(user).values("pk")
    return list(DuplicateFlag.objects.filter(dismissed_at__isnull=True, customer__in=visible,
                                             similar_to__in=visible)
                .select_related("customer", "similar_to", "customer__owner", "similar_to__owner")
                .order_by("-created_at", "-pk")[:limit])


@service
def duplicate_flag_dismiss(*, actor, flag):
    """Review a possible duplicate as two different customers: it leaves the scan."""

    ensure(actor, "customers.edit")
    visible = customers_visible_to(actor)
    if not (visible.filter(pk=flag.customer_id).exists() and visible.filter(pk=flag.similar_to_id).exists()):
        raise NotFound()
    DuplicateFlag.objects.filter(pk=flag.pk, dismissed_at__isnull=True).update(dismissed_at=timezone.now(),
                                                                               dismissed_by=actor)


def _snapshot(customer):
    data = {}
    for name in MERGE_FIELDS + ["owner", "branch", "name_norm", "name_core", "phone_norm", "mobile_norm",
                                "email_norm", "search_tokens", "custom", "duplicate_override_by", "owned_since",
                                "last_contacted_at", "last_deal_at"]:
        field = Customer._meta.get_field(name)
        value = getattr(customer, field.attname)
        data[field.attname] = value.isoformat() if hasattr(value, "isoformat") else (
            str(value) if value is not None and field.get_internal_type() == "DecimalField" else value)
    data["tags"] = list(customer.tags.values_list("pk", flat=True))
    return data


def _restore(customer, data):
    for attname, value in data.items():
        if attname == "tags":
            continue
        field = next(f for f in Customer._meta.concrete_fields if f.attname == attname)
        setattr(customer, attname, field.to_python(value) if value is not None else None)
    customer.save()
    customer.tags.set(data.get("tags", []))


@service
def customers_merge(*, actor, master, duplicate, take_from_duplicate=(), owner="master"):
    """Merge ``duplicate`` into ``master``: chosen fields from the duplicate, all children
    moved, the owner of either side kept; the duplicate goes to the recycle bin."""

    ensure(actor, "customers.edit")
    if master.pk == duplicate.pk:
        raise ValidationFailed(_("Choose two different customers."))
    for customer in (master, duplicate):
        ensure_in_scope(actor, customer)
        if not can_edit(actor, customer):
            raise Forbidden(_("You may see this customer but not change it."))
    unknown = set(take_from_duplicate) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be merged: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    first, second = sorted([master.pk, duplicate.pk])
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")}
    master, duplicate = locked[master.pk], locked[duplicate.pk]
    record = MergeRecord(master=master, duplicate=duplicate, actor=actor, master_before=_snapshot(master),
                         duplicate_before=_snapshot(duplicate))
    for name in take_from_duplicate:
        setattr(master, name, getattr(duplicate, name))
    for name in MERGE_FIELDS:  # fill what the master lacks
        if name not in take_from_duplicate and getattr(master, name) in ("", None) and getattr(duplicate, name):
            setattr(master, name, getattr(duplicate, name))
    if owner == "duplicate":
        master.owner, master.branch, master.owned_since = duplicate.owner, duplicate.branch, duplicate.owned_since
    master.custom = {**(duplicate.custom or {}), **(master.custom or {})}
    # The duplicate leaves the live set first, so the unique-name rule sees one customer.
    duplicate.deleted_at, duplicate.deleted_by = timezone.now(), actor
    duplicate.save(update_fields=["deleted_at", "deleted_by"])
    _prepare_customer(master)
    master.duplicate_override_by = None
    master.save()
    master.tags.add(*duplicate.tags.all())
    moved = {}
    for model, field_name in CHILDREN:
        manager = getattr(model, "all_objects", model.objects)
        ids = list(manager.filter(**{field_name: duplicate}).values_list("pk", flat=True))
        if ids:
            manager.filter(pk__in=ids).update(**{field_name: master})
            moved[model._meta.label_lower] = ids
    for share in CustomerShare.objects.filter(customer=duplicate):
        CustomerShare.objects.get_or_create(customer=master, user=share.user, defaults={"can_edit": share.can_edit})
    record.moved = moved
    record.save()

    _log_owner(master, OwnershipEvent.MERGED, actor=actor, from_user=duplicate.owner, to_user=master.owner,
               reason=_("Merged from “%(name)s” (#%(id)s)") % {"name": duplicate.name, "id": duplicate.pk})
    _touch_customer(master.pk)
    return record


@service
def merge_undo(*, actor, record):
    """Put both customers back as they were and move the children back."""
    if record.undone_at is not None:
        raise Conflict(_("This merge was undone already."))
    ensure(actor, "customers.edit")
    ensure_in_scope(actor, record.master)
    if record.actor_id != actor.pk and not actor.has_module_perm("customers.transfer"):
        raise Forbidden(_("Only the person who merged, or a manager, can undo it."))
    record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    master = Customer.all_objects.select_for_update().get(pk=record.master_id)
    duplicate = Customer.all_objects.select_for_update().get(pk=record.duplicate_id)
    if duplicate.deleted_at is None:
        raise Conflict(_("The merged customer was restored separately; nothing to undo."))
    models_by_label = {model._meta.label_lower: (model, field_name) for model, field_name in CHILDREN}
    for label, ids in record.moved.items():
        if label not in models_by_label:
            raise NotFound()
        model, field_name = models_by_label[label]
        getattr(model, "all_objects", model.objects).filter(pk__in=ids).update(**{field_name: duplicate})
    with transaction.atomic():
        _restore(master, record.master_before)
    duplicate.deleted_at = duplicate.deleted_by = None
    _restore(duplicate, record.duplicate_before)
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])

    _touch_customer(master.pk)
    _touch_customer(duplicate.pk)
    return record
