"""Intake (SRV-7, CUS-4): tickets, leads and call logs from the outside world.

The writers here have no acting user: an e-mail, a visitor of a public form, a telephony
system. They match the customer by normalized e-mail address or phone number across the
whole company (the system path: nobody's data scope applies to a message that arrives),
and only a single, unambiguous match counts, because a matched customer's owner sees the
ticket. The matched customer's branch decides an e-mail ticket's branch; a web form's
tickets belong to the form's branch and owner.

Threading an e-mail onto a ticket: our Message-ID in In-Reply-To or References
(``<ticket-{mail_thread}-…@…>``, see ``mail.py``; the thread key is secret, so it proves
the sender got our mail) or an earlier message's id; or the ticket number in brackets
in the subject when the sender is that ticket's contact or one of its customer's. A
number alone from a stranger opens a new ticket (with a note), so guessing numbers
does not write onto other people's tickets.
"""

import os
import re
import uuid
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import picklists
from guanxi.core.notifications import notify
from guanxi.core.services import validated_save
from guanxi.customers.models import Channel, Contact, Customer, Interaction
from guanxi.customers.normalize import email_or_none, phone_or_none
from guanxi.customers.services import _touch_customer
from guanxi.org.models import Branch
from guanxi.sales.services import lead_create

from . import services
from .caller import duration
from .models import (
    CallEvent,
    EntryAttachment,
    EntryKind,
    Ticket,
    TicketChannel,
    TicketEntry,
    TicketStatus,
    WebForm,
)

THREAD_KEY = re.compile(r"^<ticket-([0-9a-f]{16})[-@]")
SUBJECT_TAG = re.compile(r"\[([^\[\]\s]{3,40})\]")
MAIL_TYPE, MAIL_SEVERITY = "consultation", "normal"
REOPEN_ON_MAIL = (TicketStatus.WAITING, TicketStatus.RESOLVED, TicketStatus.CLOSED)


def setting(name, default=None):
    """A setting, else the environment variable of the same name, else ``default``
    (read when used, never at import)."""
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name)
    return default if value in (None, "") else value


# --- matching customers (the system path) --------------------------------------------------
def _single(ids):
    ids = list(dict.fromkeys(ids))
    return ids[0] if len(ids) == 1 else None


def customer_for_email(address):
    """The one live customer using ``address`` (its own or a contact's), else None."""

    address = email_or_none(address)
    if not address:
        return None
    direct = list(Customer.objects.filter(email_norm=address).values_list("pk", flat=True)[:2])
    if not direct:
        direct = list(Contact.objects.filter(email_norm=address, customer__deleted_at__isnull=True)
                      .values_list("customer_id", flat=True)[:5])
    pk = _single(direct)
    return Customer.objects.select_related("branch").filter(pk=pk).first() if pk else None


def customer_for_number(number):
    """The one live customer with ``number`` (phone or mobile, its own or a contact's)."""

    digits = phone_or_none(number)
    if not digits:
        return None
    same = Q(phone_norm=digits) | Q(mobile_norm=digits)
    direct = list(Customer.objects.filter(same).values_list("pk", flat=True)[:2])
    if not direct:
        direct = list(Contact.objects.filter(same, customer__deleted_at__isnull=True)
                      .values_list("customer_id", flat=True)[:5])
    pk = _single(direct)
    return Customer.objects.select_related("branch").filter(pk=pk).first() if pk else None


def _belongs(ticket, address):
    """Whether ``address`` is the ticket's contact, its customer's or one of its contacts'."""

    if not address:
        return False
    if ticket.contact_email.strip().lower() == address:
        return True
    if ticket.customer_id is None:
        return False
    return (ticket.customer.email_norm == address
            or Contact.objects.filter(customer_id=ticket.customer_id, email_norm=address).exists())


def _pick(list_key, code):
    items = picklists.items(list_key)
    return items.filter(code=code).first() or items.first()


def _default_branch_id():
    code = setting("GUANXI_IMAP_BRANCH")
    branch = Branch.objects.filter(code=code).first() if code else None
    branch = branch or Branch.objects.filter(is_headquarters=True).first() or Branch.objects.order_by("pk").first()
    return branch.pk if branch else None


