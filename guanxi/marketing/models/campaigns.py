"""Campaigns (MKT-2): budget, channels, dates, owner and target segment; what they bring
is attributed through ``CampaignTouch`` rows (see ``marketing/attribution.py``)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import SoftDeleteModel, TimeStampedModel
from guanxi.org.scopes import ScopePaths

ZERO = Decimal("0")


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(TimeStampedModel, SoftDeleteModel):
    code = models.CharField(_("code"), max_length=40, unique=True, help_text=_("Used as utm_campaign in links."))
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    status = models.CharField(_("status"), max_length=12, choices=CampaignStatus.choices,
                              default=CampaignStatus.PLANNED)
    # Channels: e-mail, SMS, WeChat, event, exhibition, online ads… (a pick-list, see wiring).
    channels = models.JSONField(_("channels"), default=list, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, default=ZERO,
                                 validators=[MinValueValidator(ZERO)])
    segment = models.ForeignKey("marketing.Segment", verbose_name=_("target segment"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="campaigns")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [models.Index(fields=["owner", "starts_on"], name="campaign_owner"),
                   models.Index(fields=["branch", "starts_on"], name="campaign_branch"),
                   models.Index(fields=["status", "starts_on"], name="campaign_status"),
                   models.Index(fields=["deleted_at"], name="campaign_deleted", condition=Q(deleted_at__isnull=False))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marketing:campaign_detail", args=[self.pk])

    @property
    def is_open(self):
        """Whether the campaign still changes (planned or running)."""
        return self.status in (CampaignStatus.PLANNED, CampaignStatus.RUNNING)


class TouchKind(models.TextChoices):
    LEAD = "lead", _("Lead")
    CUSTOMER = "customer", _("Customer")


class TouchSource(models.TextChoices):
    FORM = "form", _("Campaign form")
    UTM = "utm", _("Campaign link (UTM)")
    LEAD_SOURCE = "lead_source", _("Lead source")
    EMAIL = "email", _("E-mail click")
    EXPLICIT = "explicit", _("Linked by a user")
    REFERRAL = "referral", _("Referral")


class CampaignTouch(models.Model):
    """One contact a campaign made with a lead or customer: a form filled in from a campaign
    link (UTM), a lead's source, an e-mail clicked, or an explicit link by a user. First and
    last touch per customer are read from these rows in time order."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="touches")
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    lead = models.ForeignKey("sales.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey("sales.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(_("source"), max_length=20, choices=TouchSource.choices)
    utm = models.JSONField(_("UTM parameters"), default=dict, blank=True)
    touched_at = models.DateTimeField(_("touched at"), db_index=True)
    # The local day of touched_at: outcomes dated by day (orders, receipts) compare with it.
    touched_on = models.DateField(_("touched on"), default=timezone.localdate)
    # What makes a touch once only: the same click, form entry or link recorded twice is one row.
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)

    class Meta:
        verbose_name = _("campaign touch")
        verbose_name_plural = _("campaign touches")
        indexes = [models.Index(fields=["customer", "touched_at"], name="touch_customer"),
                   models.Index(fields=["lead", "touched_at"], name="touch_lead"),
                   models.Index(fields=["campaign", "touched_at"], name="touch_campaign"),
                   models.Index(fields=["customer", "touched_on"], name="touch_customer_day")]

    def __str__(self):
        return f"{self.campaign} · {self.get_source_display()}"


class CampaignExpense(models.Model):
    """An expense of finance (FIN-3) counted as a cost of a campaign. Finance knows nothing
    of campaigns: the link lives here, one campaign per expense."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="expense_links")
    expense = models.OneToOneField("finance.Expense", verbose_name=_("expense"), on_delete=models.CASCADE,
                                   related_name="+")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  editable=False)
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("campaign expense")
        verbose_name_plural = _("campaign expenses")

    def __str__(self):
        return f"{self.campaign} · {self.expense}"
