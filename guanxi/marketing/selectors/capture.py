"""Reads of the capture part of marketing: every one takes the user and goes through the
scope helper first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from guanxi.core.phones import phone_or_none
from guanxi.customers.models import Contact, Customer
from guanxi.org.scopes import get_scoped, scoped

from ..models import (
    Campaign,
    DepartmentReport,
    FormResponse,
    MarketingForm,
    Referral,
    ReferralCode,
    ResponseStatus,
)

if TYPE_CHECKING:
    from guanxi.org.models import User


def forms_visible_to(user: User) -> QuerySet[MarketingForm]:
    taken = Q(responses__status__in=(ResponseStatus.REGISTERED, ResponseStatus.ATTENDED))
    return scoped(MarketingForm.objects.select_related("owner", "branch", "campaign"), user).annotate(
        response_count=Count("responses"), registered_count=Count("responses", filter=taken),
        waiting_count=Count("responses", filter=Q(responses__status=ResponseStatus.WAITING)))


def form_get(user: User, pk: int) -> MarketingForm:
    return get_scoped(MarketingForm.objects.select_related("owner", "branch", "campaign"), user, pk=pk)


def forms_deleted_visible_to(user: User) -> QuerySet[MarketingForm]:
    return scoped(MarketingForm.all_objects.filter(deleted_at__isnull=False), user)


def public_form(slug: str) -> MarketingForm | None:
    """A published form by its address (the public page: no user, no scope)."""
    return MarketingForm.objects.filter(slug=slug, is_active=True).select_related("campaign").first()


def responses_visible_to(user: User) -> QuerySet[FormResponse]:
    return scoped(FormResponse.objects.select_related("form", "lead"), user)


def responses_of_form(user: User, form: MarketingForm) -> QuerySet[FormResponse]:
    return responses_visible_to(user).filter(form=form)


def response_get(user: User, pk: int) -> FormResponse:
    return get_scoped(FormResponse.objects.select_related("form", "lead"), user, pk=pk)


def responses_of_customer(user: User, customer: Customer) -> QuerySet[FormResponse]:
    """Entries made by the customer's people: their lead became this customer, or the
    entry's mobile or e-mail is one of the customer's contacts'."""
    contacts = Contact.objects.filter(customer=customer)  # live contacts only
    mobiles = contacts.exclude(mobile_norm="").values("mobile_norm")
    emails = contacts.exclude(email_norm="").values("email_norm")
    matches = Q(lead__customer=customer) | Q(mobile_norm__in=mobiles) | Q(email_norm__in=emails)
    if customer.mobile_norm:
        matches |= Q(mobile_norm=customer.mobile_norm)
    if customer.email_norm:
        matches |= Q(email_norm=customer.email_norm)
    return responses_visible_to(user).filter(matches).order_by("-submitted_at")


def referral_code_of(user: User, customer: Customer) -> ReferralCode | None:
    return scoped(ReferralCode.objects.filter(customer=customer), user).first()


def referrals_of_customer(user: User, customer: Customer) -> QuerySet[Referral]:
    """The leads the customer referred (seen by who sees the referrer)."""
    return scoped(Referral.objects.filter(code__customer=customer).select_related("lead", "code"),
                  user).order_by("-created_at")


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    return scoped(Referral.objects.select_related("lead", "code__customer"), user)


def reports_visible_to(user: User) -> QuerySet[DepartmentReport]:
    return scoped(DepartmentReport.objects.select_related("owner", "branch", "department", "reviewed_by"), user)


def report_get(user: User, pk: int) -> DepartmentReport:
    return get_scoped(DepartmentReport.objects.select_related("owner", "branch", "department", "reviewed_by"),
                      user, pk=pk)


def reports_deleted_visible_to(user: User) -> QuerySet[DepartmentReport]:
    return scoped(DepartmentReport.all_objects.filter(deleted_at__isnull=False), user)


def response_rows(responses: QuerySet[FormResponse], form: MarketingForm) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of a form's responses for the export (answers in field order)."""
    fields = form.fields or []
    headers = [_("Submitted"), _("Status"), _("Name"), _("Mobile"), _("E-mail"), _("Lead"), _("Referral code"),
               "utm_source", "utm_medium", "utm_campaign", *[item["label"] for item in fields]]
    rows = [[r.submitted_at, r.get_status_display(), r.name, r.mobile, r.email, str(r.lead) if r.lead else "",
             r.referral_code, r.utm.get("utm_source", ""), r.utm.get("utm_medium", ""),
             r.utm.get("utm_campaign", ""), *[_answer(r.answers.get(item["name"])) for item in fields]]
            for r in responses]
    return headers, rows


def _answer(value: Any) -> Any:
    if isinstance(value, bool):
        return "✓" if value else ""
    return "" if value is None else value


def campaigns_to_link(user: User) -> QuerySet[Campaign]:
    """Campaigns a form may be linked to: those the user sees."""
    return scoped(Campaign.objects.all(), user).order_by("-starts_on")


def response_search(responses: QuerySet[FormResponse], q: str) -> QuerySet[FormResponse]:
    """Find a person at the door: by name prefix, mobile or e-mail."""
    q = q.strip()[:60]
    phone = phone_or_none(q)
    condition = Q(name__startswith=q) | Q(email_norm=q.lower())
    if phone:
        condition |= Q(mobile_norm=phone)
    return responses.filter(condition)


def form_counts(form: MarketingForm) -> dict[str, int]:
    """Entries of a form per status (one query)."""
    counts = dict.fromkeys(ResponseStatus.values, 0)
    for row in form.responses.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts
