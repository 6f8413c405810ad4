"""Writes of the capture part of marketing (MKT-5, MKT-7): designing and publishing
forms, a visitor's entry (lead matched or made through the sales service, campaign touch,
referral, capacity and waiting list), check-in at the event, referral codes and their
conversions, and the marketing department's forms with submit and approval."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core import picklists, transitions
from guanxi.core.errors import Conflict, Forbidden, ValidationFailed
from guanxi.core.permissions import ensure
from guanxi.core.phones import phone_or_none
from guanxi.core.services import assign_fields, service, soft_delete, validated_save
from guanxi.customers.models import Customer
from guanxi.org.scopes import ensure_in_scope
from guanxi.org.services import purge_in_scope, restore_in_scope
from guanxi.sales.models import Lead, Order
from guanxi.sales.services import lead_create
from guanxi.sales.targets import COUNTED_ORDERS

from ..models import (
    Campaign,
    CampaignTouch,
    DepartmentReport,
    FieldType,
    FormKind,
    FormResponse,
    MarketingForm,
    Referral,
    ReferralCode,
    ReportKind,
    ReportStatus,
    ResponseStatus,
)

if TYPE_CHECKING:
    import datetime

    from guanxi.org.models import User

# A referred lead's customer confirmed its first order: loyalty may reward the referrer.
referral_converted = Signal()  # sender=Referral, referral=, order=

FORM_FIELDS = {"kind", "name", "slug", "intro", "fields", "campaign", "event_starts_at", "event_place", "capacity",
               "thank_you", "is_active"}
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone
# (field name, label, multi-line) per kind of department form (MKT-7).
KIND_FIELDS: dict[str, list[tuple[str, Any, bool]]] = {
    ReportKind.MONTHLY_PLAN: [
        ("goals", gettext_lazy("Goals"), True), ("activities", gettext_lazy("Planned activities"), True),
        ("budget", gettext_lazy("Budget (¥)"), False), ("target_leads", gettext_lazy("Target leads"), False),
        ("target_customers", gettext_lazy("Target new customers"), False),
        ("receivables", gettext_lazy("Receivables to collect and due dates"), True),
    ],
    ReportKind.EVENT_SUMMARY: [
        ("event", gettext_lazy("Event"), False), ("attendees", gettext_lazy("Attendees"), False),
        ("leads", gettext_lazy("Leads gathered"), False), ("cost", gettext_lazy("Cost (¥)"), False),
        ("results", gettext_lazy("Results"), True), ("lessons", gettext_lazy("Lessons"), True),
    ],
    ReportKind.COMPETITOR: [
        ("competitor", gettext_lazy("Competitor"), False), ("activity", gettext_lazy("What they did"), True),
        ("prices", gettext_lazy("Prices and offers"), True), ("response", gettext_lazy("Our response"), True),
    ],
    ReportKind.CHANNEL: [
        ("channel", gettext_lazy("Channel"), False), ("leads", gettext_lazy("Leads"), False),
        ("customers", gettext_lazy("New customers"), False), ("sales", gettext_lazy("Sales (¥)"), False),
        ("cost", gettext_lazy("Cost (¥)"), False), ("assessment", gettext_lazy("Assessment"), True),
    ],
}
REPORT_TRANSITIONS = {
    ReportStatus.DRAFT: {ReportStatus.SUBMITTED},
    ReportStatus.RETURNED: {ReportStatus.SUBMITTED},
    ReportStatus.SUBMITTED: {ReportStatus.APPROVED, ReportStatus.RETURNED},
}


# --- designing forms ---------------------------------------------------------------------------
def _check_form(actor: User, form: MarketingForm) -> None:
    if form.campaign_id is not None:
        ensure_in_scope(actor, form.campaign)
    if form.kind != FormKind.EVENT:
        form.event_starts_at, form.event_place, form.capacity = None, "", None
    types = {item.get("type") for item in form.fields or []}
    if not types & {FieldType.PHONE, FieldType.EMAIL}:
        raise ValidationFailed(_("A form needs a phone or an e-mail field, to reach the people who fill it in."),
                               field="fields")
    if MarketingForm.all_objects.filter(slug=form.slug).exclude(pk=form.pk).exists():
        raise ValidationFailed(_("Another form has this address."), field="slug")


@service
def marketing_form_create(*, actor: User, **data: Any) -> MarketingForm:
    ensure(actor, "marketing.create")
    if actor.branch_id is None:
        raise ValidationFailed(_("You are not assigned to a branch yet; ask an administrator."))
    form = MarketingForm(owner=actor, branch_id=actor.branch_id)
    assign_fields(form, FORM_FIELDS, data)
    _check_form(actor, form)
    return validated_save(form)


@service
def marketing_form_update(*, actor: User, form: MarketingForm, **data: Any) -> MarketingForm:
    ensure(actor, "marketing.edit")
    ensure_in_scope(actor, form)
    form = MarketingForm.objects.select_for_update(of=("self",)).get(pk=form.pk)
    assign_fields(form, FORM_FIELDS, data)
    _check_form(actor, form)
    return validated_save(form)


@service
def marketing_form_delete(*, actor: User, form: MarketingForm) -> None:
    ensure(actor, "marketing.delete")
    ensure_in_scope(actor, form)
    soft_delete(form, actor=actor)


@service
def marketing_form_restore(*, actor: User, form: MarketingForm) -> MarketingForm:
    return restore_in_scope(actor, form)


@service
def marketing_form_purge(*, actor: User, form: MarketingForm) -> None:
    purge_in_scope(actor, form)


# --- a visitor's entry -------------------------------------------------------------------------
def clean_utm(query: Any) -> dict[str, str]:
    """The UTM parameters of a query string (bounded, nothing else)."""
    return {key: str(query.get(key))[:100] for key in UTM_KEYS if query.get(key)}


def _contact_of(form: MarketingForm, answers: dict[str, Any]) -> tuple[str, str, str, str]:
    """(name, company, mobile, e-mail) from the answers, by field type and name."""
    mobile = email = ""
    for item in form.fields:
        value = str(answers.get(item["name"]) or "").strip()
        if item["type"] == FieldType.PHONE and value and not mobile:
            mobile = value
        elif item["type"] == FieldType.EMAIL and value and not email:
            email = value
    name = str(answers.get("name") or "").strip()[:60]
    company = str(answers.get("company") or "").strip()[:200]
    return name, company, mobile, email.lower()


def _matching_lead(mobile_norm: str, email: str) -> Lead | None:
    """A lead already holding this mobile or e-mail (the duplicate rule of leads)."""
    if mobile_norm:
        lead = Lead.objects.filter(mobile_norm=mobile_norm).order_by("pk").first()
        if lead is not None:
            return lead
    if email:
        return Lead.objects.filter(email__iexact=email).order_by("pk").first()
    return None


def _campaign_of(form: MarketingForm, utm: dict[str, str]) -> Campaign | None:
    if form.campaign_id is not None:
        return form.campaign
    code = utm.get("utm_campaign")
    return Campaign.objects.filter(code=code).first() if code else None


def _status_for(form: MarketingForm) -> str:
    """Registered while there are places (the form row is locked), else the waiting list."""
    if form.kind != FormKind.EVENT:
        return ResponseStatus.RECEIVED
    if form.capacity is None:
        return ResponseStatus.REGISTERED
    taken = form.responses.filter(status__in=(ResponseStatus.REGISTERED, ResponseStatus.ATTENDED)).count()
    return ResponseStatus.REGISTERED if taken < form.capacity else ResponseStatus.WAITING


def form_submit(*, form: MarketingForm, answers: dict[str, Any], utm: dict[str, str] | None = None,
                ref: str = "", now: datetime.datetime | None = None) -> FormResponse:
    """Record a visitor's entry (``answers`` already cleaned by the public form): match or
    make the lead (acting as the form's owner, through the sales service), record the
    campaign touch and the referral, and place the person within the capacity or on the
    waiting list. The same mobile or e-mail sent twice returns the first entry."""
    utm = utm or {}
    now = now or timezone.now()
    name, company, mobile, email = _contact_of(form, answers)
    mobile_norm = phone_or_none(mobile) or ""
    with transaction.atomic():
        form = MarketingForm.objects.select_for_update(of=("self",)).select_related("owner", "campaign").get(pk=form.pk)
        earlier = _earlier_response(form, mobile_norm, email)
        if earlier is not None:
            return earlier
        lead = _matching_lead(mobile_norm, email)
        if lead is None:
            lead = lead_create(
                actor=form.owner, company=company or name or mobile or email, owner=form.owner, name=name,
                mobile=mobile, email=email, source=_source("referral" if ref else "other"),
                notes=_("From the form “%(form)s”.") % {"form": form.name})
        campaign = _campaign_of(form, utm)
        if campaign is not None:
            CampaignTouch.objects.create(campaign=campaign, lead=lead, customer=lead.customer, source="form", utm=utm,
                                         touched_at=now)
        if ref:
            referral_attach(lead=lead, code=ref, now=now)
        try:
            with transaction.atomic():
                return FormResponse.objects.create(
                    form=form, answers=answers, name=name, mobile=mobile[:30], mobile_norm=mobile_norm,
                    email=email[:254], email_norm=email[:254], status=_status_for(form), lead=lead,
                    referral_code=ref.upper()[:16], utm=utm, submitted_at=now)
        except IntegrityError:  # the same person in another request at the same moment
            return _earlier_response(form, mobile_norm, email)  # type: ignore[return-value]


def _earlier_response(form: MarketingForm, mobile_norm: str, email: str) -> FormResponse | None:
    if mobile_norm:
        found = form.responses.filter(mobile_norm=mobile_norm).first()
        if found is not None:
            return found
    return form.responses.filter(email_norm=email).first() if email else None


def _source(code: str) -> Any:
    items = picklists.items("customers.source")
    return items.filter(code=code).first() or items.filter(code="other").first()


@service
def response_check_in(*, actor: User, response: FormResponse) -> FormResponse:
    """Mark a registered person as attended (at the door of the event)."""
    ensure(actor, "marketing.edit")
    ensure_in_scope(actor, response)
    response = FormResponse.objects.select_for_update(of=("self",)).select_related("form").get(pk=response.pk)
    if response.status == ResponseStatus.ATTENDED:
        return response
    if not response.may_check_in:
        raise Conflict(_("Only a registered person can be checked in; this one is on the waiting list."))
    response.status, response.attended_at = ResponseStatus.ATTENDED, timezone.now()
    response.save(update_fields=["status", "attended_at"])
    return response


@service
def response_withdraw(*, actor: User, response: FormResponse) -> FormResponse | None:
    """Remove a registration; the first on the waiting list takes the place. Returns the
    person who moved up, if any."""
    ensure(actor, "marketing.edit")
    ensure_in_scope(actor, response)
    form = MarketingForm.objects.select_for_update(of=("self",)).get(pk=response.form_id)
    freed = response.status in (ResponseStatus.REGISTERED, ResponseStatus.ATTENDED)
    FormResponse.objects.filter(pk=response.pk).delete()
    if not freed:
        return None
    waiting = form.responses.filter(status=ResponseStatus.WAITING).order_by("submitted_at", "pk").first()
    if waiting is not None and _status_for(form) == ResponseStatus.REGISTERED:
        waiting.status = ResponseStatus.REGISTERED
        waiting.save(update_fields=["status"])
        return waiting
    return None


# --- referrals -------------------------------------------------------------------------------
def is_signed(customer: Customer) -> bool:
    return Order.objects.filter(customer=customer, status__in=COUNTED_ORDERS).exists()


def referral_code_ensure(customer: Customer) -> ReferralCode:
    """The customer's referral code, made on first need (idempotent)."""
    existing = ReferralCode.objects.filter(customer=customer).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(customer=customer, code=code)
        except IntegrityError:  # the code was taken, or a parallel request made the customer's
            existing = ReferralCode.objects.filter(customer=customer).first()
            if existing is not None:
                return existing
    raise Conflict(_("No free referral code was found; try again."))


@service
def referral_code_issue(*, actor: User, customer: Customer) -> ReferralCode:
    """Give a signed customer (one with a confirmed order) a referral code."""
    ensure(actor, "marketing.create")
    ensure_in_scope(actor, customer)
    if not is_signed(customer):
        raise ValidationFailed(_("Only a customer with a confirmed order gets a referral code."))
    return referral_code_ensure(customer)


def referral_attach(*, lead: Lead, code: str, now: datetime.datetime | None = None) -> Referral | None:
    """Link ``lead`` to the customer whose code it came with (the first code wins; an
    unknown code or a customer referring itself is ignored)."""
    referral_code = ReferralCode.objects.filter(code=code.strip().upper()[:16]).select_related("customer").first()
    if referral_code is None or (lead.customer_id and lead.customer_id == referral_code.customer_id):
        return None
    referral, _created = Referral.objects.get_or_create(
        lead=lead, defaults={"code": referral_code, "created_at": now or timezone.now()})
    return referral


@service
def referral_link(*, actor: User, lead: Lead, code: str) -> Referral:
    """API: link a lead the caller may change to a referral code."""
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, lead)
    referral = referral_attach(lead=lead, code=code)
    if referral is None:
        raise ValidationFailed(_("Unknown referral code."), field="code")
    return referral


