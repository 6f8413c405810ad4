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
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import PerBranchSettings, TimeStampedModel
from guanxi.org.scopes import ScopePaths

ZERO = Decimal("0")


def money(verbose, **kwargs):
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, **kwargs)


class ReceivableSource(models.TextChoices):
    ORDER = "order", _("When an order is confirmed")
    SHIPMENT = "shipment", _("When goods are shipped")


class FinanceSettings(PerBranchSettings, models.Model):  # noqa: DJ008 - __str__ from PerBranchSettings
    """Rules of the finance module, per branch with a company default."""

    branch = models.OneToOneField("org.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    receivable_source = models.CharField(_("receivables are created"), max_length=10,
                                         choices=ReceivableSource.choices, default=ReceivableSource.ORDER)
    payment_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)

    class Meta:
        verbose_name = _("finance settings")
        verbose_name_plural = _("finance settings")



class ReceivableStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTLY_PAID = "partly_paid", _("Partly settled")
    PAID = "paid", _("Settled")
    CANCELLED = "cancelled", _("Cancelled")


class DueBase(TimeStampedModel):
    """Money owed, to us (a receivable) or by us (a payable)."""

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    source_key = models.CharField(max_length=60, blank=True, editable=False,
                                  help_text="order:1 / shipment:2 / instalment:3 / goods-receipt:4 — once per source")
    amount = money(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    allocated = money(_("settled"), editable=False)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    issued_on = models.DateField(_("date"), default=timezone.localdate)
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=ReceivableStatus.choices,
                              default=ReceivableStatus.OPEN, editable=False)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=Q(allocated__gte=0) & Q(allocated__lte=F("amount")),
                                   name="%(class)s_not_over_allocated"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="%(class)s_amount_positive"),
            models.UniqueConstraint(fields=["source_key"], condition=~Q(source_key=""),
                                    name="%(class)s_once_per_source"),
        ]

    def __str__(self):
        return self.number

    @property
    def outstanding(self):
        return self.amount - self.allocated

    # The one definition of overdue (FIN-6): past its due date, not fully settled, not
    # cancelled. Lists, the API, the customer page and reminders all use these two.
    @staticmethod
    def overdue_q(today=None):
        return (Q(due_on__lt=today or timezone.localdate(), allocated__lt=F("amount"))
                & ~Q(status=ReceivableStatus.CANCELLED))

    def overdue_days(self, today=None):
        today = today or timezone.localdate()
        if self.status == ReceivableStatus.CANCELLED or self.outstanding <= 0:
            return 0
        return max((today - self.due_on).days, 0)


