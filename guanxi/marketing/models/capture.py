"""Models of the capture part of marketing (MKT-5, MKT-7): event and survey forms with
their responses, referral codes of signed customers and the referrals they bring, and
the marketing department's own forms (plans and reports)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import SoftDeleteModel, TimeStampedModel
from guanxi.org.scopes import ScopePaths

__all__ = [
    "DepartmentReport", "FieldType", "FormKind", "FormResponse", "MarketingForm", "Referral", "ReferralCode",
    "ReportKind", "ReportStatus", "ResponseStatus",
]


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    TEXTAREA = "textarea", _("Long text")
    CHOICE = "choice", _("Choice")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    CONSENT = "consent", _("Consent checkbox")


class FormKind(models.TextChoices):
    EVENT = "event", _("Event registration")
    SURVEY = "survey", _("Survey")


class MarketingForm(TimeStampedModel, SoftDeleteModel):
    """A form a marketer designs and publishes at a public address (``fields`` is a small
    JSON schema: a list of {name, label, type, required, choices}). An event form has a
    date, a place and a capacity: registrations beyond it go to the waiting list."""

    kind = models.CharField(_("kind"), max_length=10, choices=FormKind.choices, default=FormKind.EVENT)
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("address"), max_length=40, unique=True)
    intro = models.TextField(_("introduction"), blank=True, max_length=2000)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    campaign = models.ForeignKey("marketing.Campaign", verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    event_starts_at = models.DateTimeField(_("event starts"), null=True, blank=True)
    event_place = models.CharField(_("place"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True,
                                           help_text=_("Empty: no limit. Beyond it people join the waiting list."))
    thank_you = models.CharField(_("thank-you text"), max_length=300, blank=True)
    is_active = models.BooleanField(_("published"), default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("marketing form")
        verbose_name_plural = _("marketing forms")
        indexes = [models.Index(fields=["owner", "created_at"], name="mform_owner"),
                   models.Index(fields=["branch", "created_at"], name="mform_branch"),
                   models.Index(fields=["deleted_at"], name="mform_deleted", condition=Q(deleted_at__isnull=False))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marketing:capture_form_detail", args=[self.pk])

    @property
    def is_event(self):
        return self.kind == FormKind.EVENT


class ResponseStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    REGISTERED = "registered", _("Registered")
    WAITING = "waiting", _("Waiting list")
    ATTENDED = "attended", _("Attended")


class FormResponse(models.Model):
    """One visitor's entry on a marketing form, with the lead it made or matched."""

    form = models.ForeignKey(MarketingForm, verbose_name=_("form"), on_delete=models.CASCADE,
                             related_name="responses")
    answers = models.JSONField(_("answers"), default=dict)
    name = models.CharField(_("name"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    mobile_norm = models.CharField(max_length=30, blank=True, default="", editable=False)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    email_norm = models.CharField(max_length=254, blank=True, default="", editable=False)
    status = models.CharField(_("status"), max_length=12, choices=ResponseStatus.choices,
                              default=ResponseStatus.RECEIVED)
    lead = models.ForeignKey("sales.Lead", verbose_name=_("lead"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    referral_code = models.CharField(_("referral code"), max_length=16, blank=True)
    utm = models.JSONField(_("UTM parameters"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    attended_at = models.DateTimeField(_("attended at"), null=True, blank=True)

    scope_paths = ScopePaths(owner="form__owner", branch="form__branch")

    class Meta:
        verbose_name = _("form response")
        verbose_name_plural = _("form responses")
        indexes = [models.Index(fields=["form", "submitted_at"], name="mresponse_form"),
                   models.Index(fields=["form", "status", "submitted_at"], name="mresponse_status"),
                   models.Index(fields=["lead"], name="mresponse_lead")]
        constraints = [
            # One entry per mobile (or e-mail) and form: a second send updates nothing twice.
            models.UniqueConstraint(fields=["form", "mobile_norm"], condition=~Q(mobile_norm=""),
                                    name="mresponse_one_per_mobile"),
            models.UniqueConstraint(fields=["form", "email_norm"], condition=~Q(email_norm=""),
                                    name="mresponse_one_per_email"),
        ]

    def __str__(self):
        return f"{self.form} · {self.name or self.mobile or self.email}"

    @property
    def may_check_in(self):
        return self.form.is_event and self.status == ResponseStatus.REGISTERED


class ReferralCode(models.Model):
    """The code a signed customer shares (``?ref=CODE``)."""

    customer = models.OneToOneField("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                    related_name="+")
    code = models.CharField(_("referral code"), max_length=16, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_paths = ScopePaths(owner="customer__owner", branch="customer__branch")

    class Meta:
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")

    def __str__(self):
        return self.code


class Referral(models.Model):
    """A lead a customer referred; ``converted_at`` once the lead became a customer."""

    code = models.ForeignKey(ReferralCode, verbose_name=_("referral code"), on_delete=models.CASCADE,
                             related_name="referrals")
    lead = models.OneToOneField("sales.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("referred at"))
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)

    scope_paths = ScopePaths(owner="code__customer__owner", branch="code__customer__branch")

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["code", "created_at"], name="referral_code")]

    def __str__(self):
        return f"{self.code} → {self.lead_id}"


class ReportKind(models.TextChoices):
    MONTHLY_PLAN = "monthly_plan", _("Monthly marketing plan")
    EVENT_SUMMARY = "event_summary", _("Event summary")
    COMPETITOR = "competitor", _("Competitor activity report")
    CHANNEL = "channel", _("Channel report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class DepartmentReport(TimeStampedModel, SoftDeleteModel):
    """MKT-7: one of the marketing department's forms (a plan or a report) for a month,
    its answers per the kind's fields (``capture_reports.KIND_FIELDS``), submitted and
    approved by a manager."""

    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    title = models.CharField(_("title"), max_length=160)
    period = models.DateField(_("month"))
    data = models.JSONField(_("content"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    department = models.ForeignKey("org.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
                              related_name="+")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("marketing department form")
        verbose_name_plural = _("marketing department forms")
        indexes = [models.Index(fields=["owner", "period"], name="mreport_owner"),
                   models.Index(fields=["branch", "period"], name="mreport_branch"),
                   models.Index(fields=["deleted_at"], name="mreport_deleted", condition=Q(deleted_at__isnull=False))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("marketing:report_detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)

    @property
    def awaits_review(self):
        return self.status == ReportStatus.SUBMITTED
