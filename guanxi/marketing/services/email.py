"""Writes of e-mail campaigns (MKT-4): templates, send jobs, delivery in batches,
suppression (unsubscribes, hard bounces), opens and clicks.

Delivery is at most once per address: a batch is claimed with one
``UPDATE … SET state='sending', claim=… WHERE state='pending'`` and every message is marked
sent right after it left, in recipient order. A worker that dies leaves its claim behind;
the next batch (once the lease has passed) marks the first still-``sending`` row of that
claim failed — it was in flight and may have arrived — and gives the rest back to
``pending``. So nobody is written to twice, and nobody is skipped but that one.
"""

from __future__ import annotations

import contextlib
import datetime
import email
import imaplib
import time
import uuid
from dataclasses import dataclass, field
from email import policy
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.permissions import ensure
from guanxi.core.services import service, validated_save
from guanxi.customers.models import Contact, Customer
from guanxi.customers.normalize import normalize_email
from guanxi.org.models import User
from guanxi.service import inbound

from .. import mailing, tasks
from ..membership import segment_customers
from ..models import (
    Campaign,
    Channel,
    EmailSend,
    EmailTemplate,
    Journey,
    JourneyEnrollment,
    JourneyStep,
    Recipient,
    RecipientState,
    Segment,
    SendStatus,
    StepKind,
    Suppression,
    SuppressionReason,
    TouchSource,
)
from .campaigns import touch_record

TEMPLATE_FIELDS = ("name", "subject", "html_body", "text_body")


# --- templates ---------------------------------------------------------------------------

