"""Writes of customer service: tickets and their lines, service levels, escalation,
knowledge base, surveys and after-sales care. Keyword-only, take ``actor`` (None for
the public and the system: web forms, inbound mail, scheduled jobs)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from smtplib import SMTPException
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import picklists, transitions
from guanxi.core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from guanxi.core.notifications import notify
from guanxi.core.numbering import next_number
from guanxi.core.permissions import ensure
from guanxi.core.services import service, validated_save
from guanxi.core.transitions import InvalidTransition
from guanxi.org.models import Branch, Department, Tier, User
from guanxi.org.scopes import ensure_in_scope
from guanxi.workplace.models import Schedule

from .clock import Hours
from .knowledge import search_text
from .mail import send_reply
from .models import (
    OPEN_STATUSES,
    Article,
    EntryKind,
    ServiceLevel,
    ServiceSettings,
    Survey,
    Ticket,
    TicketChannel,
    TicketEntry,
    TicketStatus,
    TicketTask,
)

if TYPE_CHECKING:
    from guanxi.core.models import PickItem
    from guanxi.customers.models import Customer
    from guanxi.sales.models import Order, Product, Shipment


HIGHEST_SEVERITY = "critical"
COMPLAINT = "complaint"


def _site_url(path: str) -> str:
    from django.conf import settings

    return f"{getattr(settings, 'GUANXI_SITE_URL', '').rstrip('/')}{path}"


# --- service levels ------------------------------------------------------------------------
def level_for(ticket_type: PickItem | None, severity: PickItem | None) -> ServiceLevel | None:
    """The service level of a type and severity: the type's own, else the severity's default."""
    levels = ServiceLevel.objects.filter(severity=severity)
    return levels.filter(ticket_type=ticket_type).first() or levels.filter(ticket_type__isnull=True).first()


def _set_deadlines(ticket: Ticket, start: datetime.date | None = None) -> None:
    level = level_for(ticket.ticket_type, ticket.severity)
    if level is None:
        ticket.respond_by = ticket.resolve_by = None
        return
    hours = Hours.from_settings()
    start = start or ticket.created_at or timezone.now()
    ticket.respond_by = hours.add(start, level.response_hours)
    ticket.resolve_by = hours.add(start, level.resolution_hours)


def _service_department(branch_id: int) -> Department | None:
    return Department.objects.filter(branch_id=branch_id, kind="service").order_by("path").first()


# --- tickets (SRV-1, SRV-2) ------------------------------------------------------------------
class ReplyNotSent(DomainError):
    status = 502
    code = "mail_not_sent"


def contact_email_valid(address: str) -> bool:
    """Whether ``address`` is one e-mail address (no line breaks that would become headers)."""
    try:
        validate_email(address)
    except ValidationError:
        return False
    return len(address) <= 254


def _clean_contact_email(address: str) -> str:
    address = (address or "").strip()
    if address and not contact_email_valid(address):
        raise ValidationFailed(_("Enter one valid e-mail address."), field="contact_email")
    return address


def _new_ticket(*, subject: str, description: str, ticket_type: PickItem | None, severity: PickItem | None, branch_id: int, channel: str, actor: User | None = None, customer: Customer | None = None,
                assignee: User | None = None, department: Department | None = None, contact_name: str = "", contact_email: str = "", contact_phone: str = "", product: Product | None = None,
                order: Order | None = None) -> Ticket:
    subject = " ".join((subject or "").split())[:200]
    if not subject:
        raise ValidationFailed(_("Give the ticket a subject."), field="subject")
    if ticket_type is None:
        raise ValidationFailed(_("Choose the type."), field="ticket_type")
    if severity is None:
        raise ValidationFailed(_("Choose the severity."), field="severity")
    ticket = Ticket(number=next_number("service.ticket"), subject=subject, description=(description or "")[:20000],
                    ticket_type=ticket_type, severity=severity, channel=channel, customer=customer,
                    assignee=assignee, department=department or _service_department(branch_id), branch_id=branch_id,
                    contact_name=(contact_name or "")[:100], contact_email=_clean_contact_email(contact_email),
                    contact_phone=(contact_phone or "")[:30], product=product, order=order, created_by=actor,
                    created_at=timezone.now())
    _set_deadlines(ticket)
    validated_save(ticket)
    transaction.on_commit(lambda: _after_create(ticket.pk))
    _alert_on_create(ticket)
    if assignee is not None:
        _tell_assignee(ticket, actor)
    return ticket


def _after_create(ticket_id: int) -> None:
    from .tasks import start_flows  # cycle: the tasks import these services

    start_flows.delay(ticket_id)


def _alert_on_create(ticket: Ticket) -> None:
    """ANA-8: a complaint of the highest severity reaches the department heads and the
    decision tier at once."""
    if ticket.ticket_type.code != COMPLAINT or ticket.severity.code != HIGHEST_SEVERITY:
        return

    heads = set(Department.objects.filter(manager__isnull=False, manager__is_active=True)
                .values_list("manager_id", flat=True))
    people = User.objects.filter(is_active=True).filter(
        pk__in=heads | set(User.objects.filter(tier=Tier.DECISION, is_active=True).values_list("pk", flat=True)))
    for user in people:
        notify(user, kind="service.critical_complaint", email=True, url=ticket.get_absolute_url(),
               title=_("Critical complaint %(number)s: %(subject)s") % {"number": ticket.number,
                                                                       "subject": ticket.subject},
               body=ticket.description[:500], dedupe_key=f"critical:{ticket.pk}")


def _tell_assignee(ticket: Ticket, actor: User | None) -> None:
    if ticket.assignee_id and (actor is None or ticket.assignee_id != actor.pk):
        notify(ticket.assignee, kind="service.assigned", url=ticket.get_absolute_url(),
               title=_("Ticket %(number)s for you: %(subject)s") % {"number": ticket.number, "subject": ticket.subject},
               dedupe_key=f"assigned:{ticket.pk}:{ticket.assignee_id}:{ticket.escalation_level}")


@service
def ticket_create(*, actor: User, subject: str, ticket_type: PickItem | None, severity: PickItem | None, description: str = "", customer: Customer | None = None, assignee: User | None = None,
                  department: Department | None = None, contact_name: str = "", contact_email: str = "", contact_phone: str = "", product: Product | None = None, order: Order | None = None) -> Any:
    ensure(actor, "service.create")
    if customer is not None:
        ensure_in_scope(actor, customer)
    if order is not None:
        ensure_in_scope(actor, order)
    branch_id = (customer.branch_id if customer else None) or actor.branch_id
    if branch_id is None:
        raise ValidationFailed(_("You belong to no branch; ask an administrator."))
    return _new_ticket(subject=subject, description=description, ticket_type=ticket_type, severity=severity,
                       branch_id=branch_id, channel=TicketChannel.MANUAL, actor=actor, customer=customer,
                       assignee=assignee or actor, department=department, contact_name=contact_name,
                       contact_email=contact_email or (customer.email if customer else ""),
                       contact_phone=contact_phone, product=product, order=order)


def _locked(actor: User, ticket: Ticket) -> Ticket:
    ensure(actor, "service.edit")
    ensure_in_scope(actor, ticket)
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _entry(ticket: Ticket, kind: str, body: str, author: User | None = None, **extra: Any) -> TicketEntry:
    return TicketEntry.objects.create(ticket=ticket, kind=kind, body=body[:50000], author=author, **extra)


@service
def ticket_assign(*, actor: User, ticket: Ticket, assignee: User | None = None, department: Department | None = None) -> Ticket:
    ticket = _locked(actor, ticket)
    if assignee is not None and not assignee.is_active:
        raise ValidationFailed(_("Choose an active employee."), field="assignee")
    ticket.assignee, ticket.department = assignee, department or ticket.department
    ticket.save(update_fields=["assignee", "department", "updated_at"])
    _entry(ticket, EntryKind.STATUS, _("Assigned to %(who)s") % {"who": assignee or ticket.department}, actor)
    _tell_assignee(ticket, actor)
    return ticket


TRANSITIONS = {
    TicketStatus.NEW: {TicketStatus.OPEN, TicketStatus.WAITING, TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.OPEN: {TicketStatus.WAITING, TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.WAITING: {TicketStatus.OPEN, TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.RESOLVED: {TicketStatus.OPEN, TicketStatus.CLOSED},
    TicketStatus.CLOSED: {TicketStatus.OPEN},
}


def _move(ticket: Ticket, status: str, actor: User, note: str = "") -> Ticket:
    """The guarded state change (core.transitions): allowed moves only, a history row, the times kept."""
    if status == ticket.status:
        return ticket
    if not transitions.allowed(ticket, status):
        raise InvalidTransition(_("A ticket that is “%(now)s” cannot become “%(then)s”.") % {
            "now": ticket.get_status_display(), "then": TicketStatus(status).label})
    now = timezone.now()
    previous = ticket.status
    times = {"responded_at": ticket.responded_at, "resolved_at": ticket.resolved_at, "closed_at": ticket.closed_at}
    if status in (TicketStatus.OPEN, TicketStatus.WAITING) and ticket.responded_at is None:
        times["responded_at"] = now
    if status == TicketStatus.RESOLVED:
        times["resolved_at"] = now
    if status == TicketStatus.CLOSED:
        times["closed_at"] = now
        times["resolved_at"] = ticket.resolved_at or now
    if status == TicketStatus.OPEN and previous in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        times["resolved_at"] = times["closed_at"] = None
    ticket = transitions.transition(ticket, status, actor, note, changes=times)
    _entry(ticket, EntryKind.STATUS, f"{TicketStatus(previous).label} → {TicketStatus(status).label}"
           + (f": {note}" if note else ""), actor)
    if status == TicketStatus.CLOSED and ServiceSettings.current().survey_after_close:
        survey_send(ticket)
    return ticket


@service
def ticket_set_status(*, actor: User, ticket: Ticket, status: str, note: str = "") -> Any:
    if status not in TicketStatus.values:
        raise ValidationFailed(_("Unknown status."), field="status")
    ticket = _locked(actor, ticket)
    return _move(ticket, status, actor, (note or "").strip()[:500])


@service
def ticket_note(*, actor: User, ticket: Ticket, body: str) -> Any:
    ticket = _locked(actor, ticket)
    if not (body or "").strip():
        raise ValidationFailed(_("Write something."), field="body")
    return _entry(ticket, EntryKind.NOTE, body.strip(), actor)


@service
def ticket_reply(*, actor: User, ticket: Ticket, body: str) -> Any:
    """Answer the customer by e-mail (threaded: the ticket number is in the subject and
    the message ids); counts as the first response."""

    ticket = _locked(actor, ticket)
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write the reply."), field="body")
    if not ticket.contact_email:
        raise ValidationFailed(_("This ticket has no e-mail address to answer."), field="body")
    if not contact_email_valid(ticket.contact_email):
        raise ValidationFailed(_("The ticket's e-mail address is not one valid address; nothing was sent."),
                               field="body")
    entry = _entry(ticket, EntryKind.REPLY, body, actor)
    if ticket.status == TicketStatus.NEW:
        _move(ticket, TicketStatus.OPEN, actor)
    elif ticket.responded_at is None:
        ticket.responded_at = timezone.now()
        ticket.save(update_fields=["responded_at", "updated_at"])
    try:  # inside the transaction: a reply that cannot be sent is not recorded either
        send_reply(ticket.pk, entry.pk)
    except (BadHeaderError, SMTPException, OSError) as exc:
        raise ReplyNotSent(_("The reply could not be sent (%(error)s); nothing was saved.") % {"error": exc}) \
            from exc
    return entry


@service
def ticket_task_add(*, actor: User, ticket: Ticket, title: str, assignee: User | None = None, due_at: datetime.datetime | None = None) -> TicketTask:
    ticket = _locked(actor, ticket)
    if not (title or "").strip():
        raise ValidationFailed(_("Name the task."), field="title")
    task = TicketTask.objects.create(ticket=ticket, title=title.strip()[:200], assignee=assignee, due_at=due_at)
    if assignee is not None:
        notify(assignee, kind="service.task", url=ticket.get_absolute_url(),
               title=_("Task on %(number)s: %(task)s") % {"number": ticket.number, "task": task.title})
    return task


@service
def ticket_task_done(*, actor: User, task: Any) -> Any:
    _locked(actor, task.ticket)
    TicketTask.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=timezone.now())
    return task


@service
def ticket_mark_quality(*, actor: User, ticket: Ticket, product: Product | None = None, is_quality_issue: bool = True) -> Ticket:
    """SRV-8: a product's quality issue, counted per product."""
    ticket = _locked(actor, ticket)
    ticket.is_quality_issue, ticket.product = is_quality_issue, product or ticket.product
    if is_quality_issue and ticket.product is None:
        raise ValidationFailed(_("Say which product."), field="product")
    ticket.save(update_fields=["is_quality_issue", "product", "updated_at"])
    return ticket