def _own_addresses():
    values = (setting("GUANXI_SUPPORT_EMAIL"), settings.DEFAULT_FROM_EMAIL, getattr(settings, "SERVER_EMAIL", ""))
    return {parseaddr(str(v))[1].lower() for v in values if v} - {""}


# --- e-mail --------------------------------------------------------------------------------
@dataclass
class MailOutcome:
    ticket: Ticket | None = None
    entry: TicketEntry | None = None
    created: bool = False
    duplicate: bool = False
    ignored: str = ""


def thread_of(mail):
    """The ticket an e-mail continues, or (None, number it named but may not write to)."""
    for reference in reversed(mail.references):
        match = THREAD_KEY.match(reference)
        ticket = Ticket.objects.filter(mail_thread=match.group(1)).first() if match else None
        if ticket is None:
            earlier = TicketEntry.objects.filter(message_id=reference).select_related("ticket").first()
            ticket = earlier.ticket if earlier else None
        if ticket is not None:
            return ticket, ""
    for number in SUBJECT_TAG.findall(mail.subject)[:5]:
        ticket = Ticket.objects.filter(number=number).select_related("customer").first()
        if ticket is not None:
            return (ticket, "") if _belongs(ticket, mail.from_address) else (None, number)
    return None, ""


def _system_entry(ticket, text):
    return TicketEntry.objects.create(ticket=ticket, kind=EntryKind.SYSTEM, body=text[:50000])


def _keep_attachments(entry, mail):
    for attachment in mail.attachments:
        record = EntryAttachment(entry=entry, original_name=attachment.name[:200],
                                 content_type=attachment.content_type[:60], size=attachment.size)
        # A random name: nothing of the sender's file name reaches the file system.
        record.file.save(f"{uuid.uuid4().hex}{attachment.extension}", ContentFile(attachment.data), save=False)
        record.save()
    notes = [_("“%(name)s” (%(size)s bytes) was not kept: %(reason)s.") % {
        "name": refused.name, "size": f"{refused.size:,}", "reason": refused.reason} for refused in mail.refused]
    notes += list(mail.problems)
    if notes:
        _system_entry(entry.ticket, _("From the e-mail of %(sender)s:") % {"sender": entry.from_address or "?"}
                      + "\n" + "\n".join(f"• {note}" for note in notes))


def mail_receive(mail):
    """Store one parsed e-mail: a new ticket, or an entry on the ticket it continues.
    Idempotent by Message-ID. Run inside the caller's transaction."""
    if TicketEntry.objects.filter(kind=EntryKind.INBOUND, message_id=mail.message_id).exists():
        return MailOutcome(duplicate=True)
    if mail.from_address and mail.from_address in _own_addresses():
        return MailOutcome(ignored="own address")
    ticket, stranger_number = thread_of(mail)
    created = ticket is None
    if created:
        if mail.auto_submitted:
            return MailOutcome(ignored="automatic reply")
        customer = customer_for_email(mail.from_address)
        branch_id = customer.branch_id if customer else _default_branch_id()
        ticket = services._new_ticket(
            subject=mail.subject or _("(no subject)"), description=mail.text[:20000],
            ticket_type=_pick("service.ticket_type", MAIL_TYPE), severity=_pick("service.severity", MAIL_SEVERITY),
            branch_id=branch_id, channel=TicketChannel.EMAIL, customer=customer,
            contact_name=mail.from_name,
            contact_email=mail.from_address if services.contact_email_valid(mail.from_address) else "")
    else:
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    entry = TicketEntry.objects.create(ticket=ticket, kind=EntryKind.INBOUND, body=mail.text or _("(no text)"),
                                       from_address=mail.from_address[:254], message_id=mail.message_id)
    _keep_attachments(entry, mail)
    if stranger_number:
        _system_entry(ticket, _("The subject names %(number)s, but the sender is not a contact of that ticket, "
                                "so this e-mail opened a new ticket.") % {"number": stranger_number})
    if not created:
        if ticket.status in REOPEN_ON_MAIL and not mail.auto_submitted:
            services._move(ticket, TicketStatus.OPEN, None, _("the customer wrote again"))
        if ticket.assignee_id and ticket.assignee.is_active:
            notify(ticket.assignee, kind="service.inbound", url=ticket.get_absolute_url(),
                   title=_("New message on %(number)s: %(subject)s") % {"number": ticket.number,
                                                                         "subject": ticket.subject},
                   dedupe_key=f"inbound:{entry.pk}")
    return MailOutcome(ticket=ticket, entry=entry, created=created)


