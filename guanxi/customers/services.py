"""Writes to customers and contacts. Keyword-only, take ``actor``, one transaction each."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.custom_fields import clean_custom_values
from guanxi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from guanxi.core.notifications import notify
from guanxi.core.permissions import ensure
from guanxi.core.services import assign_fields, service, soft_delete, soft_restore, validated_save
from guanxi.org.models import User
from guanxi.org.scopes import ensure_in_scope
from guanxi.org.services import purge_in_scope, restore_in_scope

from . import regions, selectors
from .models import (
    Contact,
    Customer,
    CustomerSettings,
    CustomerShare,
    Feedback,
    FeedbackStatus,
    Interaction,
    OwnershipChange,
    OwnershipEvent,
    Tag,
)
from .normalize import MAX_NAME, name_core, normalize_email, normalize_name, normalize_phone
from .tokens import name_tokens

if TYPE_CHECKING:
    from guanxi.core.models import PickItem
    from guanxi.org.models import Department


CUSTOMER_FIELDS = {
    "name", "kind", "category", "industry", "source", "level", "lifecycle_stage", "value_tier", "occupation",
    "birthday", "gender", "province", "city", "district", "address", "phone", "mobile", "email", "wechat", "qq",
    "website", "credit_limit", "notes", "next_follow_up_on",
}
CONTACT_FIELDS = {"name", "title", "role", "gender", "mobile", "phone", "email", "wechat", "birthday", "address",
                  "is_primary", "notes"}


class DuplicateFound(Conflict):
    code = "duplicate"

    def __init__(self, duplicates: Any) -> None:
        self.duplicates = list(duplicates)
        names = "、".join(c.name for c in self.duplicates[:3])
        super().__init__(
            _("This looks like a customer that already exists (%(names)s). A manager can approve saving it "
              "anyway.") % {"names": names},
            field="name",
        )


# --- normalization shared by create and update ----------------------------------------------
def _normalize_contact_points(obj: Any, errors: Any) -> None:
    for field in ("phone", "mobile"):
        raw = getattr(obj, field)
        try:
            digits, _kind = normalize_phone(raw)
        except ValidationError as exc:
            errors.append({"field": field, "message": exc.messages[0]})
            continue
        setattr(obj, f"{field}_norm", digits)
    try:
        obj.email_norm = normalize_email(obj.email)
    except ValidationError as exc:
        errors.append({"field": "email", "message": exc.messages[0]})


def _prepare_customer(customer: Customer) -> None:
    errors = []
    customer.name = (customer.name or "").strip()
    if not customer.name:
        errors.append({"field": "name", "message": _("Enter the customer's name.")})
    elif len(customer.name) > MAX_NAME:
        errors.append({"field": "name", "message": _("A name has at most %(n)d characters.") % {"n": MAX_NAME}})
    customer.name_norm = normalize_name(customer.name)[:MAX_NAME]
    customer.name_core = name_core(customer.name_norm)
    if customer.name and not customer.name_norm:
        errors.append({"field": "name", "message": _("The name needs letters or characters, not only symbols.")})
    _normalize_contact_points(customer, errors)
    for field, problem in regions.check(customer.province, customer.city, customer.district):
        errors.append({"field": field, "message": _("Choose a region from the list (province, then city, then "
                                                    "district).") if problem != "missing" else
                       _("Choose the level above first.")})
    if errors:
        raise ValidationFailed(errors=errors)
    customer.search_tokens = " ".join(name_tokens(customer.name_norm))


def _check_exact_duplicates(actor: User, customer: Customer, override: bool) -> None:
    found = selectors.exact_duplicates(
        name_norm=customer.name_norm, phones=[customer.phone_norm, customer.mobile_norm],
        email=customer.email_norm, exclude_pk=customer.pk,
    )[:5]
    duplicates = list(found)
    if not duplicates:
        customer.duplicate_override_by = None
        return
    if not override:
        raise DuplicateFound(duplicates)
    if not actor.has_module_perm("customers.approve_duplicate"):
        raise Forbidden(_("Only a manager can approve saving a duplicate customer."))
    customer.duplicate_override_by = actor


def _save_unique(customer: Customer) -> None:
    try:
        with transaction.atomic():
            validated_save(customer)
    except IntegrityError as exc:
        # Someone saved the same name at the same moment: the database constraint won.
        raise DuplicateFound(Customer.objects.filter(name_norm=customer.name_norm)[:3]) from exc


def _log_owner(customer: Customer, event: str, *, actor: User | None, from_user: User | None = None, to_user: User | None = None, reason: str = "") -> None:
    OwnershipChange.objects.create(customer=customer, event=event, from_user=from_user, to_user=to_user,
                                   reason=reason[:300], actor=actor)


def _set_tags(customer: Customer, names: Any) -> None:
    if names is None:
        return
    clean = []
    for name in names:
        name = (name or "").strip()[:30]
        if name and name not in clean:
            clean.append(name)
    if len(clean) > 20:
        raise ValidationFailed(_("At most 20 tags."), field="tags")
    tags = []
    for name in clean:
        tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    customer.tags.set(tags)


# --- customers ---------------------------------------------------------------------
@service
def customer_create(*, actor: User, name: str, owner: Any = ..., tags: Iterable[Tag] | None = None, override_duplicate: bool = False, custom: Any = None, **data: Any) -> Customer:
    """Create a customer owned by ``actor`` (or in the pool with ``owner=None``)."""
    ensure(actor, "customers.create")
    owner = actor if owner is ... else owner
    if owner is not None and owner.pk != actor.pk:
        ensure(actor, "customers.transfer")
    branch_id = (owner.branch_id if owner is not None else None) or actor.branch_id
    if branch_id is None:
        raise ValidationFailed(_("You are not assigned to a branch yet; ask an administrator."))
    customer = Customer(name=name, owner=owner, branch_id=branch_id, created_by=actor,
                        owned_since=timezone.now() if owner else None)
    assign_fields(customer, CUSTOMER_FIELDS, data)
    _prepare_customer(customer)
    _apply_custom(customer, custom)
    _check_exact_duplicates(actor, customer, override_duplicate)
    _save_unique(customer)
    _set_tags(customer, tags)
    _log_owner(customer, OwnershipEvent.CREATED, actor=actor, to_user=owner)
    return customer


@service
def customer_update(*, actor: User, customer: Customer, tags: Iterable[Tag] | None = None, override_duplicate: bool = False, custom: Any = None, **data: Any) -> Customer:
    ensure(actor, "customers.edit")
    _ensure_editable(actor, customer)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = (customer.name_norm, customer.phone_norm, customer.mobile_norm, customer.email_norm)
    assign_fields(customer, CUSTOMER_FIELDS, data)
    _prepare_customer(customer)
    _apply_custom(customer, custom)
    after = (customer.name_norm, customer.phone_norm, customer.mobile_norm, customer.email_norm)
    if after != before or override_duplicate:
        _check_exact_duplicates(actor, customer, override_duplicate)
    _save_unique(customer)
    _set_tags(customer, tags)
    return customer


def _apply_custom(record: Any, custom: Any) -> None:
    if custom is None:
        return

    record.custom = clean_custom_values(type(record), custom, existing=record.custom)


def _ensure_editable(actor: User, customer: Customer) -> None:
    ensure_in_scope(actor, customer)
    if not selectors.can_edit(actor, customer):
        raise Forbidden(_("You may see this customer but not change it."))


@service
def customer_delete(*, actor: User, customer: Customer) -> None:
    ensure(actor, "customers.delete")
    _ensure_editable(actor, customer)
    soft_delete(customer, actor=actor)


@service
def customer_restore(*, actor: User, customer: Customer) -> Any:
    ensure(actor, "system.recycle")
    ensure_in_scope(actor, customer)
    try:
        with transaction.atomic():
            return soft_restore(customer)
    except IntegrityError as exc:
        raise DuplicateFound(Customer.objects.filter(name_norm=customer.name_norm)[:3]) from exc


@service
def customer_purge(*, actor: User, customer: Customer) -> None:
    purge_in_scope(actor, customer)


# --- ownership (CUS-7) -------------------------------------------------------------
def _locked(customer: Customer) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer.pk)


@service
def customer_claim(*, actor: User, customer: Customer) -> Customer:
    """Take a customer from the public pool (within the claim limit)."""

    ensure(actor, "customers.claim")
    # The claimant's row first (then the customer's), so parallel claims by one person
    # count their customers one after another and the limit holds.
    User.objects.select_for_update().get(pk=actor.pk)
    customer = _locked(customer)
    if not Customer.objects.filter(selectors.pool_q(actor), pk=customer.pk).exists():
        if customer.owner_id is not None:
            raise Conflict(_("Someone else has just claimed this customer."))
        raise NotFound()
    rules = CustomerSettings.current()
    if rules.claim_limit and Customer.objects.filter(owner=actor).count() >= rules.claim_limit:
        raise Conflict(_("You already own %(n)d customers, the most a salesperson may own. Release some first.")
                       % {"n": rules.claim_limit})
    last = customer.ownership_changes.filter(
        event__in=[OwnershipEvent.RELEASED, OwnershipEvent.RECYCLED]).order_by("-created_at").first()
    if (last and last.from_user_id == actor.pk and rules.reclaim_block_days and
            timezone.now() - last.created_at < datetime.timedelta(days=rules.reclaim_block_days)):
        raise Conflict(_("You released this customer recently; you may claim it again after %(n)d days.")
                       % {"n": rules.reclaim_block_days})
    customer.owner = actor
    customer.branch_id = actor.branch_id or customer.branch_id
    customer.owned_since = timezone.now()
    customer.save(update_fields=["owner", "branch", "owned_since", "updated_at"])
    _log_owner(customer, OwnershipEvent.CLAIMED, actor=actor, to_user=actor)
    return customer


@service
def customer_release(*, actor: User, customer: Customer, reason: str) -> Customer:
    """Give a customer back to the pool, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why you release this customer."), field="reason")
    customer = _locked(customer)
    if customer.owner_id is None:
        raise Conflict(_("This customer is already in the pool."))
    if customer.owner_id != actor.pk:
        ensure(actor, "customers.transfer")
        ensure_in_scope(actor, customer)
    previous = customer.owner
    customer.owner = None
    customer.owned_since = None
    customer.save(update_fields=["owner", "owned_since", "updated_at"])
    CustomerShare.objects.filter(customer=customer).delete()
    _log_owner(customer, OwnershipEvent.RELEASED, actor=actor, from_user=previous, reason=reason)
    return customer


