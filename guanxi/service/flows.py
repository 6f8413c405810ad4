"""Handling flows (SRV-3): a small, tested interpreter of the steps an administrator
lays out in the flow editor.

Why not a BPMN engine (SpiffWorkflow)? The flows here are sequences of a few step
kinds with waits; a BPMN engine would bring a second data model, a modeller bundle and
serialized workflow state to migrate, to run what fifty lines do. A flow is a list of
steps in JSON, frozen in a ``FlowVersion``; a ``FlowRun`` says where a ticket is in the
version it started with; ``StepLog`` is its history. Publishing a version changes what
new tickets get at once (no restart: the flow is data); running tickets keep theirs.

Steps (``type`` and its settings):
- ``notify``: ``target`` assignee | manager | branch_head | department | person | role,
  ``id`` for person/role/department, ``message``;
- ``email``: ``template`` (a MailTemplate code): e-mail the customer (the apology letter);
- ``task``: ``title``, ``assignee`` (assignee | manager | person) , ``due_hours``;
- ``wait``: ``hours`` of business time, or ``until`` responded | resolved | closed,
  with an optional ``hours`` after which it gives up waiting;
- ``escalate``: one level up (manager, then branch head);
- ``set``: ``field`` severity | status | department | assignee, ``value`` (a code or id);
- ``webhook``: ``url``: POST the ticket as JSON through the SSRF-safe client.
A step that fails is retried (after 1, 5, 15 minutes); after three failures the run is
marked failed and the failure shows on the ticket. A step that breaks in a way nobody
foresaw (a bug, bad data of an old version) fails its run at once, also shown on the
ticket; the job that resumes runs goes on with the others. A ``set`` step's field and
value are checked when the flow is published.
"""

import datetime
import logging
import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import picklists
from guanxi.core.errors import ValidationFailed
from guanxi.core.notifications import notify
from guanxi.core.outbound import OutboundRefused, post_json
from guanxi.core.picklists import items as picklist_items
from guanxi.core.printing import render_sandboxed
from guanxi.org.models import Branch, Department, User
from guanxi.org.services import company_get

from .clock import Hours
from .mail import send_to_customer
from .models import (
    EntryKind,
    Flow,
    FlowRun,
    FlowVersion,
    MailTemplate,
    RunStatus,
    StepLog,
    Ticket,
    TicketEntry,
    TicketStatus,
    TicketTask,
)
from .services import _move, escalate

logger = logging.getLogger("guanxi.service.flows")

STEP_TYPES = ("notify", "email", "task", "wait", "escalate", "set", "webhook")
TARGETS = ("assignee", "manager", "branch_head", "department", "person", "role")
UNTIL = ("responded", "resolved", "closed")
SET_FIELDS = ("severity", "status", "department", "assignee")
RETRY_MINUTES = (1, 5, 15)
MAX_STEPS = 50


class StepFailed(Exception):
    pass


# --- checking a flow -----------------------------------------------------------------------
def _hours(value, field, errors, required=True):
    if value in (None, "") and not required:
        return None
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        hours = Decimal("-1")
    if not Decimal("0") <= hours <= Decimal("10000"):
        errors.append({"field": field, "message": _("Give hours from 0 to 10,000.")})
        return None
    return str(hours)