class Receivable(DueBase):
    """Money a customer owes (应收款), from an order, a shipment, an instalment or by hand."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="receivables")
    order = models.ForeignKey("sales.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="receivables", editable=False)
    shipment = models.OneToOneField("sales.Shipment", verbose_name=_("shipping note"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="receivable", editable=False)
    instalment = models.OneToOneField("finance.Instalment", verbose_name=_("instalment"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="receivable", editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT,
                              related_name="receivables")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")

    class Meta(DueBase.Meta):
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        indexes = [
            models.Index(fields=["owner", "due_on"], name="receivable_owner"),
            models.Index(fields=["branch", "due_on"], name="receivable_branch"),
            models.Index(fields=["customer", "due_on"], name="receivable_customer"),
            models.Index(fields=["status", "due_on"], name="receivable_status"),
        ]

    def get_absolute_url(self):
        return reverse("finance:receivable_detail", args=[self.pk])


class Payable(DueBase):
    """Money we owe a supplier (应付款), from a goods receipt or by hand."""

    supplier = models.ForeignKey("purchasing.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT,
                                 related_name="payables")
    purchase_order = models.ForeignKey("purchasing.PurchaseOrder", verbose_name=_("purchase order"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="payables", editable=False)
    goods_receipt = models.OneToOneField("purchasing.GoodsReceipt", verbose_name=_("goods receipt"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="payable", editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("purchaser"), on_delete=models.PROTECT,
                              related_name="payables")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")

    class Meta(DueBase.Meta):
        verbose_name = _("payable")
        verbose_name_plural = _("payables")
        indexes = [
            models.Index(fields=["owner", "due_on"], name="payable_owner"),
            models.Index(fields=["branch", "due_on"], name="payable_branch"),
            models.Index(fields=["supplier", "due_on"], name="payable_supplier"),
        ]

    def get_absolute_url(self):
        return reverse("finance:payable_detail", args=[self.pk])


class ReceiptKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    REVERSAL = "reversal", _("Reversal")


class MoneyBase(TimeStampedModel):
    """Money that moved, in (a receipt) or out (a payment). A reversal is a movement of
    the opposite sign pointing at the one it undoes; both stay in the ledger."""

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=ReceiptKind.choices, default=ReceiptKind.RECEIPT,
                            editable=False)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by", editable=False)
    amount = money(_("amount"))
    allocated = money(_("allocated"), editable=False)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    method = models.ForeignKey("core.PickItem", verbose_name=_("method"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"list_key": "finance.payment_method", "is_active": True})
    reference = models.CharField(_("reference"), max_length=100, blank=True,
                                 help_text=_("Bank slip, transaction or cheque number."))
    notes = models.CharField(_("remarks"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="receipt", amount__gt=0, reverses__isnull=True, allocated__gte=0,
                             allocated__lte=F("amount"))
                           | Q(kind="reversal", amount__lt=0, reverses__isnull=False, allocated=0)),
                name="%(class)s_sign_and_allocation"),
        ]

    def __str__(self):
        return self.number

    @property
    def unallocated(self):
        return self.amount - self.allocated if self.kind == ReceiptKind.RECEIPT else ZERO

    @property
    def is_reversed(self):
        return self.kind == ReceiptKind.RECEIPT and hasattr(self, "reversed_by")


class Receipt(MoneyBase):
    """Money received from a customer (收款)."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="receipts")
    received_on = models.DateField(_("date received"), default=timezone.localdate)
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT,
                              related_name="receipts")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")

    class Meta(MoneyBase.Meta):
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        indexes = [
            models.Index(fields=["owner", "received_on"], name="receipt_owner"),
            models.Index(fields=["branch", "received_on"], name="receipt_branch"),
            models.Index(fields=["customer", "received_on"], name="receipt_customer"),
            models.Index(fields=["received_on"], name="receipt_day"),
        ]

    def get_absolute_url(self):
        return reverse("finance:receipt_detail", args=[self.pk])


class Payment(MoneyBase):
    """Money paid to a supplier (付款)."""

    supplier = models.ForeignKey("purchasing.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT,
                                 related_name="payments")
    paid_on = models.DateField(_("date paid"), default=timezone.localdate)
    payee = models.CharField(_("payee"), max_length=200, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("purchaser"), on_delete=models.PROTECT,
                              related_name="payments")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")

    class Meta(MoneyBase.Meta):
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [
            models.Index(fields=["owner", "paid_on"], name="payment_owner"),
            models.Index(fields=["branch", "paid_on"], name="payment_branch"),
            models.Index(fields=["supplier", "paid_on"], name="payment_supplier"),
        ]

    def get_absolute_url(self):
        return reverse("finance:payment_detail", args=[self.pk])


class AllocationBase(models.Model):
    """Part of a movement applied to a debt. Undone by marking it reversed."""

    amount = money(_("amount"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    # the names of the two sides' foreign keys (receipt → receivable, payment → payable)
    movement_field = debt_field = ""

    class Meta:
        abstract = True
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="%(class)s_amount_positive")]

    def __str__(self):
        return f"{getattr(self, self.movement_field + '_id')} → {getattr(self, self.debt_field + '_id')}: {self.amount}"

    @property
    def movement(self):
        return getattr(self, self.movement_field)

    @property
    def debt(self):
        return getattr(self, self.debt_field)


class Allocation(AllocationBase):
    movement_field, debt_field = "receipt", "receivable"
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="allocations")
    receivable = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="allocations")

    class Meta(AllocationBase.Meta):
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        indexes = [models.Index(fields=["receivable", "reversed_at"], name="allocation_receivable"),
                   models.Index(fields=["receipt", "reversed_at"], name="allocation_receipt")]


class PaymentAllocation(AllocationBase):
    movement_field, debt_field = "payment", "payable"
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    payable = models.ForeignKey(Payable, on_delete=models.PROTECT, related_name="allocations")

    class Meta(AllocationBase.Meta):
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        indexes = [models.Index(fields=["payable", "reversed_at"], name="pay_allocation_payable"),
                   models.Index(fields=["payment", "reversed_at"], name="pay_allocation_payment")]