@service
def customers_transfer(*, actor: User, customers: Iterable[Customer], to_user: User, reason: str = "", move_branch: bool = True) -> int:
    """Hand customers to a colleague (or to the pool with ``to_user=None``)."""
    ensure(actor, "customers.transfer")
    if to_user is not None and not to_user.is_active:
        raise ValidationFailed(_("Choose an active colleague."), field="to_user")
    ids = sorted({c.pk for c in customers})
    if not ids:
        raise ValidationFailed(_("Choose at least one customer."))
    locked = list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    visible = set(selectors.customers_editable_by(actor).filter(pk__in=ids).values_list("pk", flat=True))
    if len(visible) != len(ids):
        raise NotFound()
    moved = 0
    for customer in locked:
        previous = customer.owner
        if previous == to_user:
            continue
        customer.owner = to_user
        customer.owned_since = timezone.now() if to_user else None
        if to_user is not None and move_branch and to_user.branch_id:
            customer.branch_id = to_user.branch_id
        customer.save(update_fields=["owner", "owned_since", "branch", "updated_at"])
        event = OwnershipEvent.TRANSFERRED if to_user else OwnershipEvent.RELEASED
        _log_owner(customer, event, actor=actor, from_user=previous, to_user=to_user,
                   reason=reason or _("Transferred"))
        moved += 1
    return moved


@service
def customer_share(*, actor: User, customer: Customer, user: User, can_edit: bool = False) -> CustomerShare:
    if customer.owner_id != actor.pk:
        ensure(actor, "customers.transfer")
    ensure_in_scope(actor, customer)
    if user.pk == customer.owner_id:
        raise ValidationFailed(_("The owner already has this customer."), field="user")
    if not user.is_active:
        raise ValidationFailed(_("Choose an active colleague."), field="user")
    share, _created = CustomerShare.objects.update_or_create(customer=customer, user=user,
                                                             defaults={"can_edit": can_edit})
    return share


@service
def customer_unshare(*, actor: User, customer: Customer, user: User) -> None:
    if customer.owner_id != actor.pk:
        ensure(actor, "customers.transfer")
    ensure_in_scope(actor, customer)
    CustomerShare.objects.filter(customer=customer, user=user).delete()


@service
def customer_set_recycle_lock(*, actor: User, customer: Customer, locked: bool) -> Customer:
    """A manager keeps a customer from being recycled to the pool (or lets it go again)."""
    ensure(actor, "customers.transfer")
    ensure_in_scope(actor, customer)
    customer = _locked(customer)
    customer.recycle_locked = bool(locked)
    customer.save(update_fields=["recycle_locked", "updated_at"])
    return customer