def clean_steps(steps):
    """Validate the editor's steps; return them normalized or raise ValidationFailed."""
    if not isinstance(steps, list) or not steps:
        raise ValidationFailed(_("A flow needs at least one step."), field="steps")
    if len(steps) > MAX_STEPS:
        raise ValidationFailed(_("At most %(n)d steps.") % {"n": MAX_STEPS}, field="steps")
    errors, cleaned = [], []
    for index, raw in enumerate(steps, start=1):
        field = f"steps.{index}"
        if not isinstance(raw, dict) or raw.get("type") not in STEP_TYPES:
            errors.append({"field": field, "message": _("Unknown kind of step.")})
            continue
        kind = raw["type"]
        step = {"type": kind}
        if kind == "notify":
            step["target"] = raw.get("target") if raw.get("target") in TARGETS else None
            if step["target"] is None:
                errors.append({"field": f"{field}.target", "message": _("Say whom to notify.")})
            if step["target"] in ("department", "person", "role"):
                step["id"] = raw.get("id")
                if not str(raw.get("id") or "").isdigit():
                    errors.append({"field": f"{field}.id", "message": _("Choose the department, person or role.")})
            step["message"] = str(raw.get("message") or "")[:300]
        elif kind == "email":
            step["template"] = str(raw.get("template") or "")
            if not MailTemplate.objects.filter(code=step["template"]).exists():
                errors.append({"field": f"{field}.template", "message": _("Choose an e-mail template.")})
        elif kind == "task":
            step["title"] = str(raw.get("title") or "").strip()[:200]
            step["assignee"] = raw.get("assignee") if raw.get("assignee") in ("assignee", "manager", "person") \
                else "assignee"
            step["id"] = raw.get("id")
            step["due_hours"] = _hours(raw.get("due_hours"), f"{field}.due_hours", errors, required=False)
            if not step["title"]:
                errors.append({"field": f"{field}.title", "message": _("Name the task.")})
        elif kind == "wait":
            step["until"] = raw.get("until") if raw.get("until") in UNTIL else None
            step["hours"] = _hours(raw.get("hours"), f"{field}.hours", errors, required=step["until"] is None)
        elif kind == "set":
            step["field"] = raw.get("field") if raw.get("field") in SET_FIELDS else None
            step["value"] = str(raw.get("value") or "")[:60]
            if step["field"] is None or not step["value"]:
                errors.append({"field": f"{field}.value", "message": _("Say which field and value.")})
            elif not _set_value_exists(step["field"], step["value"]):
                errors.append({"field": f"{field}.value", "message": _(
                    "“%(value)s” is not a valid value for %(field)s.") % {"value": step["value"],
                                                                          "field": step["field"]}})
        elif kind == "webhook":
            step["url"] = str(raw.get("url") or "").strip()[:500]
            if not step["url"].startswith(("https://", "http://")):
                errors.append({"field": f"{field}.url", "message": _("Give an http or https address.")})
        cleaned.append(step)
    if errors:
        raise ValidationFailed(errors=errors)
    return cleaned


def _set_value_exists(field, value):
    """Whether a ``set`` step's value names something that exists (checked at publish time,
    so a running flow does not find out)."""
    if field == "severity":
        return picklist_items("service.severity").filter(code=value).exists()
    if field == "status":
        return value in TicketStatus.values
    if not value.isdigit():
        return False
    if field == "department":
        return Department.objects.filter(pk=value).exists()
    return User.objects.filter(pk=value, is_active=True).exists()


