"""Writes of campaigns (MKT-2, MKT-5): the campaign itself and its status, the touches that
attribute leads and customers to it, the expenses that are its cost, and the lead a
visitor leaves on a campaign's public form."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import picklists
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.money import clean_amount
from guanxi.core.permissions import ensure
from guanxi.core.services import assign_fields, service, soft_delete, validated_save
from guanxi.core.transitions import transition
from guanxi.customers.models import Customer
from guanxi.finance.models import Expense
from guanxi.org.models import User
from guanxi.org.scopes import ensure_in_scope, record_in_scope
from guanxi.org.services import purge_in_scope, restore_in_scope
from guanxi.sales.models import Lead, Opportunity
from guanxi.sales.services import lead_create

from ..models import Campaign, CampaignExpense, CampaignStatus, CampaignTouch, Segment, TouchSource

CHANNELS = "marketing.channel"
CAMPAIGN_FIELDS = {"code", "name", "description", "channels", "starts_on", "ends_on", "budget", "segment"}
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,39}")
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
CAMPAIGN_TRANSITIONS = {
    CampaignStatus.PLANNED: {CampaignStatus.RUNNING, CampaignStatus.CANCELLED},
    CampaignStatus.RUNNING: {CampaignStatus.FINISHED, CampaignStatus.CANCELLED},
}


# --- the campaign ---------------------------------------------------------------------------
def _checked(actor: User, data: dict[str, Any], campaign: Campaign | None = None) -> dict[str, Any]:
    """Validate what a form or the API sends; raise one ValidationFailed with every error."""
    errors = []
    if "code" in data:
        data["code"] = (data["code"] or "").strip()
        if not CODE.fullmatch(data["code"]):
            errors.append({"field": "code", "message": _(
                "A code is 2–40 letters, digits, hyphens or underscores, e.g. expo-2026.")})
        elif Campaign.all_objects.filter(code__iexact=data["code"]).exclude(
                pk=campaign.pk if campaign else 0).exists():
            errors.append({"field": "code", "message": _("Another campaign has this code.")})
    if "budget" in data:
        try:
            data["budget"] = clean_amount(data["budget"] if data["budget"] is not None else 0, "budget",
                                          allow_zero=True)
        except ValidationFailed as exc:
            errors += exc.errors
    if "channels" in data:
        known = {item.code for item in picklists.active(CHANNELS)}
        channels = list(dict.fromkeys(data["channels"] or []))
        unknown = [code for code in channels if code not in known]
        if unknown:
            errors.append({"field": "channels", "message": _("Unknown channel: %(codes)s.") % {
                "codes": ", ".join(map(str, unknown))}})
        data["channels"] = channels
    starts = data.get("starts_on", campaign.starts_on if campaign else None)
    ends = data.get("ends_on", campaign.ends_on if campaign else None)
    if starts and ends and ends < starts:
        errors.append({"field": "ends_on", "message": _("The campaign cannot end before it starts.")})
    segment = data.get("segment")
    if segment is not None and not (isinstance(segment, Segment) and record_in_scope(actor, segment.owner_id,
                                                                                     segment.branch_id)):
        errors.append({"field": "segment", "message": _("Choose a segment you can see.")})
    if errors:
        raise ValidationFailed(errors=errors)
    return data


@service
def campaign_create(*, actor: User, code: str, name: str, starts_on: datetime.date, ends_on: datetime.date,
                    owner: User | None = None, **data: Any) -> Campaign:
    """A planned campaign of ``owner`` (the actor by default; another person in the actor's scope)."""
    ensure(actor, "marketing.create")
    owner = owner or actor
    if owner.pk != actor.pk and not record_in_scope(actor, owner.pk, owner.branch_id):
        raise ValidationFailed(_("Choose an owner among your people."), field="owner")
    branch_id = owner.branch_id or actor.branch_id
    if branch_id is None:
        raise ValidationFailed(_("The owner of a campaign belongs to a branch."), field="owner")
    data = _checked(actor, {**data, "code": code, "name": name, "starts_on": starts_on, "ends_on": ends_on})
    campaign = Campaign(owner=owner, branch_id=branch_id)
    assign_fields(campaign, CAMPAIGN_FIELDS, data)
    return validated_save(campaign)


@service
def campaign_update(*, actor: User, campaign: Campaign, **data: Any) -> Campaign:
    """Change a planned or running campaign (its status moves with ``campaign_move``)."""
    ensure(actor, "marketing.edit")
    ensure_in_scope(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        raise Conflict(_("A finished or cancelled campaign cannot change."))
    assign_fields(campaign, CAMPAIGN_FIELDS, _checked(actor, dict(data), campaign))
    return validated_save(campaign)


def campaign_guard(campaign: Campaign, to: str, actor: User | None) -> None:
    if to == CampaignStatus.RUNNING and campaign.ends_on < timezone.localdate():
        raise ValidationFailed(_("This campaign ended on %(day)s: change its dates before starting it.") % {
            "day": campaign.ends_on.isoformat()}, field="ends_on")


@service
def campaign_move(*, actor: User, campaign: Campaign, to: str, reason: str = "") -> Campaign:
    """planned → running → finished; planned or running → cancelled (a reason is kept)."""
    ensure(actor, "marketing.edit")
    ensure_in_scope(actor, campaign)
    if to == CampaignStatus.CANCELLED and not (reason or "").strip():
        raise ValidationFailed(_("Say why the campaign is cancelled."), field="reason")
    return transition(campaign, to, actor, reason)


@service
def campaign_delete(*, actor: User, campaign: Campaign) -> None:
    """To the recycle bin; its touches and expense links stay for a restore."""
    ensure(actor, "marketing.delete")
    ensure_in_scope(actor, campaign)
    soft_delete(campaign, actor=actor)


@service
def campaign_restore(*, actor: User, campaign: Campaign) -> Campaign:
    return restore_in_scope(actor, campaign)


@service
def campaign_purge(*, actor: User, campaign: Campaign) -> None:
    purge_in_scope(actor, campaign)


# --- touches --------------------------------------------------------------------------------
def utm_of(values: Any) -> dict[str, str]:
    """The UTM parameters among ``values``, as short plain strings."""
    return {key: str(values.get(key, "") or "")[:100] for key in UTM_KEYS if (values or {}).get(key)}


def touch_record(*, campaign: Campaign, source: str, lead: Lead | None = None, customer: Customer | None = None,
                 opportunity: Opportunity | None = None, touched_at: datetime.datetime | None = None,
                 utm: dict[str, Any] | None = None, key: str = "", actor: User | None = None) -> tuple[CampaignTouch, bool]:
    """Record that ``campaign`` reached a lead or a customer; return (touch, created).

    Idempotent: ``key`` (e.g. ``"email-click:<send id>"``) names the event, and the same
    key recorded again returns the first touch. Without a key the event is named by the
    campaign, source, person and moment. Callers checked their own permission (the e-mail
    part records clicks for the system); this checks only what the touch must hold."""
    if source not in TouchSource.values:
        raise ValidationFailed(_("Unknown source of a touch."), field="source")
    if lead is None and customer is None and opportunity is None:
        raise ValidationFailed(_("A touch reaches a lead, a customer or an opportunity."))
    if opportunity is not None:
        customer = customer or opportunity.customer
    if lead is not None and customer is None and lead.customer_id:
        customer = lead.customer
    touched_at = touched_at or timezone.now()
    key = (key or f"{source}:{campaign.pk}:{lead.pk if lead else ''}:{customer.pk if customer else ''}:"
           f"{opportunity.pk if opportunity else ''}:{touched_at.isoformat()}")[:120]
    existing = CampaignTouch.objects.filter(dedupe_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            touch = CampaignTouch.objects.create(
                campaign=campaign, source=source, lead=lead, customer=customer, opportunity=opportunity,
                touched_at=touched_at, touched_on=timezone.localdate(touched_at), utm=utm_of(utm or {}),
                dedupe_key=key, created_by=actor if actor is not None and actor.pk else None)
    except IntegrityError:  # the same event recorded twice at once: the first one stands
        return CampaignTouch.objects.get(dedupe_key=key), False
    return touch, True


def touch_from_utm(*, lead: Lead, utm: dict[str, Any], touched_at: datetime.datetime | None = None,
                   source: str = TouchSource.UTM) -> CampaignTouch | None:
    """A touch of the campaign whose code is ``utm_campaign`` (case-insensitive), if any."""
    code = str((utm or {}).get("utm_campaign") or "").strip()[:40]
    campaign = Campaign.objects.filter(code__iexact=code).first() if code else None
    if campaign is None:
        return None
    touch, _created = touch_record(campaign=campaign, source=source, lead=lead, touched_at=touched_at or lead.created_at,
                                   utm=utm, key=f"{source}:{campaign.pk}:lead:{lead.pk}")
    return touch


@service
def touch_link(*, actor: User, campaign: Campaign, lead: Lead | None = None, customer: Customer | None = None,
               opportunity: Opportunity | None = None) -> CampaignTouch:
    """A user's "this came from that campaign": a lead or an opportunity is linked as of
    its creation (so it is credited), a customer as of now (what follows is)."""
    ensure(actor, "marketing.edit")
    ensure_in_scope(actor, campaign)
    records = [record for record in (lead, customer, opportunity) if record is not None]
    if len(records) != 1:
        raise ValidationFailed(_("Link one lead, customer or opportunity."))
    record = records[0]
    ensure_in_scope(actor, record)
    when = timezone.now() if customer is not None else min(record.created_at, timezone.now())
    touch, _created = touch_record(campaign=campaign, source=TouchSource.EXPLICIT, lead=lead, customer=customer,
                                   opportunity=opportunity, touched_at=when, actor=actor,
                                   key=f"explicit:{campaign.pk}:{type(record).__name__.lower()}:{record.pk}")
    return touch


def touches_follow_customer(*, lead: Lead) -> int:
    """A lead became a customer: its touches now reach the customer too (sales.signals.lead_converted)."""
    if not lead.customer_id:
        return 0
    return CampaignTouch.objects.filter(lead=lead, customer__isnull=True).update(customer_id=lead.customer_id)


# --- the lead a campaign's public form brings (MKT-5) -------------------------------------------
def lead_owner_for(campaign: Campaign) -> User | None:
    """Who receives the campaign's leads: its owner when they may create leads, else the
    first active person of the campaign's branch who may (a salesperson or its manager)."""
    if campaign.owner.is_active and campaign.owner.has_module_perm("sales.create"):
        return campaign.owner
    people = User.objects.filter(branch_id=campaign.branch_id, is_active=True).prefetch_related("roles")
    return next((person for person in people.order_by("pk") if person.has_module_perm("sales.create")), None)


def lead_from_form(*, campaign: Campaign, data: dict[str, Any], utm: dict[str, Any]) -> Lead:
    """A visitor's entry: a lead of the campaign's owner (their branch) through the sales
    service, and the campaign's touch with the UTM parameters the link carried."""
    source = (picklists.items("customers.source").filter(code="advertising").first()
              or picklists.items("customers.source").first())
    notes = "\n\n".join(part for part in (data.get("message", ""), _("From the campaign “%(campaign)s”.") % {
        "campaign": campaign.name}) if part)
    owner = lead_owner_for(campaign)
    if owner is None:
        raise Conflict(_("Nobody of the campaign's branch may take leads."))
    with transaction.atomic():
        lead = lead_create(actor=owner, company=data["company"], owner=owner,
                           name=data.get("name", ""), title=data.get("title", ""), mobile=data.get("phone", ""),
                           email=data.get("email", ""), source=source, notes=notes[:4000])
        touch_record(campaign=campaign, source=TouchSource.FORM, lead=lead, touched_at=lead.created_at, utm=utm,
                     key=f"form:{campaign.pk}:lead:{lead.pk}")
        if str(utm.get("utm_campaign", "")).strip().lower() not in ("", campaign.code.lower()):
            touch_from_utm(lead=lead, utm=utm)  # a link of another campaign led here
    return lead


# --- the cost: expenses of finance ------------------------------------------------------------
@service
def campaign_expense_link(*, actor: User, campaign: Campaign, expense: Expense) -> CampaignExpense:
    """Count ``expense`` as a cost of ``campaign`` (one campaign per expense)."""
    ensure(actor, "marketing.edit")
    ensure_in_scope(actor, campaign)
    ensure_in_scope(actor, expense)
    link = CampaignExpense.objects.select_for_update().filter(expense=expense).first()
    if link is not None and link.campaign_id != campaign.pk:
        raise Conflict(_("This expense is a cost of another campaign already."))
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return CampaignExpense.objects.create(campaign=campaign, expense=expense, linked_by=actor)
    except IntegrityError:
        raise Conflict(_("This expense is a cost of another campaign already.")) from None


@service
def campaign_expense_unlink(*, actor: User, campaign: Campaign, expense: Expense) -> None:
    ensure(actor, "marketing.edit")
    ensure_in_scope(actor, campaign)
    CampaignExpense.objects.filter(campaign=campaign, expense=expense).delete()
