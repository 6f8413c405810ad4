"""Lifecycle (ANA-2) records: the thresholds (one settings row) and the stage moves the
nightly run writes. Imported by models.py so the app's models stay one per concern."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import LifecycleStage


class LifecycleSettings(models.Model):
    """Thresholds of the lifecycle rules (docs/analytics.md, "Customer lifecycle")."""

    acquisition_days = models.PositiveIntegerField(
        _("acquisition lasts (days after the first order)"), default=90)
    departure_days = models.PositiveIntegerField(_("departed after days without an order"), default=365,
                                                 validators=[MinValueValidator(1)])
    period_days = models.PositiveIntegerField(
        _("trend period (days)"), default=180, validators=[MinValueValidator(1)],
        help_text=_("The amount of the last period is compared with the period before it."))
    trend_percent = models.PositiveIntegerField(
        _("trend threshold (%)"), default=20, validators=[MaxValueValidator(100)],
        help_text=_("Growth above this change of the amount, decline below its negative."))
    gap_percent = models.PositiveIntegerField(
        _("gap threshold (% of the usual interval)"), default=200, validators=[MinValueValidator(100)],
        help_text=_("Decline when the days since the last order exceed this share of the usual interval."))

    class Meta:
        verbose_name = _("lifecycle settings")
        verbose_name_plural = _("lifecycle settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    def clean(self):
        if self.departure_days is not None and self.acquisition_days is not None \
                and self.departure_days <= self.acquisition_days:
            raise ValidationError({"departure_days": _("Departure must come after the acquisition period.")})

    @classmethod
    def current(cls):
        """The settings row, or the defaults unsaved (reading never writes: the first save creates it)."""
        return cls.objects.order_by("pk").first() or cls()

    @classmethod
    def stored(cls):
        """The settings row, created with the defaults if there is none (for a service about to change it)."""
        return cls.objects.order_by("pk").first() or cls.objects.create()


class LifecycleMove(models.Model):
    """A customer's stage changed in a nightly run."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="lifecycle_moves")
    month = models.DateField(_("month"))  # first day of the month of the run
    moved_on = models.DateField(_("date"))
    from_stage = models.CharField(_("from stage"), max_length=20, choices=LifecycleStage.choices)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=LifecycleStage.choices)

    class Meta:
        verbose_name = _("lifecycle move")
        verbose_name_plural = _("lifecycle moves")
        indexes = [models.Index(fields=["month", "from_stage", "to_stage"], name="lifecycle_move_month")]

    def __str__(self):
        return f"{self.customer_id} {self.from_stage}→{self.to_stage} {self.month:%Y-%m}"


__all__ = ["LifecycleMove", "LifecycleSettings"]