# --- versions -------------------------------------------------------------------------------
def publish(flow, steps, actor):
    """Freeze ``steps`` as the flow's next version and make it live (in the caller's
    transaction). New tickets take it at once; running ones keep theirs."""
    steps = clean_steps(steps)
    flow = Flow.objects.select_for_update().get(pk=flow.pk)
    number = (flow.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = FlowVersion.objects.create(flow=flow, number=number, steps=steps, created_by=actor)
    flow.live_version = version
    flow.save(update_fields=["live_version", "updated_at"])
    return version


def flow_for(ticket):
    """The live flow for a ticket: type and severity, then type, then severity, then any."""
    flows = Flow.objects.filter(is_active=True, live_version__isnull=False)
    for condition in (Q(ticket_type=ticket.ticket_type, severity=ticket.severity),
                      Q(ticket_type=ticket.ticket_type, severity__isnull=True),
                      Q(ticket_type__isnull=True, severity=ticket.severity),
                      Q(ticket_type__isnull=True, severity__isnull=True)):
        flow = flows.filter(condition).order_by("-updated_at").first()
        if flow is not None:
            return flow
    return None


def start(ticket):
    """Put a new ticket on its flow (once) and run the first steps. A ticket already
    resolved or closed by the time the job runs gets no flow (no apology after the fact)."""
    if not ticket.is_open:
        return None
    flow = flow_for(ticket)
    if flow is None:
        return None
    try:
        with transaction.atomic():
            run = FlowRun.objects.create(ticket=ticket, version=flow.live_version)
    except IntegrityError:
        return None
    advance_or_fail(run.pk)
    return run


# --- running ---------------------------------------------------------------------------------
def advance(run_id, now=None):
    """Run a flow from where it stands until it waits, fails or ends."""
    now = now or timezone.now()
    with transaction.atomic():
        run = FlowRun.objects.select_for_update().select_related("version", "ticket").filter(pk=run_id).first()
        if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED):
            return run
        if run.resume_at and run.resume_at > now:
            return run
        steps = run.version.steps
        while run.position < len(steps):
            step = steps[run.position]
            ticket = Ticket.objects.select_related("assignee__manager", "department", "customer").get(pk=run.ticket_id)
            try:
                with transaction.atomic():  # a savepoint: a step that breaks leaves nothing half done
                    outcome, detail, resume_at = _execute(step, ticket, run, now)
            except StepFailed as exc:
                run.attempts += 1
                StepLog.objects.create(run=run, position=run.position, step_type=step["type"], outcome="failed",
                                       detail=str(exc)[:500], attempt=run.attempts)
                if run.attempts >= len(RETRY_MINUTES):
                    _mark_failed(run, _("The flow step “%(step)s” failed three times: %(error)s") % {
                        "step": step["type"], "error": exc}, now)
                else:
                    run.status = RunStatus.RUNNING
                    run.resume_at = now + datetime.timedelta(minutes=RETRY_MINUTES[run.attempts - 1])
                run.save()
                return run
            except Exception as exc:  # noqa: BLE001 - any other failure fails this run, not the job
                logger.exception("flow run %s: step %s failed", run.pk, run.position)
                run.attempts += 1
                StepLog.objects.create(run=run, position=run.position, step_type=step["type"], outcome="failed",
                                       detail=repr(exc)[:500], attempt=run.attempts)
                _mark_failed(run, _("The flow step “%(step)s” failed: %(error)s") % {
                    "step": step["type"], "error": exc}, now)
                run.save()
                return run
            if outcome == "waiting":
                if run.status != RunStatus.WAITING:
                    StepLog.objects.create(run=run, position=run.position, step_type=step["type"],
                                           outcome="waiting", detail=detail[:500], attempt=run.attempts + 1)
                run.status, run.resume_at = RunStatus.WAITING, resume_at
                run.save()
                return run
            StepLog.objects.create(run=run, position=run.position, step_type=step["type"], outcome=outcome,
                                   detail=detail[:500], attempt=run.attempts + 1)
            run.position += 1
            run.attempts, run.resume_at, run.deadline, run.status = 0, None, None, RunStatus.RUNNING
        run.status, run.finished_at = RunStatus.DONE, now
        run.save()
        return run


def _mark_failed(run, message, now):
    run.status, run.finished_at, run.resume_at = RunStatus.FAILED, now, None
    TicketEntry.objects.create(ticket_id=run.ticket_id, kind=EntryKind.SYSTEM, body=str(message)[:2000])


def advance_or_fail(run_id, now=None):
    """Advance one run; whatever breaks marks that run failed (shown on its ticket) instead
    of stopping the job that runs the others."""
    now = now or timezone.now()
    try:
        return advance(run_id, now)
    except Exception as exc:  # noqa: BLE001 - one broken run must not stop the others
        logger.exception("flow run %s failed", run_id)
        with transaction.atomic():
            run = FlowRun.objects.select_for_update().filter(pk=run_id).first()
            if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED):
                return run
            _mark_failed(run, _("The handling flow stopped: %(error)s") % {"error": exc}, now)
            run.save()
            return run


