"""Purchasing (PUR-1…3): suppliers, purchase orders and goods receipts.

Suppliers are a model of their own, not customers of category "supplier": they carry
bank and tax details and payment terms, belong to purchasers rather than salespeople,
and must stay out of the customer pool, duplicate check, recycling and customer KPIs.
A company that is both may link its customer record (``customer``). See docs/finance.md.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.models import SoftDeleteModel, TimeStampedModel
from guanxi.org.scopes import ScopePaths
from guanxi.sales.models import DocumentTotals, LineFields

ZERO = Decimal("0")


class Supplier(TimeStampedModel, SoftDeleteModel):
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)
    category = models.ForeignKey("core.PickItem", verbose_name=_("supplies"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 limit_choices_to={"list_key": "purchasing.supplier_category", "is_active": True})
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    tax_id = models.CharField(_("taxpayer ID"), max_length=30, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    payment_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("also our customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(_("remarks"), blank=True, max_length=4000)
    is_active = models.BooleanField(_("active"), default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("purchaser"), on_delete=models.PROTECT,
                              related_name="suppliers")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        indexes = [models.Index(fields=["owner", "created_at"], name="supplier_owner"),
                   models.Index(fields=["branch", "created_at"], name="supplier_branch"),
                   models.Index(fields=["name"], name="supplier_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("purchasing:supplier_detail", args=[self.pk])


class PurchaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    ORDERED = "ordered", _("Ordered")
    PARTLY_RECEIVED = "partly_received", _("Partly received")
    RECEIVED = "received", pgettext_lazy("goods", "Received")
    CANCELLED = "cancelled", _("Cancelled")


class PurchaseOrder(TimeStampedModel, DocumentTotals):
    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    supplier = models.ForeignKey(Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT,
                                 related_name="purchase_orders")
    status = models.CharField(_("status"), max_length=20, choices=PurchaseStatus.choices,
                              default=PurchaseStatus.DRAFT)
    order_date = models.DateField(_("order date"), default=timezone.localdate)
    expected_on = models.DateField(_("expected delivery"), null=True, blank=True)
    notes = models.TextField(_("remarks"), blank=True, max_length=4000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("purchaser"), on_delete=models.PROTECT,
                              related_name="purchase_orders")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField(null=True, blank=True, editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        indexes = [models.Index(fields=["owner", "created_at"], name="po_owner"),
                   models.Index(fields=["branch", "created_at"], name="po_branch"),
                   models.Index(fields=["supplier", "created_at"], name="po_supplier")]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("purchasing:order_detail", args=[self.pk])


class PurchaseOrderLine(LineFields):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    received_quantity = models.DecimalField(_("received"), max_digits=12, decimal_places=3, default=ZERO,
                                            editable=False)

    class Meta(LineFields.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(received_quantity__lte=F("quantity")) & Q(received_quantity__gte=0),
                                   name="po_line_not_over_received"),
        ]

    def __str__(self):
        return self.description

    @property
    def remaining(self):
        return self.quantity - self.received_quantity


class GoodsReceipt(TimeStampedModel):
    """Goods received against a purchase order (入库单), partly or wholly."""

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    order = models.ForeignKey(PurchaseOrder, verbose_name=_("purchase order"), on_delete=models.PROTECT,
                              related_name="goods_receipts")
    warehouse = models.ForeignKey("core.PickItem", verbose_name=_("warehouse"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  limit_choices_to={"list_key": "sales.warehouse", "is_active": True})
    received_on = models.DateField(_("date received"), default=timezone.localdate)
    notes = models.CharField(_("remarks"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   editable=False)

    scope_paths = ScopePaths(owner="order__owner", branch="order__branch")

    class Meta:
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")
        indexes = [models.Index(fields=["order", "received_on"])]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("purchasing:goods_receipt_detail", args=[self.pk])


class GoodsReceiptLine(models.Model):
    goods_receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3,
                                   validators=[MinValueValidator(Decimal("0.001"))])

    def __str__(self):
        return f"{self.goods_receipt_id}:{self.order_line_id}"
