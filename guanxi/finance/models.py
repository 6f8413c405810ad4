"""Finance: receivables, receipts and their allocations (FIN-1, FIN-4, FIN-5).

Money records are never deleted once posted: a receipt is undone by a reversal (a
receipt of the opposite sign that points at it), an allocation by marking it reversed.
``allocated`` on receivables and receipts is kept in step by the services under row
locks, and check constraints in the database refuse any state where more is allocated
than is due or was received, whatever the code above does.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import TimeStampedModel
from guanxi.org.scopes import ScopePaths

ZERO = Decimal("0")
MAX_AMOUNT = Decimal("999999999999.99")


def money(verbose, **kwargs):
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, **kwargs)


class ReceivableSource(models.TextChoices):
    ORDER = "order", _("When an order is confirmed")
    SHIPMENT = "shipment", _("When goods are shipped")


class FinanceSettings(models.Model):
    """Rules of the finance module, per branch with a company default."""

    branch = models.OneToOneField("org.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    receivable_source = models.CharField(_("receivables are created"), max_length=10,
                                         choices=ReceivableSource.choices, default=ReceivableSource.ORDER)
    payment_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)

    class Meta:
        verbose_name = _("finance settings")
        verbose_name_plural = _("finance settings")

    def __str__(self):
        return str(self.branch or _("company default"))

    @classmethod
    def for_branch(cls, branch_id):
        return (cls.objects.filter(branch_id=branch_id).first() or cls.objects.filter(branch__isnull=True).first()
                or cls(branch=None))


class ReceivableStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTLY_PAID = "partly_paid", _("Partly received")
    PAID = "paid", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class Receivable(TimeStampedModel):
    """Money a customer owes (应收款), from an order, a shipment, an instalment or by hand."""

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="receivables")
    order = models.ForeignKey("sales.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="receivables", editable=False)
    shipment = models.OneToOneField("sales.Shipment", verbose_name=_("shipping note"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="receivable", editable=False)
    source_key = models.CharField(max_length=60, blank=True, editable=False,
                                  help_text="order:1 / shipment:2 / instalment:3 — one receivable per source")
    amount = money(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    allocated = money(_("received"), editable=False)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    issued_on = models.DateField(_("date"), default=timezone.localdate)
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=ReceivableStatus.choices,
                              default=ReceivableStatus.OPEN, editable=False)
    description = models.CharField(_("description"), max_length=200, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT,
                              related_name="receivables")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        indexes = [
            models.Index(fields=["owner", "due_on"], name="receivable_owner"),
            models.Index(fields=["branch", "due_on"], name="receivable_branch"),
            models.Index(fields=["customer", "due_on"], name="receivable_customer"),
            models.Index(fields=["status", "due_on"], name="receivable_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(allocated__gte=0) & Q(allocated__lte=F("amount")),
                                   name="receivable_not_over_allocated"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receivable_amount_positive"),
            models.UniqueConstraint(fields=["source_key"], condition=~Q(source_key=""),
                                    name="receivable_once_per_source"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("finance:receivable_detail", args=[self.pk])

    @property
    def outstanding(self):
        return self.amount - self.allocated

    def overdue_days(self, today=None):
        today = today or timezone.localdate()
        return max((today - self.due_on).days, 0) if self.outstanding > 0 else 0


class ReceiptKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    REVERSAL = "reversal", _("Reversal")


class Receipt(TimeStampedModel):
    """Money received (收款). A reversal is a receipt of the opposite sign pointing at
    the receipt it undoes; the two stay in the ledger."""

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=ReceiptKind.choices, default=ReceiptKind.RECEIPT,
                            editable=False)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by", editable=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="receipts")
    amount = money(_("amount"))
    allocated = money(_("allocated"), editable=False)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    received_on = models.DateField(_("date received"), default=timezone.localdate)
    method = models.ForeignKey("core.PickItem", verbose_name=_("method"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"list_key": "finance.payment_method", "is_active": True})
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True,
                                 help_text=_("Bank slip, transaction or cheque number."))
    notes = models.CharField(_("remarks"), max_length=500, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT,
                              related_name="receipts")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        indexes = [
            models.Index(fields=["owner", "received_on"], name="receipt_owner"),
            models.Index(fields=["branch", "received_on"], name="receipt_branch"),
            models.Index(fields=["customer", "received_on"], name="receipt_customer"),
            models.Index(fields=["received_on"], name="receipt_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="receipt", amount__gt=0, reverses__isnull=True, allocated__gte=0,
                             allocated__lte=F("amount"))
                           | Q(kind="reversal", amount__lt=0, reverses__isnull=False, allocated=0)),
                name="receipt_sign_and_allocation"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("finance:receipt_detail", args=[self.pk])

    @property
    def unallocated(self):
        return self.amount - self.allocated if self.kind == ReceiptKind.RECEIPT else ZERO

    @property
    def is_reversed(self):
        return self.kind == ReceiptKind.RECEIPT and hasattr(self, "reversed_by")


class Allocation(models.Model):
    """Part of a receipt applied to a receivable. Undone by marking it reversed."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="allocations")
    receivable = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="allocations")
    amount = money(_("amount"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        indexes = [models.Index(fields=["receivable", "reversed_at"]), models.Index(fields=["receipt", "reversed_at"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive")]

    def __str__(self):
        return f"{self.receipt_id} → {self.receivable_id}: {self.amount}"