def resume_due(now=None):
    """The scheduled job: runs whose wait or retry time has come."""
    now = now or timezone.now()
    due = FlowRun.objects.filter(status__in=[RunStatus.WAITING, RunStatus.RUNNING], resume_at__lte=now)
    count = 0
    for run_id in due.values_list("pk", flat=True)[:500]:
        advance_or_fail(run_id, now)
        count += 1
    return count


def _execute(step, ticket, run, now):
    """One step: ("done" | "skipped", detail, None) or ("waiting", detail, resume_at)."""
    kind = step["type"]
    if kind == "notify":
        people = _targets(step, ticket)
        message = step.get("message") or _("Ticket %(number)s: %(subject)s") % {"number": ticket.number,
                                                                                "subject": ticket.subject}
        for person in people:
            notify(person, kind="service.flow", title=message, url=ticket.get_absolute_url(), email=True,
                   dedupe_key=f"flow:{run.pk}:{run.position}:{person.pk}")
        if not people:
            return "skipped", _("nobody to notify"), None
        return "done", ", ".join(p.display_name for p in people), None
    if kind == "email":
        return "done", _send_template(step["template"], ticket), None
    if kind == "task":
        assignee = _task_assignee(step, ticket)
        due = Hours.from_settings().add(now, step["due_hours"]) if step.get("due_hours") else None
        TicketTask.objects.get_or_create(ticket=ticket, title=step["title"], defaults={
            "assignee": assignee, "due_at": due})
        if assignee is not None:
            notify(assignee, kind="service.task", url=ticket.get_absolute_url(),
                   title=_("Task on %(number)s: %(task)s") % {"number": ticket.number, "task": step["title"]},
                   dedupe_key=f"flow-task:{run.pk}:{run.position}")
        return "done", step["title"], None
    if kind == "wait":
        return _wait(step, ticket, run, now)
    if kind == "escalate":
        people = escalate(ticket, _("by the handling flow"))
        return ("done", ", ".join(p.display_name for p in people), None) if people else (
            "skipped", _("nobody above"), None)
    if kind == "set":
        return "done", _set_field(step, ticket), None
    if kind == "webhook":
        return "done", _webhook(step, ticket), None
    raise StepFailed(f"unknown step {kind}")


def _targets(step, ticket):
    target = step.get("target")
    active = User.objects.filter(is_active=True)
    if target == "assignee":
        return [ticket.assignee] if ticket.assignee and ticket.assignee.is_active else []
    if target == "manager":
        manager = ticket.assignee.manager if ticket.assignee else None
        manager = manager or (ticket.department.manager if ticket.department else None)
        return [manager] if manager and manager.is_active else []
    if target == "branch_head":
        branch = Branch.objects.filter(pk=ticket.branch_id).select_related("head").first()
        return [branch.head] if branch and branch.head and branch.head.is_active else []
    if target == "person":
        return list(active.filter(pk=step.get("id")))
    if target == "department":
        department = Department.objects.filter(pk=step.get("id")).first()
        if department is None:
            raise StepFailed(_("The department no longer exists."))
        return list(active.filter(department=department))
    if target == "role":
        return list(active.filter(roles=step.get("id"), branch_id=ticket.branch_id))
    return []


def _task_assignee(step, ticket):
    if step.get("assignee") == "person":
        return User.objects.filter(pk=step.get("id"), is_active=True).first()
    if step.get("assignee") == "manager" and ticket.assignee:
        return ticket.assignee.manager
    return ticket.assignee