def referrals_convert_for(order: Order) -> list[Referral]:
    """After ``order`` was confirmed: the referrals whose lead became this customer are
    converted (once), and ``referral_converted`` is sent for each."""
    converted = []
    pending = Referral.objects.select_for_update(of=("self",)).filter(converted_at__isnull=True, lead__customer=order.customer)
    for referral in pending:
        referral.converted_at = timezone.now()
        referral.save(update_fields=["converted_at"])
        referral_converted.send(sender=Referral, referral=referral, order=order)
        converted.append(referral)
    return converted


def order_confirmed(sender: Any, order: Order, **kwargs: Any) -> None:
    """Receiver of ``sales.signals.order_confirmed``: the customer is signed now (a code
    to share), and a referral that brought it is converted."""
    referral_code_ensure(order.customer)
    referrals_convert_for(order)


# --- department forms (MKT-7) ----------------------------------------------------------------
def _clean_content(kind: str, data: dict[str, Any]) -> dict[str, str]:
    names = {name for name, _label, _multi in KIND_FIELDS[kind]}
    unknown = set(data) - names
    if unknown:
        raise ValidationFailed(errors=[{"field": n, "message": _("This field cannot be changed here.")}
                                       for n in sorted(unknown)])
    return {name: str(value)[:4000] for name, value in data.items() if value not in (None, "")}