def customers_transfer_all(*, actor: User, from_user: User, to_user: User, reason: str = "") -> int:
    """All of a leaver's customers to a colleague or the pool (one transaction)."""
    customers = list(Customer.objects.filter(owner=from_user))
    if not customers:
        return 0
    return customers_transfer(actor=actor, customers=customers, to_user=to_user, reason=reason)


# --- contacts ----------------------------------------------------------------------
@service
def contact_create(*, actor: User, customer: Customer, name: str, custom: Any = None, **data: Any) -> Contact:
    ensure(actor, "customers.edit")
    _ensure_editable(actor, customer)
    contact = Contact(customer=customer, name=(name or "").strip())
    return _contact_saved(contact, data, custom)


@service
def contact_update(*, actor: User, contact: Contact, custom: Any = None, **data: Any) -> Contact:
    ensure(actor, "customers.edit")
    _ensure_editable(actor, contact.customer)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    return _contact_saved(contact, data, custom)


def _contact_saved(contact: Contact, data: dict[str, Any], custom: Any) -> Contact:
    """Apply the fields given, check and save a new or changed contact; at most one primary."""
    assign_fields(contact, CONTACT_FIELDS, data)
    _prepare_contact(contact)
    _apply_custom(contact, custom)
    validated_save(contact)
    _one_primary(contact)
    return contact


def _prepare_contact(contact: Contact) -> None:
    errors = []
    contact.name = (contact.name or "").strip()
    if not contact.name:
        errors.append({"field": "name", "message": _("Enter the contact's name.")})
    _normalize_contact_points(contact, errors)
    if errors:
        raise ValidationFailed(errors=errors)


def _one_primary(contact: Contact) -> None:
    if contact.is_primary:
        Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(pk=contact.pk).update(
            is_primary=False)


@service
def contact_delete(*, actor: User, contact: Contact) -> None:
    ensure(actor, "customers.edit")
    _ensure_editable(actor, contact.customer)
    soft_delete(contact, actor=actor)


@service
def contact_restore(*, actor: User, contact: Contact) -> Any:
    return restore_in_scope(actor, contact)


@service
def contact_purge(*, actor: User, contact: Contact) -> None:
    purge_in_scope(actor, contact)


@service
def customer_settings_update(*, actor: User, **data: Any) -> Any:
    ensure(actor, "customers.manage")
    current = CustomerSettings.objects.select_for_update().get(pk=CustomerSettings.stored().pk)
    assign_fields(current, {"pool_mode", "claim_limit", "recycle_no_follow_up_days", "recycle_no_deal_days",
                            "recycle_warning_days", "reclaim_block_days"}, data)
    return validated_save(current)


