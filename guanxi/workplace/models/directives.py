import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import TimeStampedModel
from guanxi.org.scopes import ScopePaths


class DirectiveKind(models.TextChoices):
    DIRECTIVE = "directive", _("Directive")
    DOCUMENT = "document", _("Document")
    NOTICE = "notice", _("Notice")


class DirectivePriority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Directive(TimeStampedModel):
    """A directive or document the decision tier issues to branches, departments or
    roles (WRK-2). The audience is resolved to people when it is issued: one receipt per
    recipient records when they read and acknowledged it."""

    issuer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT,
                               related_name="directives_issued")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=DirectiveKind.choices, default=DirectiveKind.DIRECTIVE)
    priority = models.CharField(_("priority"), max_length=10, choices=DirectivePriority.choices,
                                default=DirectivePriority.NORMAL)
    title = models.CharField(_("title"), max_length=200)
    # Sanitized HTML (workplace.richtext): safe to render as is.
    body = models.TextField(_("text"), max_length=60000)
    requires_ack = models.BooleanField(_("recipients must acknowledge"), default=True)
    ack_due_on = models.DateField(_("acknowledge by"), null=True, blank=True)
    to_everyone = models.BooleanField(_("everyone in the company"), default=False)
    branches = models.ManyToManyField("org.Branch", verbose_name=_("branches"), blank=True, related_name="+")
    departments = models.ManyToManyField("org.Department", verbose_name=_("departments"), blank=True,
                                         related_name="+")
    roles = models.ManyToManyField("org.Role", verbose_name=_("job roles"), blank=True, related_name="+")
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)

    scope_paths = ScopePaths(owner="issuer", branch="branch")

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        indexes = [
            models.Index(fields=["issuer", "issued_at"], name="directive_issuer"),
            models.Index(fields=["branch", "issued_at"], name="directive_branch"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workplace:directive_detail", args=[self.pk])

    @classmethod
    def scope_extra(cls, user):
        """Directives addressed to the user."""
        return Q(pk__in=DirectiveReceipt.objects.filter(user_id=user.pk).values("directive_id"))


class DirectiveReceipt(models.Model):
    """One recipient of a directive: read, acknowledged, reminded."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
                             related_name="directive_receipts")
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders"), default=0)

    class Meta:
        verbose_name = _("directive receipt")
        verbose_name_plural = _("directive receipts")
        constraints = [models.UniqueConstraint(fields=["directive", "user"], name="directive_receipt_once")]
        indexes = [models.Index(fields=["user", "acknowledged_at"], name="directive_receipt_user")]

    def __str__(self):
        return f"{self.directive_id} → {self.user_id}"


def _attachment_path(instance, filename):
    # A random name: nothing of the uploader's file name reaches the file system.
    return f"directives/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class DirectiveAttachment(models.Model):
    """A file attached to a directive; its type is read from its bytes."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField(_("size"))
    checksum = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name