@service
def report_create(*, actor: User, kind: str, title: str, period: datetime.date,
                  content: dict[str, Any] | None = None) -> DepartmentReport:
    ensure(actor, "marketing.create")
    if actor.branch_id is None:
        raise ValidationFailed(_("You are not assigned to a branch yet; ask an administrator."))
    if kind not in ReportKind.values:
        raise ValidationFailed(_("Choose a kind of form."), field="kind")
    report = DepartmentReport(kind=kind, title=title, period=period.replace(day=1), owner=actor,
                              branch_id=actor.branch_id, department_id=actor.department_id,
                              data=_clean_content(kind, content or {}))
    return validated_save(report)


def _own_editable(actor: User, report: DepartmentReport) -> DepartmentReport:
    ensure(actor, "marketing.edit")
    ensure_in_scope(actor, report)
    report = DepartmentReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if report.owner_id != actor.pk:
        raise Forbidden(_("Only the author changes or submits this form."))
    if not report.is_editable:
        raise Conflict(_("A submitted or approved form cannot change."))
    return report


@service
def report_update(*, actor: User, report: DepartmentReport, title: str | None = None,
                  period: datetime.date | None = None, content: dict[str, Any] | None = None) -> DepartmentReport:
    report = _own_editable(actor, report)
    if title is not None:
        report.title = title
    if period is not None:
        report.period = period.replace(day=1)
    if content is not None:
        report.data = _clean_content(report.kind, content)
    return validated_save(report)