def _checked(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "html_body" in data:
        data["html_body"] = mailing.sanitize_html(data["html_body"])
    for name in ("subject", "html_body", "text_body"):
        if name in data:
            try:
                mailing.check_placeholders(data[name])
            except mailing.TemplateError as exc:
                raise ValidationFailed(str(exc), field=name) from exc
    return data


@service
def email_template_create(*, actor: User, name: str, subject: str, text_body: str,
                          html_body: str = "") -> EmailTemplate:
    """Save a template; its HTML is sanitized and its placeholders checked first."""
    ensure(actor, "marketing.create")
    data = _checked({"name": name, "subject": subject, "html_body": html_body, "text_body": text_body})
    return validated_save(EmailTemplate(owner=actor, branch=actor.branch, **data))


@service
def email_template_update(*, actor: User, template: EmailTemplate, **data: Any) -> EmailTemplate:
    ensure(actor, "marketing.edit")
    unknown = set(data) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValidationFailed(errors=[{"field": f, "message": _("This field cannot be changed here.")}
                                       for f in sorted(unknown)])
    for name, value in _checked(data).items():
        setattr(template, name, value)
    return validated_save(template)


# --- send jobs ---------------------------------------------------------------------------

@service
def email_send_create(*, actor: User, name: str, template: EmailTemplate, segment: Segment | None,
                      campaign: Campaign | None = None, channel: str = Channel.EMAIL,
                      scheduled_at: datetime.datetime | None = None) -> EmailSend:
    """A draft send of ``template`` to ``segment`` (scheduled when ``scheduled_at`` is given)."""
    ensure(actor, "marketing.create")
    if segment is None:
        raise ValidationFailed(_("Choose the segment to send to."), field="segment")
    send = validated_save(EmailSend(name=name, template=template, segment=segment, campaign=campaign,
                                    channel=channel, owner=actor, branch=actor.branch))
    if scheduled_at is not None:
        _schedule(send, scheduled_at)
    return send


def _schedule(send: EmailSend, at: datetime.datetime) -> None:
    if send.status not in (SendStatus.DRAFT, SendStatus.SCHEDULED):
        raise Conflict(_("Only a draft or scheduled send can be scheduled."))
    send.status, send.scheduled_at = SendStatus.SCHEDULED, at
    send.save(update_fields=["status", "scheduled_at", "updated_at"])
    # The beat task starts due sends anyway; the ETA only makes it punctual.
    transaction.on_commit(lambda: tasks.start_send.apply_async((send.pk,), eta=at))


@service
def email_send_schedule(*, actor: User, send: EmailSend, at: datetime.datetime | None = None) -> EmailSend:
    """Schedule ``send`` for ``at`` (now when None)."""
    ensure(actor, "marketing.send")
    _schedule(send, at or timezone.now())
    return send


def _set_status(send: EmailSend, new: str, allowed: tuple[str, ...], message: str) -> EmailSend:
    changed = EmailSend.objects.filter(pk=send.pk, status__in=allowed).update(status=new, updated_at=timezone.now())
    if not changed:
        raise Conflict(message)
    send.refresh_from_db()
    return send


@service
def email_send_pause(*, actor: User, send: EmailSend) -> EmailSend:
    ensure(actor, "marketing.send")
    return _set_status(send, SendStatus.PAUSED, (SendStatus.SENDING, SendStatus.SCHEDULED),
                       _("Only a send in progress can be paused."))


@service
def email_send_resume(*, actor: User, send: EmailSend) -> EmailSend:
    ensure(actor, "marketing.send")
    _set_status(send, SendStatus.SENDING, (SendStatus.PAUSED,), _("Only a paused send can be resumed."))
    transaction.on_commit(lambda: tasks.deliver_send.delay(send.pk))
    return send


@service
def email_send_cancel(*, actor: User, send: EmailSend) -> EmailSend:
    """Stop ``send`` for good; addresses not yet written to stay unsent."""
    ensure(actor, "marketing.send")
    return _set_status(send, SendStatus.CANCELLED,
                       (SendStatus.DRAFT, SendStatus.SCHEDULED, SendStatus.SENDING, SendStatus.PAUSED),
                       _("This send is already over."))


def sends_due_start(now: datetime.datetime | None = None) -> list[int]:
    """Start every scheduled send that is due; return their ids (the beat task)."""
    now = now or timezone.now()
    due = list(EmailSend.objects.filter(status=SendStatus.SCHEDULED, scheduled_at__lte=now)
               .values_list("pk", flat=True))
    return [pk for pk in due if send_start(pk, now=now)]


def sends_stalled(idle_seconds: float = 120) -> list[int]:
    """Sends in progress with e-mails pending and no batch claimed for ``idle_seconds``."""
    recent = timezone.now() - datetime.timedelta(seconds=idle_seconds)
    busy = Recipient.objects.filter(state=RecipientState.SENDING, claimed_at__gte=recent).values("send_id")
    return list(EmailSend.objects.filter(status=SendStatus.SENDING, recipients__state=RecipientState.PENDING)
                .exclude(pk__in=busy).values_list("pk", flat=True).distinct())


def send_start(send_id: int, now: datetime.datetime | None = None) -> bool:
    """Move a due scheduled send to ``sending`` and resolve its recipients (once: the
    status change is a conditional UPDATE, so two workers cannot both start it)."""
    now = now or timezone.now()
    with transaction.atomic():
        started = EmailSend.objects.filter(pk=send_id, status=SendStatus.SCHEDULED, scheduled_at__lte=now) \
            .update(status=SendStatus.SENDING, started_at=now, updated_at=now)
        if not started:
            return False
        send = EmailSend.objects.select_related("template", "segment").get(pk=send_id)
        send.links = mailing.links_of(send.template.html_body)
        send.save(update_fields=["links"])
        recipients_resolve(send)
    transaction.on_commit(lambda: tasks.deliver_send.delay(send_id))
    return True


def suppressed_addresses(addresses: Any) -> set[str]:
    """The addresses among ``addresses`` that marketing must not write to."""
    return set(Suppression.objects.filter(address__in=list(addresses), lifted_at__isnull=True)
               .values_list("address", flat=True))


def _address(channel: str, raw_email: str, mobile: str, wechat: str) -> str:
    if channel == Channel.SMS:
        return mobile
    if channel == Channel.WECHAT:
        return wechat
    return raw_email


def recipients_resolve(send: EmailSend, chunk: int = 2000) -> int:
    """Add one Recipient per distinct address of the segment's customers and their
    contacts (normalized; unsubscribed and hard-bounced ones marked suppressed).
    Idempotent: an address already on the send is left as it is."""
    customers = segment_customers(send.segment) if send.segment is not None else Customer.objects.none()
    rows: dict[str, Recipient] = {}
    for contact in Contact.objects.filter(customer__in=customers.values("pk")).order_by("-is_primary", "pk") \
            .only("pk", "customer_id", "email_norm", "mobile_norm", "wechat").iterator(chunk_size=chunk):
        address = _address(send.channel, contact.email_norm, contact.mobile_norm, contact.wechat.strip())
        if address and address not in rows:
            rows[address] = Recipient(send=send, address=address, customer_id=contact.customer_id, contact=contact)
    for customer in customers.only("pk", "email_norm", "mobile_norm", "wechat").iterator(chunk_size=chunk):
        address = _address(send.channel, customer.email_norm, customer.mobile_norm, customer.wechat.strip())
        if address and address not in rows:
            rows[address] = Recipient(send=send, address=address, customer_id=customer.pk)
    blocked = suppressed_addresses(rows) if send.channel == Channel.EMAIL else set()
    for address in blocked:
        rows[address].state = RecipientState.SUPPRESSED
    Recipient.objects.bulk_create(list(rows.values()), batch_size=chunk, ignore_conflicts=True)
    return len(rows)


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    suppressed: int = 0
    recovered: int = 0
    remaining: int = 0
    finished: bool = False
    elapsed: float = 0.0
    errors: list[str] = field(default_factory=list)


def recover_interrupted(send: EmailSend, lease_seconds: float | None = None) -> int:
    """Take over the claims of workers that died (older than the lease): the first row
    still ``sending`` of each was in flight and is marked failed; the rest go back."""
    lease = settings.MARKETING_EMAIL_CLAIM_LEASE_SECONDS if lease_seconds is None else lease_seconds
    stale = Recipient.objects.filter(send=send, state=RecipientState.SENDING,
                                     claimed_at__lte=timezone.now() - datetime.timedelta(seconds=lease))
    recovered = 0
    for claim in stale.values("claim").annotate(first=Min("pk")):
        Recipient.objects.filter(pk=claim["first"], state=RecipientState.SENDING).update(
            state=RecipientState.FAILED, error=_("Interrupted while sending; not sent again to avoid a duplicate."))
        recovered += Recipient.objects.filter(send=send, claim=claim["claim"], state=RecipientState.SENDING) \
            .update(state=RecipientState.PENDING, claim="", claimed_at=None)
    return recovered


def _claim(send: EmailSend, size: int) -> list[Recipient]:
    token = uuid.uuid4().hex
    ids = list(Recipient.objects.filter(send=send, state=RecipientState.PENDING).order_by("pk")
               .values_list("pk", flat=True)[:size])
    if not ids:
        return []
    Recipient.objects.filter(pk__in=ids, state=RecipientState.PENDING).update(
        state=RecipientState.SENDING, claim=token, claimed_at=timezone.now())
    return list(Recipient.objects.filter(claim=token, state=RecipientState.SENDING)
                .select_related("customer", "contact").order_by("pk"))


def message_headers(recipient: Recipient, url: str | None = None) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe headers and our own recipient id (for bounces);
    ``url``: the unsubscribe link of the body, so header and body carry the same one."""
    url = url or unsubscribe_url(recipient.pk)
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            mailing.RECIPIENT_HEADER: str(recipient.pk)}


def unsubscribe_url(recipient_id: int) -> str:
    return mailing.absolute(reverse("marketing:email_unsubscribe",
                                    args=[mailing.recipient_token(recipient_id, mailing.UNSUBSCRIBE_SALT)]))


def render_for(send: EmailSend, recipient: Recipient, url: str | None = None) -> mailing.Rendered:
    values = mailing.values_for(customer=recipient.customer, contact=recipient.contact, owner=send.owner,
                                unsubscribe_url=url or unsubscribe_url(recipient.pk))
    return mailing.render(send.template, values, links=send.links, recipient_id=recipient.pk)


def send_deliver_batch(send_id: int, *, transport: Any = None, batch_size: int | None = None,
                       lease_seconds: float | None = None) -> BatchResult:
    """Deliver one batch of ``send``; the task calls it again until nothing is pending."""
    started = time.monotonic()
    result = BatchResult()
    send = EmailSend.objects.select_related("template", "owner").get(pk=send_id)
    if send.status != SendStatus.SENDING:
        return result
    result.recovered = recover_interrupted(send, lease_seconds)
    batch = _claim(send, batch_size or settings.MARKETING_EMAIL_BATCH_SIZE)
    if batch:
        blocked = suppressed_addresses(r.address for r in batch) if send.channel == Channel.EMAIL else set()
        with transport or mailing.transport_for(send.channel) as channel:
            for recipient in batch:
                _deliver_one(send, recipient, channel, blocked, result)
    result.remaining = Recipient.objects.filter(
        send=send, state__in=(RecipientState.PENDING, RecipientState.SENDING)).count()
    if not result.remaining and not send_is_journey_step(send):
        now = timezone.now()
        result.finished = bool(EmailSend.objects.filter(pk=send.pk, status=SendStatus.SENDING)
                               .update(status=SendStatus.FINISHED, finished_at=now, updated_at=now))
    result.elapsed = time.monotonic() - started
    return result


def send_is_journey_step(send: EmailSend) -> bool:
    return send.segment_id is None


def _deliver_one(send: EmailSend, recipient: Recipient, channel: Any, blocked: set[str],
                 result: BatchResult) -> None:
    mine = Recipient.objects.filter(pk=recipient.pk, state=RecipientState.SENDING)
    if recipient.address in blocked:
        mine.update(state=RecipientState.SUPPRESSED)
        result.suppressed += 1
        return
    try:
        url = unsubscribe_url(recipient.pk)  # signed once: a token holds the second it was made
        channel.send(address=recipient.address, rendered=render_for(send, recipient, url),
                     headers=message_headers(recipient, url))
    except mailing.Refused as exc:
        now = timezone.now()
        mine.update(state=RecipientState.BOUNCED, bounced_at=now, hard_bounce=exc.hard, error=str(exc)[:300])
        if exc.hard:
            suppress(recipient.address, SuppressionReason.HARD_BOUNCE, recipient=recipient)
        result.bounced += 1
        return
    except mailing.TransportFailed as exc:
        mine.update(state=RecipientState.FAILED, error=str(exc)[:300])
        result.failed += 1
        result.errors.append(str(exc))
        return
    mine.update(state=RecipientState.SENT, sent_at=timezone.now())
    result.sent += 1


def pause_seconds(result: BatchResult) -> float:
    """How long to wait before the next batch so the rate stays under the setting."""
    rate = max(1, settings.MARKETING_EMAIL_RATE_PER_MINUTE)
    handled = result.sent + result.failed + result.bounced
    return max(0.0, handled * 60.0 / rate - result.elapsed)


# --- suppression, unsubscribes, bounces, opens, clicks ------------------------------------

def suppress(address: str, reason: str, *, recipient: Recipient | None = None) -> Suppression:
    """Put ``address`` on the suppression list (again, when it had been lifted)."""
    address = address.strip().lower()
    row, created = Suppression.objects.get_or_create(
        address=address, defaults={"reason": reason, "created_at": timezone.now(), "recipient": recipient})
    if not created and row.lifted_at is not None:
        row.reason, row.created_at, row.recipient = reason, timezone.now(), recipient
        row.lifted_at, row.lifted_by, row.lift_reason = None, None, ""
        row.save()
    return row


def unsubscribe(recipient_id: int) -> Recipient | None:
    """The recipient's own one-click unsubscribe (no login: the signed link is the proof)."""
    recipient = Recipient.objects.filter(pk=recipient_id).first()
    if recipient is None:
        return None
    with transaction.atomic():
        Recipient.objects.filter(pk=recipient.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now())
        suppress(recipient.address, SuppressionReason.UNSUBSCRIBED, recipient=recipient)
    return recipient


@service
def suppression_add(*, actor: User, address: str) -> Suppression:
    """A user puts an address on the list by hand (a complaint by phone)."""
    ensure(actor, "marketing.send")
    try:
        normalized = normalize_email(address)
    except Exception as exc:
        raise ValidationFailed(_("Enter a valid e-mail address."), field="address") from exc
    if not normalized:
        raise ValidationFailed(_("Enter a valid e-mail address."), field="address")
    return suppress(normalized, SuppressionReason.MANUAL)


@service
def suppression_lift(*, actor: User, suppression: Suppression, reason: str) -> Suppression:
    """Re-subscribe an address at the person's request; the reason is required and kept."""
    ensure(actor, "marketing.send")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the address may be written to again."), field="reason")
    if suppression.lifted_at is not None:
        raise Conflict(_("This address is not suppressed."))
    suppression.lifted_at, suppression.lifted_by, suppression.lift_reason = timezone.now(), actor, reason[:300]
    suppression.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    return suppression


def bounce_record(*, address: str, hard: bool, diagnostic: str = "", recipient_id: int | None = None) -> int:
    """Mark the latest sent message to ``address`` bounced (the given recipient when its id
    came back with the bounce); a hard bounce suppresses the address. Returns rows marked."""
    address = address.strip().lower()
    rows: QuerySet[Recipient] = Recipient.objects.filter(address=address)
    if recipient_id is not None and rows.filter(pk=recipient_id).exists():
        rows = rows.filter(pk=recipient_id)
    else:
        latest = rows.filter(state=RecipientState.SENT).order_by("-sent_at").first()
        rows = rows.filter(pk=latest.pk) if latest else rows.none()
    with transaction.atomic():
        marked = rows.update(state=RecipientState.BOUNCED, bounced_at=timezone.now(), hard_bounce=hard,
                             error=diagnostic[:300])
        if hard:
            suppress(address, SuppressionReason.HARD_BOUNCE, recipient=rows.first())
    return marked


@dataclass
class Bounce:
    address: str
    hard: bool
    diagnostic: str
    recipient_id: int | None


def bounces_in(message: Any) -> list[Bounce]:
    """The failed recipients a DSN (multipart/report; report-type=delivery-status) reports."""
    recipient_id = None
    for part in message.walk():
        if part.get_content_type() in ("text/rfc822-headers", "message/rfc822"):
            payload: Any = part.get_payload()
            inner: Any = payload[0] if isinstance(payload, list) else email.message_from_string(
                str(payload), policy=policy.default)
            value = inner.get(mailing.RECIPIENT_HEADER, "")
            recipient_id = int(value) if str(value).strip().isdigit() else None
    found = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks: Any = part.get_payload()
        block: Any
        for block in blocks[1:] if isinstance(blocks, list) else []:
            action = str(block.get("Action", "")).strip().lower()
            if action not in ("failed", "delayed"):
                continue
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            address = recipient.split(";", 1)[-1].strip().strip("<>")
            status = str(block.get("Status", "")).strip()
            if address:
                found.append(Bounce(address=address, hard=action == "failed" and status.startswith("5"),
                                    diagnostic=f"{status} {block.get('Diagnostic-Code', '')}".strip(),
                                    recipient_id=recipient_id))
    return found


def bounces_poll(url: str | None = None) -> int:
    """Read unseen DSNs of the bounce mailbox over IMAP; record each; return how many."""
    config = inbound.mailbox_config(url or settings.MARKETING_BOUNCE_IMAP_URL)
    if config is None:
        return 0
    imap = imaplib.IMAP4_SSL(config.host, config.port, timeout=10) if config.secure else \
        imaplib.IMAP4(config.host, config.port, timeout=10)
    recorded = 0
    try:
        imap.login(config.user, config.password)
        imap.select('"' + config.mailbox.replace('"', '\\"') + '"')
        typ, data = imap.uid("SEARCH", "UNSEEN")
        for uid in (data[0] or b"").decode().split()[:500]:
            typ, fetched = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched or [] if isinstance(item, tuple)), None)
            if raw is None:
                continue
            for bounce in bounces_in(email.message_from_bytes(raw, policy=policy.default)):
                recorded += bounce_record(address=bounce.address, hard=bounce.hard, diagnostic=bounce.diagnostic,
                                          recipient_id=bounce.recipient_id)
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            imap.logout()
    return recorded