# --- escalation (SRV-4, ANA-8) -------------------------------------------------------------
def escalate(ticket: Ticket, reason: str = "") -> list[Any]:
    """Raise a ticket one level: first to the assignee's manager, then the branch head,
    in-app and by e-mail. Returns the people told (empty when there is no one above)."""

    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    level = ticket.escalation_level + 1
    if level == 1:
        person = ticket.assignee.manager if ticket.assignee and ticket.assignee.manager_id else None
        if person is None and ticket.department_id:
            person = ticket.department.manager  # type: ignore[union-attr]
    else:
        branch = Branch.objects.filter(pk=ticket.branch_id).select_related("head").first()
        person = branch.head if branch else None
    if person is None or not person.is_active or level > 2:
        return []
    ticket.escalation_level = level
    ticket.save(update_fields=["escalation_level", "updated_at"])
    _entry(ticket, EntryKind.SYSTEM, _("Escalated to %(who)s (level %(level)d)%(why)s") % {
        "who": person.display_name, "level": level, "why": f": {reason}" if reason else ""})
    notify(person, kind="service.escalation", email=True, url=ticket.get_absolute_url(),
           title=_("Escalated: %(number)s %(subject)s") % {"number": ticket.number, "subject": ticket.subject},
           body=reason, dedupe_key=f"escalation:{ticket.pk}:{level}")
    return [person]


