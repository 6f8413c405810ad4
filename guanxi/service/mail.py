"""Mail to customers (SRV-7): replies and flow e-mails go out by SMTP, threaded so the
customer's answer finds its ticket again (the ticket number in the subject, our
Message-ID in In-Reply-To/References)."""

import uuid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from .models import EntryKind, Ticket, TicketEntry


def thread_subject(ticket, subject):
    tag = f"[{ticket.number}]"
    return subject if tag in subject else f"{tag} {subject}"


def message_id(ticket):
    domain = getattr(settings, "GUANXI_MAIL_DOMAIN", "guanxi.local")
    return f"<ticket-{ticket.mail_thread}-{uuid.uuid4().hex[:12]}@{domain}>"


def _send(ticket, subject, body):
    msgid = message_id(ticket)
    email = EmailMessage(thread_subject(ticket, subject), body, getattr(settings, "GUANXI_SUPPORT_EMAIL", None),
                         [ticket.contact_email], headers={"Message-ID": msgid,
                                                          "References": f"<ticket-{ticket.mail_thread}@guanxi>"})
    email.send()
    return msgid


def send_reply(ticket_id, entry_id):
    """After the commit: e-mail a staff reply to the customer and remember its id."""
    ticket = Ticket.objects.get(pk=ticket_id)
    entry = TicketEntry.objects.get(pk=entry_id)
    msgid = _send(ticket, ticket.subject, entry.body)
    TicketEntry.objects.filter(pk=entry.pk).update(message_id=msgid)


def send_to_customer(ticket, subject, body):
    """A flow's e-mail (the apology letter): on the ticket's history, sent after the commit."""
    entry = TicketEntry.objects.create(ticket=ticket, kind=EntryKind.REPLY, body=f"{subject}\n\n{body}")

    def send():
        msgid = _send(ticket, subject, body)
        TicketEntry.objects.filter(pk=entry.pk).update(message_id=msgid)

    transaction.on_commit(send)
    return entry