# --- interactions (ACT-1) ----------------------------------------------------------
INTERACTION_FIELDS = {"contact", "channel", "occurred_at", "summary", "next_follow_up_on"}


def _touch_customer(customer_id: int, next_follow_up_on: datetime.date | None = None, *, recount: bool = False) -> None:
    """Keep the customer's last contact in step with its interactions. The next follow-up
    changes only when one is given, or (``recount``, an interaction changed or went) to
    that of the latest interaction that set one: an interaction logged without a date
    keeps the follow-up already scheduled."""

    live = Interaction.objects.filter(customer_id=customer_id)
    changes = {"last_contacted_at": live.aggregate(last=Max("occurred_at"))["last"]}
    if recount:
        next_follow_up_on = live.exclude(next_follow_up_on=None).order_by("-occurred_at", "-pk").values_list(
            "next_follow_up_on", flat=True).first()
    if next_follow_up_on is not None:
        changes["next_follow_up_on"] = next_follow_up_on
    Customer.objects.filter(pk=customer_id).update(**changes)


@service
def interaction_create(*, actor: User, customer: Customer, summary: str, channel: str = "phone", occurred_at: datetime.datetime | None = None, contact: Contact | None = None,
                       next_follow_up_on: datetime.date | None = None) -> Interaction:
    ensure(actor, "customers.edit")
    _ensure_editable(actor, customer)
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationFailed(_("This contact belongs to another customer."), field="contact")
    interaction = Interaction(customer=customer, contact=contact, channel=channel, summary=(summary or "").strip(),
                              occurred_at=occurred_at or timezone.now(), next_follow_up_on=next_follow_up_on,
                              author=actor, author_department_id=actor.department_id)
    if interaction.occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationFailed(_("An interaction cannot be in the future; plan it as an appointment."),
                               field="occurred_at")
    validated_save(interaction)
    _touch_customer(customer.pk, interaction.next_follow_up_on)
    return interaction


@service
def interaction_update(*, actor: User, interaction: Interaction, **data: Any) -> Interaction:
    ensure(actor, "customers.edit")
    if interaction.author_id != actor.pk:
        _ensure_editable(actor, interaction.customer)
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    assign_fields(interaction, INTERACTION_FIELDS, data)
    validated_save(interaction)
    _touch_customer(interaction.customer_id, recount=True)
    return interaction


@service
def interaction_delete(*, actor: User, interaction: Interaction) -> None:
    ensure(actor, "customers.edit")
    if interaction.author_id != actor.pk:
        _ensure_editable(actor, interaction.customer)
    soft_delete(interaction, actor=actor)
    _touch_customer(interaction.customer_id, recount=True)


# --- feedback (CUS-8) --------------------------------------------------------------
@service
def feedback_create(*, actor: User, customer: Customer, content: str, department: Department, kind: PickItem | None = None) -> Any:
    ensure(actor, "customers.view")
    ensure_in_scope(actor, customer)
    feedback = Feedback(customer=customer, content=(content or "").strip(), department=department, kind=kind,
                        created_by=actor)
    return validated_save(feedback)


@service
def feedback_handle(*, actor: User, feedback: Feedback, response: str) -> Any:
    ensure_in_scope(actor, feedback)
    if actor.department_id != feedback.department_id and not actor.has_module_perm("customers.transfer"):
        raise Forbidden(_("Only the handling department answers this feedback."))
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if not (response or "").strip():
        raise ValidationFailed(_("Write what was done."), field="response")
    feedback.response = response.strip()
    feedback.status = FeedbackStatus.HANDLED
    feedback.handled_by = actor
    feedback.handled_at = timezone.now()
    return validated_save(feedback)


