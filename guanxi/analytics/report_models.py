"""The periodic decision-support report (ANA-9): each weekly and monthly PDF, archived.
Imported by models.py so the app's models stay one per concern."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class DecisionReport(models.Model):
    """One report of the dashboard's figures for a week or a month (the PDF kept in the database)."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))  # the last day
    pdf = models.BinaryField(editable=False)
    sent_to = models.TextField(_("sent to"), blank=True, editable=False)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision-support report")
        verbose_name_plural = _("decision-support reports")
        ordering = ["-start", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "start"], name="decision_report_once")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d}"


__all__ = ["DecisionReport", "ReportKind"]
