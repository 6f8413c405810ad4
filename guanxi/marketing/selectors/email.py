"""Reads of e-mail campaigns and journeys (MKT-4), always through the scope helper."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from guanxi.customers.models import Contact, Customer
from guanxi.org.models import User
from guanxi.org.scopes import get_scoped, scoped

from ..models import (
    EmailSend,
    EmailTemplate,
    Journey,
    JourneyEnrollment,
    JourneyStep,
    Recipient,
    RecipientState,
    Suppression,
)


def templates_visible_to(user: User) -> QuerySet[EmailTemplate]:
    return scoped(EmailTemplate.objects.select_related("owner", "branch"), user)


def template_get(user: User, pk: int) -> EmailTemplate:
    return get_scoped(EmailTemplate.objects.select_related("owner", "branch"), user, pk=pk)


def sends_visible_to(user: User) -> QuerySet[EmailSend]:
    """Campaign sends the user may see (a journey step's send is seen on its journey)."""
    return scoped(EmailSend.objects.filter(segment__isnull=False)
                  .select_related("owner", "branch", "template", "segment", "campaign"), user)


def send_get(user: User, pk: int) -> EmailSend:
    return get_scoped(EmailSend.objects.select_related("owner", "branch", "template", "segment", "campaign"),
                      user, pk=pk)


def _rate(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def send_stats(send: EmailSend) -> dict[str, Any]:
    """Counts of one send (one query) with rates: delivered, opened, clicked … of sent."""
    counts = Recipient.objects.filter(send=send).aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(state__in=(RecipientState.PENDING, RecipientState.SENDING))),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        delivered=Count("pk", filter=Q(state=RecipientState.SENT)),
        failed=Count("pk", filter=Q(state=RecipientState.FAILED)),
        suppressed=Count("pk", filter=Q(state=RecipientState.SUPPRESSED)),
        bounced=Count("pk", filter=Q(state=RecipientState.BOUNCED)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
    )
    attempted = counts["sent"] + counts["bounced"]
    counts["done"] = counts["total"] - counts["pending"]
    counts["percent"] = int(100 * counts["done"] / counts["total"]) if counts["total"] else 0
    counts["rates"] = {
        "delivered": _rate(counts["delivered"], attempted), "opened": _rate(counts["opened"], counts["delivered"]),
        "clicked": _rate(counts["clicked"], counts["delivered"]),
        "unsubscribed": _rate(counts["unsubscribed"], counts["delivered"]),
        "bounced": _rate(counts["bounced"], attempted),
    }
    return counts


def sample_recipient_for(user: User, send_or_segment_customers: QuerySet[Customer]) -> Customer | None:
    """A customer to preview a template with (the first one the user may see)."""
    return scoped(send_or_segment_customers, user).order_by("pk").first()


def preview_customers(user: User) -> QuerySet[Customer]:
    return scoped(Customer.objects.all(), user).order_by("name")


def first_contact(customer: Customer) -> Contact | None:
    return Contact.objects.filter(customer=customer).order_by("-is_primary", "pk").first()


def suppressions(user: User, *, active: bool = True) -> QuerySet[Suppression]:
    """The company-wide suppression list (addresses, not business records: one list for all
    marketing, so every sender honours it; reading it needs marketing.view)."""
    rows = Suppression.objects.select_related("lifted_by", "recipient__send")
    return rows.filter(lifted_at__isnull=True) if active else rows


def customer_suppressions(user: User, customer: Customer) -> QuerySet[Suppression]:
    """The suppressed addresses among the customer's own and its contacts' (one query)."""
    contacts = Contact.objects.filter(customer=customer).exclude(email_norm="").values("email_norm")
    own = Q(address=customer.email_norm) if customer.email_norm else Q(pk__in=[])
    return suppressions(user).filter(Q(address__in=contacts) | own)


def journeys_visible_to(user: User) -> QuerySet[Journey]:
    return scoped(Journey.objects.select_related("owner", "branch", "segment"), user)


def journey_get(user: User, pk: int) -> Journey:
    return get_scoped(Journey.objects.select_related("owner", "branch", "segment"), user, pk=pk)


def journey_steps(journey: Journey) -> list[Any]:
    """The steps with their counts: waiting at the step, e-mails sent, opened (3 queries)."""
    steps: list[Any] = list(JourneyStep.objects.filter(journey=journey).select_related("template", "send"))
    waiting = dict(JourneyEnrollment.objects.filter(journey=journey, finished_at__isnull=True)
                   .values_list("position").annotate(n=Count("pk")))
    sends = {row["send_id"]: row for row in Recipient.objects.filter(send__step__journey=journey)
             .values("send_id").annotate(sent=Count("pk", filter=Q(sent_at__isnull=False)),
                                         opened=Count("pk", filter=Q(opened_at__isnull=False)))}
    for step in steps:
        step.waiting = waiting.get(step.position, 0)
        row: Any = sends.get(step.send_id) or {}
        step.sent, step.opened = row.get("sent", 0), row.get("opened", 0)
    return steps


def journey_totals(journey: Journey) -> dict[str, int]:
    return JourneyEnrollment.objects.filter(journey=journey).aggregate(
        entered=Count("pk"), finished=Count("pk", filter=Q(finished_at__isnull=False)))
