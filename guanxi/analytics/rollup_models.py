"""Rollup records (issue 12.11): the sales and receipts of each day per branch and owner,
which the dashboard's money figures read instead of scanning orders and receipts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.org.scopes import ScopePaths

MONEY: dict = {"max_digits": 16, "decimal_places": 2, "default": 0}


class DailySales(models.Model):
    """One (day, branch, owner) slice: counted orders dated that day and receipts received
    that day (reversals included, negative). The department is the owner's, read through
    the owner at query time, as the raw figures do."""

    day = models.DateField(_("day"))
    branch = models.ForeignKey("org.Branch", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    orders_amount = models.DecimalField(_("order amount"), **MONEY)
    orders_count = models.PositiveIntegerField(_("orders"), default=0)
    received_amount = models.DecimalField(_("money received"), **MONEY)
    receipts_count = models.PositiveIntegerField(_("receipts"), default=0)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        verbose_name = _("daily sales rollup")
        constraints = [models.UniqueConstraint(fields=["day", "branch", "owner"], name="daily_sales_slice")]
        indexes = [models.Index(fields=["owner", "day"], name="daily_sales_owner"),
                   models.Index(fields=["branch", "day"], name="daily_sales_branch")]

    def __str__(self):
        return f"{self.day} {self.branch_id}/{self.owner_id}"


class RollupRun(models.Model):
    """A full rebuild: when it started and finished and what it wrote. Rollups are read
    only once a rebuild has finished (before that the measures read the raw records)."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    seconds = models.DecimalField(_("seconds"), max_digits=9, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("rollup rebuild")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M}"