def open_record(recipient_id: int) -> None:
    """The open pixel was loaded (the first time counts)."""
    Recipient.objects.filter(pk=recipient_id, opened_at__isnull=True).update(opened_at=timezone.now())


def click_record(recipient_id: int, index: int) -> str | None:
    """Record a click and return the link it leads to, or None for a link the message did
    not contain (no open redirect)."""
    recipient = Recipient.objects.filter(pk=recipient_id).select_related("send__campaign", "customer").first()
    if recipient is None or not 0 <= index < len(recipient.send.links):
        return None
    now = timezone.now()
    Recipient.objects.filter(pk=recipient_id, clicked_at__isnull=True).update(clicked_at=now)
    Recipient.objects.filter(pk=recipient_id, opened_at__isnull=True).update(opened_at=now)
    send = recipient.send
    if send.campaign is not None and recipient.customer_id:  # the click is the campaign's touch of the customer (MKT-2)
        touch_record(campaign=send.campaign, source=TouchSource.EMAIL, customer=recipient.customer, touched_at=now,
                     key=f"email-click:{send.pk}:{recipient.pk}")
    return str(send.links[index])


# --- journeys ----------------------------------------------------------------------------

@service
def journey_create(*, actor: User, name: str, segment: Segment) -> Journey:
    ensure(actor, "marketing.create")
    return validated_save(Journey(name=name, segment=segment, owner=actor, branch=actor.branch))


