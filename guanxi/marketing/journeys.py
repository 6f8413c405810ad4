"""Journeys (MKT-4): customers of a segment enter and walk ordered steps — send a
template, wait N days, go on only if they opened / replied / bought since entering.

``journeys_advance`` (a beat task) enrolls new segment members and moves every due entrant
on. Each move is a conditional UPDATE on the entrant's (position, due time) and each
e-mail a Recipient row unique per (step's send, address), so running it twice, or in two
workers at once, sends nobody anything twice."""

import datetime

from django.db import transaction
from django.utils import timezone

from guanxi.customers.models import Channel as InteractionChannel
from guanxi.customers.models import Contact, Customer, Interaction
from guanxi.sales.models import Order, OrderStatus

from . import mailing
from .membership import segment_customers
from .models import (
    EmailSend,
    Journey,
    JourneyCondition,
    JourneyEnrollment,
    JourneyStep,
    Recipient,
    RecipientState,
    SendStatus,
    StepKind,
)
from .services import email as email_services

MAX_STEPS_PER_RUN = 50  # a journey of branches only cannot loop forever


def step_send(step):
    """The send job a ``send`` step's e-mails go through (created once)."""
    if step.send_id is None:
        journey = step.journey
        step.send = EmailSend.objects.create(
            name=f"{journey.name} · {step.position}", template=step.template, segment=None,
            status=SendStatus.SENDING, started_at=timezone.now(), owner=journey.owner, branch=journey.branch,
            links=mailing.links_of(step.template.html_body))
        step.save(update_fields=["send"])
    return step.send


def enroll(journey, now):
    """Enter the segment's customers not yet on the journey; return how many entered."""
    known = JourneyEnrollment.objects.filter(journey=journey).values("customer_id")
    new = segment_customers(journey.segment).exclude(pk__in=known).values_list("pk", flat=True)
    rows = [JourneyEnrollment(journey=journey, customer_id=pk, entered_at=now, due_at=now) for pk in new]
    JourneyEnrollment.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def _email_of(customer_id):
    contact = Contact.objects.filter(customer_id=customer_id).exclude(email_norm="") \
        .order_by("-is_primary", "pk").first()
    if contact is not None:
        return contact.email_norm, contact
    from_customer = Customer.objects.filter(pk=customer_id).values_list("email_norm", flat=True).first()
    return from_customer or "", None


def condition_holds(enrollment, condition):
    if condition == JourneyCondition.OPENED:
        return bool(enrollment.last_recipient_id and enrollment.last_recipient.opened_at)
    if condition == JourneyCondition.REPLIED:
        return Interaction.objects.filter(customer_id=enrollment.customer_id, channel=InteractionChannel.EMAIL,
                                          occurred_at__gte=enrollment.entered_at).exists()
    if condition == JourneyCondition.BOUGHT:
        return Order.objects.filter(customer_id=enrollment.customer_id, created_at__gte=enrollment.entered_at) \
            .exclude(status__in=(OrderStatus.DRAFT, OrderStatus.CANCELLED)).exists()
    return False


def _send_step(step, enrollment):
    address, contact = _email_of(enrollment.customer_id)
    if not address:
        return None
    send = step_send(step)
    state = RecipientState.SUPPRESSED if email_services.suppressed_addresses([address]) else RecipientState.PENDING
    recipient, _created = Recipient.objects.get_or_create(
        send=send, address=address,
        defaults={"customer_id": enrollment.customer_id, "contact": contact, "state": state})
    return recipient


def advance(enrollment, steps, now):
    """Run the entrant's due steps until a wait or the end; return the sends touched."""
    position, due, last = enrollment.position, enrollment.due_at, enrollment.last_recipient
    touched = set()
    finished = None
    for _guard in range(MAX_STEPS_PER_RUN):
        step = steps.get(position)
        if step is None:
            finished = now
            break
        if step.kind == StepKind.SEND and step.template_id:
            last = _send_step(step, enrollment) or last
            if last is not None:
                touched.add(last.send_id)
            position += 1
        elif step.kind == StepKind.WAIT:
            position, due = position + 1, now + datetime.timedelta(days=step.wait_days)
            break
        elif step.kind == StepKind.BRANCH:
            enrollment.last_recipient = last
            if condition_holds(enrollment, step.condition):
                position += 1
            elif step.else_exit:
                finished = now
                break
            else:
                position += 2
        else:
            position += 1
    moved = JourneyEnrollment.objects.filter(pk=enrollment.pk, position=enrollment.position,
                                             due_at=enrollment.due_at, finished_at__isnull=True) \
        .update(position=position, due_at=due, finished_at=finished, last_recipient=last)
    return touched if moved else set()


def journey_run(journey, now=None):
    """Enroll and advance one journey; return the ids of sends with new e-mails."""
    now = now or timezone.now()
    steps = {step.position: step for step in JourneyStep.objects.filter(journey=journey).select_related("template")}
    enroll(journey, now)
    touched = set()
    due = JourneyEnrollment.objects.filter(journey=journey, finished_at__isnull=True, due_at__lte=now) \
        .select_related("last_recipient")
    for enrollment in due.iterator(chunk_size=500):
        with transaction.atomic():
            touched |= advance(enrollment, steps, now)
    return touched


def journeys_advance(now=None):
    """The beat task's work: every active journey; return the ids of the step sends that
    have new e-mails to deliver (the task queues their delivery)."""
    touched = set()
    for journey in Journey.objects.filter(is_active=True).select_related("segment", "owner"):
        touched |= journey_run(journey, now)
    return sorted(touched)