def _wait(step, ticket, run, now):
    """Wait some business hours, or until the ticket is responded to, resolved or closed
    (checked every five minutes), giving up after ``hours`` if they are set."""
    until = step.get("until")
    reached = {"responded": ticket.responded_at is not None, "resolved": ticket.resolved_at is not None,
               "closed": ticket.closed_at is not None}
    if until and reached[until]:
        return "done", until, None
    if run.status != RunStatus.WAITING:  # arriving at the step, not coming back to it
        run.deadline = Hours.from_settings().add(now, step["hours"]) if step.get("hours") else None
    if run.deadline and run.deadline <= now:
        return "done", (_("gave up waiting for %(what)s") % {"what": until} if until else
                        _("waited %(h)s business hours") % {"h": step["hours"]}), None
    if not until:
        return "waiting", _("until %(h)s business hours have passed") % {"h": step["hours"]}, run.deadline
    poll = now + datetime.timedelta(minutes=5)
    return "waiting", _("until the ticket is %(what)s") % {"what": until}, \
        min(poll, run.deadline) if run.deadline else poll


def _set_field(step, ticket):
    field, value = step["field"], step["value"]
    if field == "severity":
        item = picklists.items("service.severity").filter(code=value).first()
        if item is None:
            raise StepFailed(_("Unknown severity %(v)s.") % {"v": value})
        ticket.severity = item
    elif field == "status":
        _move(ticket, value, None, _("by the handling flow"))
        return f"status={value}"
    elif field == "department":
        ticket.department = Department.objects.filter(pk=value).first() or ticket.department
    elif field == "assignee":
        ticket.assignee = User.objects.filter(pk=value, is_active=True).first() or ticket.assignee
    ticket.save(update_fields=[field, "updated_at"])
    return f"{field}={value}"


# A greeting whose name came out empty: "尊敬的：", "尊敬的 ，", "Dear ,", "Dear :".
EMPTY_GREETINGS = (
    (re.compile(r"(尊敬的)[ \t\u3000]*(?=[：:，,])"), r"\1客户"),
    (re.compile(r"\b(Dear)[ \t]*(?=[,:])"), r"\1 customer"),
)


def render_template(template, ticket):
    """A mail template's subject and body with the ticket's plain data (no objects).

    A contact without a name is greeted by the customer's name, and a greeting left
    empty anyway ("尊敬的：") becomes "尊敬的客户：" / "Dear customer,"."""

    customer_name = ticket.customer.name if ticket.customer else ""
    data = {"ticket": {"number": ticket.number, "subject": ticket.subject, "status": ticket.get_status_display(),
                       "url": ticket.get_absolute_url()},
            "customer": {"name": customer_name},
            "contact": {"name": ticket.contact_name.strip() or customer_name, "email": ticket.contact_email},
            "company": {"name": company_get().name}}
    parts = []
    for text in (template.subject, template.body):
        try:  # plain-text mail: the sandbox of print templates, without HTML escaping
            rendered = render_sandboxed(text, data, autoescape=False)
        except ValidationFailed as exc:
            raise StepFailed(exc.message) from exc
        for pattern, greeting in EMPTY_GREETINGS:
            rendered = pattern.sub(greeting, rendered)
        parts.append(rendered)
    return parts


def _send_template(code, ticket):
    template = MailTemplate.objects.filter(code=code).first()
    if template is None:
        raise StepFailed(_("The e-mail template %(code)s no longer exists.") % {"code": code})
    if not ticket.contact_email:
        return _("no e-mail address: not sent")
    subject, body = render_template(template, ticket)
    send_to_customer(ticket, subject, body)
    return _("sent “%(subject)s” to %(to)s") % {"subject": subject, "to": ticket.contact_email}


def _webhook(step, ticket):
    payload = {"event": "ticket", "ticket": {
        "id": ticket.pk, "number": ticket.number, "subject": ticket.subject, "status": ticket.status,
        "type": ticket.ticket_type.code, "severity": ticket.severity.code,
        "customer_id": ticket.customer_id, "created_at": ticket.created_at.isoformat()}}
    try:
        status, _body = post_json(step["url"], payload)
    except OutboundRefused as exc:
        raise StepFailed(str(exc)) from exc
    except OSError as exc:
        raise StepFailed(_("The call failed: %(error)s") % {"error": exc}) from exc
    if not 200 <= status < 300:
        raise StepFailed(_("The address answered %(status)s.") % {"status": status})
    return f"HTTP {status}"
