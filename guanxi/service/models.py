"""Customer service (SRV-1…8): events and tickets with service levels in business hours,
handling flows that administrators design, escalation, a knowledge base, satisfaction
surveys, intake by e-mail, web form and phone, and after-sales care.

A ticket belongs to the person handling it (``assignee``) and its branch; customers'
owners and the handling department see it too (``scope_extra``).
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import TimeStampedModel
from guanxi.customers.models import Customer
from guanxi.customers.normalize import phone_or_none
from guanxi.org.scopes import ScopePaths, scope_q


def _pick(list_key, verbose, **kwargs):
    return models.ForeignKey("core.PickItem", verbose_name=verbose, on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"list_key": list_key, "is_active": True}, **kwargs)


class ServiceSettings(models.Model):
    """Business hours (one set for the company): the clock service levels run on."""

    work_days = models.CharField(_("working days"), max_length=20, default="1,2,3,4,5",
                                 help_text=_("ISO weekday numbers, 1 = Monday"))
    day_starts = models.TimeField(_("day starts"), default="09:00")
    day_ends = models.TimeField(_("day ends"), default="18:00")
    survey_after_close = models.BooleanField(_("send a survey when a ticket is closed"), default=True)
    care_follow_up_days = models.PositiveSmallIntegerField(_("after-sales follow-up (days after delivery)"),
                                                           default=7, validators=[MaxValueValidator(365)])

    class Meta:
        verbose_name = _("service settings")
        verbose_name_plural = _("service settings")

    def __str__(self):
        return str(_("Service settings"))

    @classmethod
    def current(cls):
        return cls.objects.first() or cls()


class ServiceLevel(models.Model):
    """Targets per ticket type and severity, in business hours (SRV-2)."""

    ticket_type = _pick("service.ticket_type", _("type"), null=True, blank=True,
                        help_text=_("Empty: every type"))
    severity = _pick("service.severity", _("severity"))
    response_hours = models.DecimalField(_("first response within (business hours)"), max_digits=6,
                                         decimal_places=2, validators=[MinValueValidator(0)])
    resolution_hours = models.DecimalField(_("resolution within (business hours)"), max_digits=6, decimal_places=2,
                                           validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        constraints = [models.UniqueConstraint(fields=["ticket_type", "severity"], name="service_level_once")]

    def __str__(self):
        return f"{self.ticket_type or '*'} / {self.severity}"


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Being handled")
    WAITING = "waiting", _("Waiting for the customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING]


class TicketChannel(models.TextChoices):
    MANUAL = "manual", _("Entered by staff")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")


class Ticket(TimeStampedModel):
    """A customer event or ticket (客户事件)."""

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=20000, blank=True)
    ticket_type = _pick("service.ticket_type", _("type"))
    severity = _pick("service.severity", _("severity"))
    status = models.CharField(_("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.NEW,
                              editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=TicketChannel.choices,
                               default=TicketChannel.MANUAL, editable=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="tickets")
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_email = models.CharField(_("contact e-mail"), max_length=254, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_phone_norm = models.CharField(max_length=30, editable=False, blank=True, default="")
    product = models.ForeignKey("sales.Product", verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="tickets")
    order = models.ForeignKey("sales.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="tickets")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="tickets")
    department = models.ForeignKey("org.Department", verbose_name=_("handling department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    respond_by = models.DateTimeField(_("respond by"), null=True, blank=True, editable=False)
    resolve_by = models.DateTimeField(_("resolve by"), null=True, blank=True, editable=False)
    responded_at = models.DateTimeField(_("first response"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0, editable=False)
    mail_thread = models.CharField(max_length=40, unique=True, editable=False)
    is_quality_issue = models.BooleanField(_("product quality issue"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)

    scope_paths = ScopePaths(owner="assignee", branch="branch")

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["assignee", "created_at"], name="ticket_assignee"),
            models.Index(fields=["branch", "created_at"], name="ticket_branch"),
            models.Index(fields=["customer", "created_at"], name="ticket_customer"),
            models.Index(fields=["status", "resolve_by"], name="ticket_deadline"),
            models.Index(fields=["department", "status"], name="ticket_department"),
            models.Index(fields=["contact_phone_norm"], name="ticket_contact_phone"),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    def get_absolute_url(self):
        return reverse("service:ticket_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if not self.mail_thread:
            self.mail_thread = secrets.token_hex(8)
        super().save(*args, **kwargs)

    def clean(self):
        # Services save through full_clean: the search's phone column follows the phone.
        self.contact_phone_norm = phone_or_none(self.contact_phone) or ""

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def overdue(self):
        return self.is_open and self.resolve_by is not None and self.resolve_by < timezone.now()

    @classmethod
    def scope_extra(cls, user):
        """The customer's owner and the handling department see the ticket too."""

        q = Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
        customers = scope_q(user, Customer, extra=False)
        if customers is None:
            return Q()
        return q | Q(customer__in=Customer.objects.filter(customers).values("pk"))


class EntryKind(models.TextChoices):
    NOTE = "note", _("Internal note")
    REPLY = "reply", _("Reply to the customer")
    INBOUND = "inbound", _("From the customer")
    STATUS = "status", _("Status change")
    SYSTEM = "system", _("Handling flow")