def escalate_overdue(now: datetime.datetime | None = None) -> int:
    """The scheduled check: open tickets past their resolution target go one level up,
    past the target + half the time again another level. Idempotent per level."""
    now = now or timezone.now()
    told = 0
    due = Ticket.objects.filter(status__in=OPEN_STATUSES, resolve_by__lt=now, escalation_level__lt=2)
    for ticket in due.select_related("assignee__manager", "department__manager").iterator(chunk_size=200):
        with transaction.atomic():
            level_due = 1
            if ticket.resolve_by and ticket.created_at:
                second = ticket.resolve_by + (ticket.resolve_by - ticket.created_at) / 2
                level_due = 2 if now >= second else 1
            while ticket.escalation_level < level_due:
                people = escalate(ticket, _("past its resolution target"))
                ticket.refresh_from_db(fields=["escalation_level"])
                if not people:
                    break
                told += len(people)
    return told


# --- knowledge base (SRV-5) ----------------------------------------------------------------
@service
def article_save(*, actor: User, title: str, body: str, category: str | None = None, is_published: bool = True, article: Article | None = None, tickets: Iterable[Ticket] = ()) -> Article:
    ensure(actor, "service.edit")
    title, body = (title or "").strip()[:200], (body or "").strip()
    if not title or not body:
        raise ValidationFailed(_("An article needs a title and a solution."), field="title")
    article = article or Article(author=actor)
    article.title, article.body, article.category, article.is_published = title, body[:50000], category, is_published
    article.search_text = search_text(f"{title}\n{body}")
    validated_save(article)
    for ticket in tickets:
        ensure_in_scope(actor, ticket)
        article.tickets.add(ticket)
    return article


