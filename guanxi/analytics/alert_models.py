"""Quality alerts (ANA-8): rules on a registered measure for the company, a branch or a
department, and the alerts they fired (one per rule and period)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import TimeStampedModel


class AlertCondition(models.TextChoices):
    ABOVE = "above", _("Above a threshold")
    BELOW = "below", _("Below a threshold")
    RISE = "rise", _("Up by at least a percentage on the period before")
    DROP = "drop", _("Down by at least a percentage on the period before")
    ANOMALY = "anomaly", _("Outside the mean ± k standard deviations of the last periods")


class AlertPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    WEEK = "week", _("Week")


class AlertUnit(models.TextChoices):
    COMPANY = "company", _("Company")
    BRANCH = "branch", _("Branch")
    DEPARTMENT = "department", _("Department")


class AlertRule(TimeStampedModel):
    """Checked on each finished period: e.g. "sales of the Beijing branch down 20 % on the
    month before" or "money received outside mean ± 2σ of the last 6 months"."""

    name = models.CharField(_("name"), max_length=100)
    measure = models.CharField(_("figure"), max_length=60)
    condition = models.CharField(_("condition"), max_length=10, choices=AlertCondition.choices)
    threshold = models.DecimalField(
        _("threshold"), max_digits=16, decimal_places=2,
        help_text=_("The amount or count for above/below, the percentage for up/down, k for outside mean ± kσ."))
    history = models.PositiveSmallIntegerField(_("periods of history"), default=6,
                                               help_text=_("For outside mean ± kσ: how many periods before (3–36)."))
    period = models.CharField(_("period"), max_length=10, choices=AlertPeriod.choices, default=AlertPeriod.MONTH)
    unit = models.CharField(_("for"), max_length=12, choices=AlertUnit.choices, default=AlertUnit.COMPANY)
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   editable=False)

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["name", "pk"]
        constraints = [models.CheckConstraint(
            condition=(Q(unit="company", branch__isnull=True, department__isnull=True)
                       | Q(unit="branch", branch__isnull=False, department__isnull=True)
                       | Q(unit="department", department__isnull=False)),
            name="alert_rule_unit")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("analytics:alert_rule_edit", args=[self.pk])

    @property
    def subject(self):
        return self.department or self.branch or AlertUnit.COMPANY.label


class Alert(models.Model):
    """A rule's condition held for one finished period (written once: evaluating again
    finds it and notifies nobody twice)."""

    rule = models.ForeignKey(AlertRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="alerts")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))  # exclusive
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    reference = models.DecimalField(_("compared with"), max_digits=18, decimal_places=2, null=True, blank=True)
    message = models.CharField(_("message"), max_length=300)
    unit = models.CharField(_("for"), max_length=12, choices=AlertUnit.choices)
    branch = models.ForeignKey("org.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    notified = models.PositiveIntegerField(_("people notified"), default=0)
    fired_at = models.DateTimeField(_("fired at"))

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-fired_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["rule", "period_start"], name="alert_once_per_period")]

    def __str__(self):
        return self.message
