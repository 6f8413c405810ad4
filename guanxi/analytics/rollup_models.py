"""Rollup records (issue 12.11): the sales and receipts of each day per branch and owner,
which the dashboard's money figures read instead of scanning orders and receipts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.org.scopes import ScopePaths

MONEY: dict = {"max_digits": 16, "decimal_places": 2, "default": 0}


class Slice(models.Model):
    """A rollup row of one branch and owner: the scope helper reads it exactly as it reads
    the orders and receipts it sums (they have no ``scope_extra``)."""

    branch = models.ForeignKey("org.Branch", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        abstract = True


class DailySales(Slice):
    """One (day, branch, owner) slice: counted orders dated that day and receipts received
    that day (reversals included, negative). The department is the owner's, read through
    the owner at query time, as the raw figures do."""

    day = models.DateField(_("day"))
    orders_amount = models.DecimalField(_("order amount"), **MONEY)
    orders_count = models.PositiveIntegerField(_("orders"), default=0)
    received_amount = models.DecimalField(_("money received"), **MONEY)
    receipts_count = models.PositiveIntegerField(_("receipts"), default=0)

    class Meta:
        verbose_name = _("daily sales rollup")
        constraints = [models.UniqueConstraint(fields=["day", "branch", "owner"], name="daily_sales_slice")]
        indexes = [models.Index(fields=["owner", "day"], name="daily_sales_owner"),
                   models.Index(fields=["branch", "day"], name="daily_sales_branch")]

    def __str__(self):
        return f"{self.day} {self.branch_id}/{self.owner_id}"


class CustomerDay(Slice):
    """One (day, customer, owner, branch) with counted orders: who bought when, narrow and in
    day order, which retention, churn and first-time buyers read instead of the orders.
    ``customer_branch`` is the customer's own branch (the per-branch split of those
    measures), kept when a customer moves (``customer_moved``)."""

    day = models.DateField(_("day"))
    # db_index=False: the (customer, day, owner, branch) index serves it, and answers an
    # "earlier purchase in scope" probe from the index alone.
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    customer_branch = models.ForeignKey("org.Branch", on_delete=models.CASCADE, related_name="+")
    orders_count = models.PositiveIntegerField(_("orders"), default=0)

    class Meta:
        verbose_name = _("customer day rollup")
        constraints = [models.UniqueConstraint(fields=["day", "customer", "owner", "branch"],
                                               name="customer_day_slice")]
        indexes = [models.Index(fields=["customer", "day", "owner", "branch"], name="customer_day_customer")]

    def __str__(self):
        return f"{self.day} {self.customer_id}"


class MonthlyProductSales(Slice):
    """One (month, branch, owner, product) slice of the counted orders' lines: net revenue
    (subtotal − discount) and quantity, which the gross margin reads for whole months.
    ``product_key`` is the product's id, 0 for lines without a product (a rollup key, not a
    reference: products with order lines cannot be deleted)."""

    month = models.DateField(_("month"))
    product_key = models.PositiveIntegerField(_("product"))
    net = models.DecimalField(_("net revenue"), **MONEY)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3, default=0)
    lines_count = models.PositiveIntegerField(_("lines"), default=0)

    class Meta:
        verbose_name = _("monthly product sales rollup")
        constraints = [models.UniqueConstraint(fields=["month", "branch", "owner", "product_key"],
                                               name="monthly_product_slice")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.owner_id}/{self.product_key}"


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
