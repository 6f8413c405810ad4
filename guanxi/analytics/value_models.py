"""Customer value records (ANA-1): the tier rules, each full run's quintile boundaries and a
monthly history of every customer's RFM scores."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueSettings(models.Model):
    """One row: the window of counted orders and the RFM total (3–15) each tier starts at."""

    window_months = models.PositiveSmallIntegerField(_("window (months)"), default=24)
    tier_a_min = models.PositiveSmallIntegerField(_("tier A from RFM total"), default=13)
    tier_b_min = models.PositiveSmallIntegerField(_("tier B from RFM total"), default=10)
    tier_c_min = models.PositiveSmallIntegerField(_("tier C from RFM total"), default=7)

    class Meta:
        verbose_name = _("customer value settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    def tier(self, score):
        for tier, minimum in (("A", self.tier_a_min), ("B", self.tier_b_min), ("C", self.tier_c_min)):
            if score >= minimum:
                return tier
        return "D"


class ValueRun(models.Model):
    """A full recompute: when, from which day, and the quintile boundaries it found."""

    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    window_start = models.DateField(_("window start"))
    bounds = models.JSONField(_("quintile boundaries"), default=dict)  # {"r": [...4], "f": [...], "m": [...]}
    customers = models.PositiveIntegerField(_("customers"), default=0)

    class Meta:
        verbose_name = _("customer value run")
        ordering = ["-computed_at", "-pk"]

    def __str__(self):
        return f"{self.computed_at:%Y-%m-%d %H:%M}"


class CustomerValueSnapshot(models.Model):
    """A customer's RFM in one month (the latest computation of that month)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))  # the first day
    recency_days = models.PositiveIntegerField(_("days since last order"))
    frequency = models.PositiveIntegerField(_("orders"))
    monetary = models.DecimalField(_("order amount"), max_digits=16, decimal_places=2)
    r = models.PositiveSmallIntegerField("R")
    f = models.PositiveSmallIntegerField("F")
    m = models.PositiveSmallIntegerField("M")
    score = models.PositiveSmallIntegerField(_("RFM total"))
    tier = models.CharField(_("value tier"), max_length=1)

    class Meta:
        verbose_name = _("customer value snapshot")
        constraints = [models.UniqueConstraint(fields=["customer", "month"], name="value_snapshot_month")]
        indexes = [models.Index(fields=["month", "r", "f"], name="value_snapshot_grid")]

    def __str__(self):
        return f"{self.customer_id} {self.month:%Y-%m} {self.tier}"