# --- recycling to the pool (CUS-7) --------------------------------------------------------
def _recycle_due(rules: Any, now: datetime.datetime, horizon_days: int = 0) -> dict[int, str]:
    """Customers that hit a recycle rule by ``now + horizon_days``: {id: reason}."""

    due = {}
    owned = Customer.objects.filter(owner__isnull=False, recycle_locked=False)
    if rules.recycle_no_follow_up_days:
        cutoff = now - datetime.timedelta(days=rules.recycle_no_follow_up_days - horizon_days)
        for pk in owned.filter(Q(last_contacted_at__lt=cutoff) | Q(last_contacted_at__isnull=True,
                                                                     owned_since__lt=cutoff)).values_list("pk",
                                                                                                         flat=True):
            due[pk] = _("No follow-up for %(n)d days") % {"n": rules.recycle_no_follow_up_days}
    if rules.recycle_no_deal_days:
        cutoff = now - datetime.timedelta(days=rules.recycle_no_deal_days - horizon_days)
        for pk in owned.filter(Q(last_deal_at__lt=cutoff, owned_since__lt=cutoff) | Q(
                last_deal_at__isnull=True, owned_since__lt=cutoff)).values_list("pk", flat=True):
            due.setdefault(pk, _("No deal for %(n)d days") % {"n": rules.recycle_no_deal_days})
    return due


def customers_recycle(now: datetime.datetime | None = None) -> dict[Any, Any]:
    """The nightly job: warn owners of customers about to be recycled, then recycle the
    customers past a rule into the pool. Safe to run twice (warnings are de-duplicated,
    recycled customers are no longer owned)."""

    now = now or timezone.now()
    rules = CustomerSettings.current()
    due_now = _recycle_due(rules, now)
    warned = 0
    if rules.recycle_warning_days:
        soon = _recycle_due(rules, now, horizon_days=rules.recycle_warning_days)
        for customer in Customer.objects.filter(pk__in=[pk for pk in soon if pk not in due_now]).select_related(
                "owner"):
            created = notify(
                customer.owner, kind="customers.recycle_warning",
                title=_("%(name)s goes back to the public pool in %(n)d days") % {
                    "name": customer.name, "n": rules.recycle_warning_days},
                body=soon[customer.pk], url=customer.get_absolute_url(), email=True,
                dedupe_key=f"recycle-warning:{customer.pk}:{customer.owned_since:%Y%m%d%H%M%S}",
            )
            warned += created is not None
    recycled = 0
    for pk, reason in due_now.items():
        with transaction.atomic():
            due = Customer.objects.select_for_update().filter(pk=pk, owner__isnull=False,
                                                              recycle_locked=False).first()
            if due is None:
                continue
            customer = due
            previous = customer.owner
            customer.owner = None
            customer.owned_since = None
            customer.save(update_fields=["owner", "owned_since", "updated_at"])
            CustomerShare.objects.filter(customer=customer).delete()
            _log_owner(customer, OwnershipEvent.RECYCLED, actor=None, from_user=previous, reason=str(reason))
            notify(previous, kind="customers.recycled",
                   title=_("%(name)s went back to the public pool") % {"name": customer.name}, body=str(reason),
                   url=customer.get_absolute_url())
            recycled += 1
    return {"warned": warned, "recycled": recycled}


@service
def interaction_restore(*, actor: User, interaction: Interaction) -> Interaction:
    ensure(actor, "system.recycle")
    ensure_in_scope(actor, interaction)
    soft_restore(interaction)
    _touch_customer(interaction.customer_id, recount=True)
    return interaction


@service
def interaction_purge(*, actor: User, interaction: Interaction) -> None:
    purge_in_scope(actor, interaction)


def customers_recompute_name_cores(chunk: int = 2000) -> int:
    """Refill ``name_core`` from ``name_norm`` with today's rules (a maintenance step, no
    user-visible change: ``guanxi customer_name_cores``). Returns the number changed."""
    changed = 0
    rows = Customer.all_objects.exclude(name_norm="").values_list("pk", "name_norm", "name_core")
    for pk, norm, core in rows.iterator(chunk_size=chunk):
        new = name_core(norm)
        if new != core:
            Customer.all_objects.filter(pk=pk).update(name_core=new)
            changed += 1
    return changed