@service
def journey_step_add(*, actor: User, journey: Journey, kind: str, template: EmailTemplate | None = None,
                     wait_days: int = 0, condition: str = "", else_exit: bool = True) -> JourneyStep:
    """Append a step at the end of the journey."""
    ensure(actor, "marketing.edit")
    if kind == StepKind.SEND and template is None:
        raise ValidationFailed(_("Choose the template this step sends."), field="template")
    if kind == StepKind.WAIT and not wait_days:
        raise ValidationFailed(_("Say how many days to wait."), field="wait_days")
    if kind == StepKind.BRANCH and not condition:
        raise ValidationFailed(_("Choose the condition."), field="condition")
    list(Journey.objects.select_for_update().filter(pk=journey.pk).values_list("pk"))  # one append at a time
    last = JourneyStep.objects.filter(journey=journey).order_by("-position").values_list("position", flat=True) \
        .first()
    return validated_save(JourneyStep(journey=journey, position=(last or 0) + 1, kind=kind,
                                      template=template if kind == StepKind.SEND else None,
                                      wait_days=wait_days if kind == StepKind.WAIT else 0,
                                      condition=condition if kind == StepKind.BRANCH else "", else_exit=else_exit))


@service
def journey_step_remove(*, actor: User, step: JourneyStep) -> None:
    """Remove a step of a journey nobody has entered yet (positions close up)."""
    ensure(actor, "marketing.edit")
    journey = step.journey
    if JourneyEnrollment.objects.filter(journey=journey).exists():
        raise Conflict(_("Customers are on this journey: its steps can no longer change."))
    position = step.position
    step.delete()
    for later in JourneyStep.objects.filter(journey=journey, position__gt=position).order_by("position"):
        JourneyStep.objects.filter(pk=later.pk).update(position=later.position - 1)


@service
def journey_set_active(*, actor: User, journey: Journey, active: bool) -> Journey:
    ensure(actor, "marketing.send")
    if active and not JourneyStep.objects.filter(journey=journey).exists():
        raise ValidationFailed(_("Add at least one step first."))
    journey.is_active = active
    journey.save(update_fields=["is_active", "updated_at"])
    return journey