class TicketEntry(models.Model):
    """A line of a ticket's history (SRV-1 detail lines): notes, replies, messages in."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    body = models.TextField(_("text"), max_length=50000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    from_address = models.CharField(max_length=254, blank=True)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"])]
        constraints = [
            # An e-mail is stored once, also when two workers read the mailbox at once.
            models.UniqueConstraint(fields=["message_id"], condition=Q(kind="inbound") & ~Q(message_id=""),
                                    name="ticketentry_inbound_once"),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.kind}"


class EntryAttachment(models.Model):
    entry = models.ForeignKey(TicketEntry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="tickets/%Y/%m/", max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()

    def __str__(self):
        return self.original_name


class TicketTask(models.Model):
    """A to-do on a ticket (made by hand or by a flow step), for a person or a department."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="ticket_tasks")
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "due_at", "pk"]

    def __str__(self):
        return self.title


# --- handling flows (SRV-3) -----------------------------------------------------------------
class Flow(TimeStampedModel):
    """A handling flow for a ticket type and severity; its steps live in versions."""

    name = models.CharField(_("name"), max_length=100)
    ticket_type = _pick("service.ticket_type", _("type"), null=True, blank=True, help_text=_("Empty: every type"))
    severity = _pick("service.severity", _("severity"), null=True, blank=True, help_text=_("Empty: every severity"))
    live_version = models.ForeignKey("FlowVersion", verbose_name=_("live version"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+", editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("handling flow")
        verbose_name_plural = _("handling flows")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("service:flow_edit", args=[self.pk])


class FlowVersion(models.Model):
    """A frozen list of steps. Events keep the version they started with."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    steps = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["flow", "-number"]
        constraints = [models.UniqueConstraint(fields=["flow", "number"], name="flow_version_once")]

    def __str__(self):
        return f"{self.flow} v{self.number}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    WAITING = "waiting", _("Waiting")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class FlowRun(models.Model):
    """One ticket going through one flow version: where it is and when to go on."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="flow_runs")
    version = models.ForeignKey(FlowVersion, on_delete=models.PROTECT, related_name="runs")
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    resume_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)  # of the wait step it is at
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "resume_at"], name="flow_run_due")]
        constraints = [models.UniqueConstraint(fields=["ticket", "version"], name="flow_run_once")]

    def __str__(self):
        return f"{self.ticket_id} {self.version}"


class StepLog(models.Model):
    """The execution history of a ticket's flow: each step, its outcome, retries."""

    run = models.ForeignKey(FlowRun, on_delete=models.CASCADE, related_name="log")
    position = models.PositiveIntegerField()
    step_type = models.CharField(max_length=20)
    outcome = models.CharField(max_length=10)  # done | waiting | failed | skipped
    detail = models.CharField(max_length=500, blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.run_id}#{self.position} {self.outcome}"


class MailTemplate(TimeStampedModel):
    """An e-mail to the customer that flows send (the apology letter…), with placeholders."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=20000)

    class Meta:
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")

    def __str__(self):
        return self.name


# --- knowledge base (SRV-5) --------------------------------------------------------------------
class Article(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("solution"), max_length=50000)
    category = _pick("service.kb_category", _("category"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    search_text = models.TextField(editable=False, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               editable=False)
    tickets = models.ManyToManyField(Ticket, verbose_name=_("tickets"), blank=True, related_name="articles")

    class Meta:
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("service:article_detail", args=[self.pk])


# --- surveys (SRV-6) -------------------------------------------------------------------------
class Survey(models.Model):
    """A satisfaction survey of one closed ticket, answered once through its token."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="survey")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True, max_length=2000)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")

    scope_paths = ScopePaths(owner="agent", branch="branch")

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self):
        return f"{self.ticket_id}"


# --- intake (SRV-7, CUS-4) ---------------------------------------------------------------------
class WebForm(TimeStampedModel):
    """A public form (web-to-lead or web-to-ticket) served by Guanxi, embeddable."""

    class Kind(models.TextChoices):
        TICKET = "ticket", _("Web-to-ticket")
        LEAD = "lead", _("Web-to-lead")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("address"), max_length=40, unique=True)
    ticket_type = _pick("service.ticket_type", _("type of the tickets"), null=True, blank=True)
    severity = _pick("service.severity", _("severity of the tickets"), null=True, blank=True)
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who receives them"), on_delete=models.PROTECT,
                              related_name="+")
    thank_you = models.CharField(_("thank-you text"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self):
        return self.name


class CallEvent(models.Model):
    """A call the telephony system reported (SRV-7): logged once per call id."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    call_id = models.CharField(max_length=100, unique=True)
    number = models.CharField(_("number"), max_length=40)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), default=0)
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    interaction = models.ForeignKey("customers.Interaction", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [models.Index(fields=["agent", "created_at"])]

    def __str__(self):
        return f"{self.number} {self.direction}"


class MailboxState(models.Model):
    """Where the IMAP job got to (the highest UID seen per mailbox and UIDVALIDITY)."""

    mailbox = models.CharField(max_length=200, unique=True)
    uidvalidity = models.BigIntegerField(default=0)
    last_uid = models.BigIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self):
        return self.mailbox
