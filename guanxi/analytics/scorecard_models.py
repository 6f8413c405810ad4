"""Scorecards (ANA-7): branch and department evaluation with configurable indicators (any
registered measure), weights and targets."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import TimeStampedModel


class ScorecardLevel(models.TextChoices):
    BRANCH = "branch", _("Branches")
    DEPARTMENT = "department", _("Departments")


class Scorecard(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("evaluates"), max_length=12, choices=ScorecardLevel.choices,
                             default=ScorecardLevel.BRANCH)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("analytics:scorecard", args=[self.pk])


class ScorecardIndicator(models.Model):
    """One measure of a scorecard: its weight (percent of the score) and the target that
    counts as 100 % attainment for every branch or department evaluated."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="indicators")
    measure = models.CharField(_("measure"), max_length=60)
    weight = models.DecimalField(_("weight %"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))])
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("scorecard indicator")
        verbose_name_plural = _("scorecard indicators")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "measure"], name="scorecard_measure_once")]

    def __str__(self):
        return f"{self.measure} {self.weight}%"
