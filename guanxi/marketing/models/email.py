"""E-mail campaigns and journeys (MKT-4): templates, send jobs with one row per recipient,
the address-level suppression list, and simple journeys of steps."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import SoftDeleteModel, TimeStampedModel
from guanxi.org.scopes import ScopePaths

__all__ = ["Channel", "EmailSend", "EmailTemplate", "Journey", "JourneyCondition", "JourneyEnrollment",
           "JourneyStep", "Recipient", "RecipientState", "SendStatus", "StepKind", "Suppression",
           "SuppressionReason"]


class EmailTemplate(TimeStampedModel, SoftDeleteModel):
    """A message with placeholders; ``html_body`` is stored sanitized (see mailing.py)."""

    name = models.CharField(_("name"), max_length=120)
    subject = models.CharField(_("subject"), max_length=200)
    html_body = models.TextField(_("HTML body"), blank=True, max_length=100_000)
    text_body = models.TextField(_("text body"), max_length=20_000,
                                 help_text=_("Also the text of SMS and WeChat messages."))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        indexes = [models.Index(fields=["owner", "created_at"], name="email_template_owner"),
                   models.Index(fields=["branch", "created_at"], name="email_template_branch")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marketing:email_template_edit", args=[self.pk])


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")


class SendStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class EmailSend(TimeStampedModel):
    """One send of a template to a segment's customers (or a journey step's entrants)."""

    name = models.CharField(_("name"), max_length=160)
    campaign = models.ForeignKey("marketing.Campaign", verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    template = models.ForeignKey(EmailTemplate, verbose_name=_("template"), on_delete=models.PROTECT,
                                 related_name="sends")
    segment = models.ForeignKey("marketing.Segment", verbose_name=_("segment"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(_("status"), max_length=10, choices=SendStatus.choices, default=SendStatus.DRAFT)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    # The links of the template when the send started: the only targets of click redirects.
    links = models.JSONField(default=list, blank=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        verbose_name = _("e-mail campaign")
        verbose_name_plural = _("e-mail campaigns")
        indexes = [models.Index(fields=["owner", "created_at"], name="email_send_owner"),
                   models.Index(fields=["branch", "created_at"], name="email_send_branch"),
                   models.Index(fields=["status", "scheduled_at"], name="email_send_due")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marketing:email_send_detail", args=[self.pk])


class RecipientState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Suppressed")
    BOUNCED = "bounced", _("Bounced")


class Recipient(models.Model):
    """One address of a send. Its state moves pending → sending (claimed by one worker) →
    sent / failed / bounced; an address is on a send once (the unique constraint)."""

    send = models.ForeignKey(EmailSend, on_delete=models.CASCADE, related_name="recipients")
    address = models.CharField(_("address"), max_length=254)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    contact = models.ForeignKey("customers.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=RecipientState.choices,
                             default=RecipientState.PENDING)
    claim = models.CharField(max_length=32, blank=True, default="")  # the worker's batch that holds it
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("clicked at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    hard_bounce = models.BooleanField(_("hard bounce"), default=False)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [models.UniqueConstraint(fields=["send", "address"], name="email_recipient_once")]
        indexes = [models.Index(fields=["send", "state", "id"], name="email_recipient_state"),
                   models.Index(fields=["address"], name="email_recipient_address"),
                   models.Index(fields=["customer"], name="email_recipient_customer")]

    def __str__(self):
        return self.address


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    HARD_BOUNCE = "hard_bounce", _("Hard bounce")
    MANUAL = "manual", _("Added by a user")


class Suppression(models.Model):
    """An address marketing never writes to while ``lifted_at`` is empty (one row per
    address; re-subscribing lifts it with a reason, kept on the row and in the audit log)."""

    address = models.CharField(_("address"), max_length=254, unique=True)
    reason = models.CharField(_("reason"), max_length=12, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(_("suppressed at"))
    recipient = models.ForeignKey(Recipient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lifted_at = models.DateTimeField(_("re-subscribed at"), null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("re-subscribed by"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    lift_reason = models.CharField(_("reason for re-subscribing"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        indexes = [models.Index(fields=["created_at"], name="suppression_active",
                                condition=Q(lifted_at__isnull=True))]

    def __str__(self):
        return self.address


class Journey(TimeStampedModel):
    """Customers of a segment enter and walk its steps in order."""

    name = models.CharField(_("name"), max_length=120)
    segment = models.ForeignKey("marketing.Segment", verbose_name=_("segment"), on_delete=models.PROTECT,
                                related_name="+")
    is_active = models.BooleanField(_("active"), default=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        indexes = [models.Index(fields=["owner", "created_at"], name="journey_owner"),
                   models.Index(fields=["branch", "created_at"], name="journey_branch")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marketing:journey_detail", args=[self.pk])


class StepKind(models.TextChoices):
    SEND = "send", _("Send a template")
    WAIT = "wait", _("Wait N days")
    BRANCH = "branch", _("Continue only if…")


class JourneyCondition(models.TextChoices):
    OPENED = "opened", _("opened the last e-mail")
    REPLIED = "replied", _("replied (an e-mail interaction since entering)")
    BOUGHT = "bought", _("bought (an order since entering)")


class JourneyStep(models.Model):
    """One step. A branch lets a customer go on when the condition holds, else they
    leave the journey (``else_exit``) or skip the next step."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=8, choices=StepKind.choices)
    template = models.ForeignKey(EmailTemplate, verbose_name=_("template"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    wait_days = models.PositiveSmallIntegerField(_("days to wait"), default=0)
    condition = models.CharField(_("condition"), max_length=8, choices=JourneyCondition.choices, blank=True)
    else_exit = models.BooleanField(_("otherwise leave the journey"), default=True)
    # The send job the step's e-mails go through (created with the step).
    send = models.OneToOneField(EmailSend, null=True, blank=True, on_delete=models.SET_NULL, related_name="step")

    class Meta:
        verbose_name = _("journey step")
        verbose_name_plural = _("journey steps")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["journey", "position"], name="journey_step_position")]

    def __str__(self):
        return f"{self.journey} #{self.position}"


class JourneyEnrollment(models.Model):
    """A customer on a journey: the step they wait at and when it is due."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="enrollments")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("step"), default=1)
    entered_at = models.DateTimeField(_("entered at"))
    due_at = models.DateTimeField(_("due at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    last_recipient = models.ForeignKey(Recipient, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")

    class Meta:
        verbose_name = _("journey entrant")
        verbose_name_plural = _("journey entrants")
        constraints = [models.UniqueConstraint(fields=["journey", "customer"], name="journey_enrollment_once")]
        indexes = [models.Index(fields=["due_at"], name="journey_due", condition=Q(finished_at__isnull=True))]

    def __str__(self):
        return f"{self.journey} · {self.customer_id}"
