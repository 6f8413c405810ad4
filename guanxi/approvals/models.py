"""A reusable approval building block: multi-step flows by amount and role."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ApprovalPolicy(models.Model):
    """How one kind of document is approved (discounts beyond a limit, contracts…)."""

    doc_type = models.CharField(_("document type"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("approval flow")
        verbose_name_plural = _("approval flows")

    def __str__(self):
        # The built-in flows are named after their document type's label, in English
        # when the demo or a command created them: show that name in the user's language.
        return gettext(self.name)


class ApproverKind(models.TextChoices):
    MANAGER = "manager", _("The requester's manager")
    DEPARTMENT_HEAD = "department_head", _("The head of the requester's department")
    BRANCH_HEAD = "branch_head", _("The head of the requester's branch")
    ROLE = "role", _("Anyone with a job role")


class ApprovalStep(models.Model):
    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=60)
    min_amount = models.DecimalField(
        _("from amount"), max_digits=14, decimal_places=2, default=Decimal("0"),
        help_text=_("The step applies when the amount is at least this."))
    approver_kind = models.CharField(_("approver"), max_length=20, choices=ApproverKind.choices,
                                     default=ApproverKind.MANAGER)
    role = models.ForeignKey("org.Role", verbose_name=_("job role"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["policy", "position"]
        constraints = [models.UniqueConstraint(fields=["policy", "position"], name="approval_step_position")]

    def __str__(self):
        return gettext(self.name)  # the built-in steps are named by msgids (finance's receivers)


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Withdrawn")


class ApprovalRequest(models.Model):
    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.PROTECT, related_name="requests")
    doc_type = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(_("what"), max_length=200)
    url = models.CharField(max_length=300, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal("0"))
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
                                  related_name="approval_requests")
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    steps = models.JSONField(default=list)  # the step ids that apply, in order, frozen at submission
    current = models.PositiveSmallIntegerField(default=0)  # index into steps
    status = models.CharField(_("status"), max_length=10, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.PENDING)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        indexes = [models.Index(fields=["doc_type", "object_id"]), models.Index(fields=["status", "created_at"])]
        constraints = [
            # One open request per document: submitting twice cannot start two flows.
            models.UniqueConstraint(fields=["doc_type", "object_id"], condition=models.Q(status="pending"),
                                    name="approval_one_pending"),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("approvals:detail", args=[self.pk])

    @property
    def current_step(self):
        if self.status != ApprovalStatus.PENDING or self.current >= len(self.steps):
            return None
        return ApprovalStep.objects.filter(pk=self.steps[self.current]).select_related("role").first()


class ApprovalDecision(models.Model):
    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="decisions")
    step = models.ForeignKey(ApprovalStep, on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField()
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.request_id} {self.approved}"