@service
def report_submit(*, actor: User, report: DepartmentReport) -> DepartmentReport:
    report = _own_editable(actor, report)
    return transitions.transition(report, ReportStatus.SUBMITTED, actor)


@service
def report_review(*, actor: User, report: DepartmentReport, approve: bool, note: str = "") -> DepartmentReport:
    """Approve a submitted form, or return it to its author with a reason."""
    ensure(actor, "marketing.manage")
    ensure_in_scope(actor, report)
    if report.owner_id == actor.pk:
        raise Forbidden(_("Someone other than the author approves a form."))
    if not approve and not note.strip():
        raise ValidationFailed(_("Say why the form goes back."), field="note")
    return transitions.transition(report, ReportStatus.APPROVED if approve else ReportStatus.RETURNED, actor,
                                  note.strip()[:300], changes={"reviewed_by": actor, "reviewed_at": timezone.now()})


@service
def report_delete(*, actor: User, report: DepartmentReport) -> None:
    ensure(actor, "marketing.delete")
    ensure_in_scope(actor, report)
    if report.status == ReportStatus.APPROVED:
        raise Conflict(_("An approved form is kept."))
    soft_delete(report, actor=actor)


@service
def report_restore(*, actor: User, report: DepartmentReport) -> DepartmentReport:
    return restore_in_scope(actor, report)


@service
def report_purge(*, actor: User, report: DepartmentReport) -> None:
    purge_in_scope(actor, report)


def register_transitions() -> None:
    transitions.register(DepartmentReport, REPORT_TRANSITIONS)