# --- public web forms ----------------------------------------------------------------------
def webform_submit(*, form, data):
    """A visitor's entry on a public form: a ticket of the form's type and severity for its
    branch and owner, or a sales lead of the owner (their branch). ``data`` is cleaned."""
    with transaction.atomic():
        if form.kind == WebForm.Kind.LEAD:
            return _lead(form, data)
        customer = customer_for_email(data.get("email", ""))
        return services._new_ticket(
            subject=data["subject"], description=data.get("message", ""), ticket_type=form.ticket_type,
            severity=form.severity, branch_id=form.branch_id, channel=TicketChannel.WEB, customer=customer,
            assignee=form.owner if form.owner.is_active else None, contact_name=data.get("name", ""),
            contact_email=data.get("email", ""), contact_phone=data.get("phone", ""))


def _lead(form, data):
    """Through the sales service, acting as the form's owner (checked to hold
    sales.create when the form is saved; refused here if that changed since)."""

    notes = "\n\n".join(part for part in (data.get("message", ""), _("From the web form “%(form)s”.") % {
        "form": form.name}) if part)
    return lead_create(actor=form.owner, company=data["company"], owner=form.owner, name=data.get("name", ""),
                       title=data.get("title", ""), mobile=data.get("phone", ""), email=data.get("email", ""),
                       source=_pick("customers.source", "website"), notes=notes[:4000])


# --- telephony -----------------------------------------------------------------------------
def call_record(*, actor, call_id, number, direction, duration_seconds=0, recording_url="", agent=None,
                occurred_at=None):
    """Log a call the telephony system reports: once per ``call_id`` (a repeat returns
    the first record). Returns (call, created). The caller checked service.create."""
    existing = CallEvent.objects.filter(call_id=call_id).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    occurred_at = min(occurred_at or now, now)
    customer = customer_for_number(number)
    try:
        with transaction.atomic():
            call = CallEvent.objects.create(call_id=call_id, number=number, direction=direction,
                                            duration_seconds=duration_seconds, recording_url=recording_url,
                                            agent=agent, customer=customer, created_at=occurred_at)
            if customer is not None:
                call.interaction = _log_interaction(call, agent or actor)
                call.save(update_fields=["interaction"])
            if agent is not None:
                who = customer.name if customer else number
                notify(agent, kind="service.call", url=reverse("service:call_detail", args=[call.pk]),
                       title=(_("Call from %(who)s") if direction == CallEvent.Direction.INBOUND
                              else _("Call to %(who)s")) % {"who": who}, dedupe_key=f"call:{call.pk}")
    except IntegrityError:  # the same call reported twice at once: the first one wins
        return CallEvent.objects.get(call_id=call_id), False
    return call, True


def _log_interaction(call, author):
    """The call on the customer's timeline (customers' Interaction, channel phone). A
    system write: the agent who took the call need not be the customer's owner."""

    if call.direction == CallEvent.Direction.INBOUND:
        summary = _("Inbound call from %(number)s, %(duration)s") % {"number": call.number,
                                                                   "duration": duration(call.duration_seconds)}
    else:
        summary = _("Outbound call to %(number)s, %(duration)s") % {"number": call.number,
                                                                  "duration": duration(call.duration_seconds)}
    if call.recording_url:
        summary += "\n" + _("Recording: %(url)s") % {"url": call.recording_url}
    interaction = Interaction(customer=call.customer, channel=Channel.PHONE, occurred_at=call.created_at,
                              summary=summary[:2000], author=author, author_department_id=author.department_id)
    validated_save(interaction)
    _touch_customer(call.customer_id)
    return interaction
