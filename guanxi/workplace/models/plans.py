from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import TimeStampedModel
from guanxi.org.scopes import ScopePaths


class PlanStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CARRIED = "carried", _("Carried over")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_PLAN_STATUSES = (PlanStatus.PLANNED, PlanStatus.IN_PROGRESS)


class WorkPlanItem(TimeStampedModel):
    """One item of an employee's plan for a day (WRK-1). An item left open at the end of
    its day is closed as "carried over" and continues as a new item on the next day, so
    each day keeps what was planned for it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT,
                              related_name="plan_items")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    title = models.CharField(_("what"), max_length=200)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    opportunity = models.ForeignKey("sales.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.PLANNED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    result = models.TextField(_("result"), blank=True, max_length=2000)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)
    # One continuation per item: the database refuses a second carry of the same item.
    carried_from = models.OneToOneField("self", verbose_name=_("continues"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="carried_to", editable=False)
    carry_count = models.PositiveSmallIntegerField(_("days carried"), default=0, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        indexes = [
            models.Index(fields=["owner", "day"], name="plan_owner_day"),
            models.Index(fields=["branch", "day"], name="plan_branch_day"),
            models.Index(fields=["day", "status"], name="plan_day_status"),
            models.Index(fields=["customer", "day"], name="plan_customer_day"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workplace:plan_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in OPEN_PLAN_STATUSES

    @property
    def is_done(self):
        return self.status == PlanStatus.DONE

    @property
    def takes_progress(self):
        """Open or done: its owner may still report progress (a carried-over or cancelled
        item is closed; its continuation takes the progress)."""
        return self.is_open or self.is_done