# --- payment plans and invoices -----------------------------------------------------------
class PaymentPlan(TimeStampedModel):
    """A contract's instalments (付款计划); each becomes a receivable once the order is confirmed."""

    order = models.OneToOneField("sales.Order", verbose_name=_("order"), on_delete=models.PROTECT,
                                 related_name="payment_plan")
    notes = models.CharField(_("remarks"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   editable=False)

    scope_paths = ScopePaths(owner="order__owner", branch="order__branch")

    class Meta:
        verbose_name = _("payment plan")
        verbose_name_plural = _("payment plans")

    def __str__(self):
        return f"{self.order}"

    def get_absolute_url(self):
        return self.order.get_absolute_url()


class Instalment(models.Model):
    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    position = models.PositiveSmallIntegerField(default=1)
    due_on = models.DateField(_("due date"))
    amount = money(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    description = models.CharField(_("description"), max_length=100, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive")]

    def __str__(self):
        return f"{self.plan_id}#{self.position}"


class InvoiceKind(models.TextChoices):
    SPECIAL = "special", _("VAT special invoice (专票)")
    ORDINARY = "ordinary", _("VAT ordinary invoice (普票)")


class InvoiceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved, to be issued")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Invoice(TimeStampedModel):
    """A VAT invoice (发票) requested for an order, approved, then recorded as issued."""

    number = models.CharField(_("request number"), max_length=40, unique=True, editable=False)
    order = models.ForeignKey("sales.Order", verbose_name=_("order"), on_delete=models.PROTECT,
                              related_name="invoices")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="invoices", editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=InvoiceKind.choices, default=InvoiceKind.SPECIAL)
    amount = money(_("amount (tax included)"), validators=[MinValueValidator(Decimal("0.01"))])
    buyer_name = models.CharField(_("buyer name"), max_length=200)
    buyer_tax_id = models.CharField(_("buyer taxpayer ID"), max_length=30, blank=True)
    buyer_address_phone = models.CharField(_("buyer address and phone"), max_length=200, blank=True)
    buyer_bank_account = models.CharField(_("buyer bank and account"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.REQUESTED, editable=False)
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True, editable=False)
    issued_on = models.DateField(_("issued on"), null=True, blank=True, editable=False)
    notes = models.CharField(_("remarks"), max_length=300, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
                              related_name="invoices")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")

    scope_paths = ScopePaths(owner="order__owner", branch="branch")

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [models.Index(fields=["order"], name="invoice_order"),
                   models.Index(fields=["customer", "status"], name="invoice_customer"),
                   models.Index(fields=["branch", "created_at"], name="invoice_branch"),
                   models.Index(fields=["invoice_number"], name="invoice_number_issued")]

    def __str__(self):
        return self.invoice_number or self.number

    def get_absolute_url(self):
        return reverse("finance:invoice_detail", args=[self.pk])

    @property
    def can_be_issued(self):
        """Approved and not issued yet: the number from the tax system may be recorded."""
        return self.status == InvoiceStatus.APPROVED


# --- expenses (FIN-3) ---------------------------------------------------------------------
class ExpenseCategory(models.Model):
    """Categories (rent, utilities…) and their items, two levels, edited by finance."""

    parent = models.ForeignKey("self", verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="items")
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("expense category")
        verbose_name_plural = _("expense categories")
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name

    @property
    def name(self):
        return self.name_en if (translation.get_language() or "").startswith("en") else self.name_zh


class ExpenseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Expense(TimeStampedModel):
    """An expense (费用) of a person, department and branch, approved by the manager."""

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    category = models.ForeignKey(ExpenseCategory, verbose_name=_("category / item"), on_delete=models.PROTECT,
                                 related_name="expenses")
    amount = money(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    spent_on = models.DateField(_("date"), default=timezone.localdate)
    description = models.CharField(_("description"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=ExpenseStatus.choices,
                              default=ExpenseStatus.DRAFT, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                              related_name="expenses")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        indexes = [models.Index(fields=["owner", "spent_on"], name="expense_owner"),
                   models.Index(fields=["branch", "spent_on"], name="expense_branch"),
                   models.Index(fields=["status", "spent_on"], name="expense_status")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive")]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("finance:expense_detail", args=[self.pk])

    @property
    def is_editable(self):
        """A draft or a rejected expense may change (and be submitted again)."""
        return self.status in (ExpenseStatus.DRAFT, ExpenseStatus.REJECTED)


def _attachment_path(instance, filename):
    return f"expenses/{timezone.now():%Y/%m}/{instance.expense_id}-{instance.checksum[:16]}{instance.extension}"


class ExpenseAttachment(models.Model):
    """A receipt image or PDF; its type is read from its bytes, not trusted from the upload."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    checksum = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name