# --- surveys (SRV-6) ----------------------------------------------------------------------
def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_send(ticket: Ticket) -> str | None:
    """Make the survey of a closed ticket and e-mail its link (once per ticket)."""
    from django.core.mail import send_mail

    token = secrets.token_urlsafe(24)
    try:
        with transaction.atomic():
            Survey.objects.create(ticket=ticket, token_hash=_hash(token), agent=ticket.assignee,
                                  department=ticket.department, branch_id=ticket.branch_id)
    except IntegrityError:
        return None  # a survey was made before (a reopened and closed again ticket)
    link = _site_url(reverse("service:survey", args=[token]))
    if ticket.contact_email:
        subject = _("How did we do? %(number)s") % {"number": ticket.number}
        body = _("Please tell us how we handled “%(subject)s”: %(link)s") % {"subject": ticket.subject, "link": link}
        transaction.on_commit(lambda: send_mail(subject, body, None, [ticket.contact_email], fail_silently=True))
    return token


def survey_for_token(token: str) -> Survey | None:
    return Survey.objects.select_related("ticket").filter(token_hash=_hash(token or "")).first()


def survey_answer(*, token: str, rating: int, comment: str = "") -> Survey:
    """The public answer: once per token, a rating 1–5 and an optional comment."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationFailed(_("Choose from one to five stars."), field="rating")
    with transaction.atomic():
        survey = Survey.objects.select_for_update().filter(token_hash=_hash(token or "")).first()
        if survey is None:
            raise Forbidden(_("This link is not valid."))
        if survey.answered_at is not None:
            raise Conflict(_("This survey was answered already. Thank you!"))
        survey.rating, survey.comment = rating, (comment or "").strip()[:2000]
        survey.answered_at = timezone.now()
        survey.save(update_fields=["rating", "comment", "answered_at"])
    return survey


# --- after-sales care (SRV-8) --------------------------------------------------------------
def care_follow_up(shipment: Shipment, actor: User) -> Schedule | None:
    """After a delivery: a follow-up call task for the order's salesperson, N days later."""

    days = ServiceSettings.current().care_follow_up_days
    if not days:
        return None
    order = shipment.order
    start = timezone.make_aware(datetime.datetime.combine(
        shipment.ship_date + datetime.timedelta(days=days), datetime.time(10)))
    title = _("After-sales follow-up: %(customer)s (%(order)s)") % {"customer": order.customer.name,
                                                                  "order": order.number}
    if Schedule.objects.filter(owner=order.owner, title=title).exists():
        return None
    return Schedule.objects.create(owner=order.owner, branch_id=order.branch_id, title=title[:200], starts_at=start,
                                   ends_at=start + datetime.timedelta(minutes=30), customer=order.customer,
                                   remind_minutes_before=60, remind_at=start - datetime.timedelta(minutes=60))


def pick(list_key: str, code: str) -> Any:
    return picklists.items(list_key).filter(code=code).first()
