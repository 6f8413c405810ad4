"""Sales: products, price lists, leads, pipelines and opportunities, quotes, orders and
shipping notes (SAL-1…6, SAL-10). Every amount is Decimal; totals are computed by the
services (see ``money.py`` for the rounding rule)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import PerBranchSettings, SoftDeleteModel, TimeStampedModel
from guanxi.core.money import default_tax_rate
from guanxi.customers.normalize import phone_or_none
from guanxi.org.scopes import ScopePaths, departments_in_scope

ZERO = Decimal("0")


def _pick(list_key, verbose, **kwargs):
    return models.ForeignKey("core.PickItem", verbose_name=verbose, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", limit_choices_to={"list_key": list_key, "is_active": True}, **kwargs)


def money(verbose, **kwargs):
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, **kwargs)


class Product(TimeStampedModel):
    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    model_number = models.CharField(_("model"), max_length=100, blank=True)
    category = _pick("sales.product_category", _("category"))
    unit = models.CharField(_("unit"), max_length=10, default="件")
    list_price = money(_("list price"), validators=[MinValueValidator(ZERO)])
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4, default=default_tax_rate,
                                   validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("1"))])
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["name"]), models.Index(fields=["is_active", "sku"])]

    def __str__(self):
        return f"{self.sku} {self.name}"

    def get_absolute_url(self):
        return reverse("sales:product_edit", args=[self.pk])


class PriceList(TimeStampedModel):
    """Prices for customers of one level (VIP, key…), for one customer (one-to-one prices,
    MKT-3), or for a member tier (marketing points at it); the list price applies otherwise.
    Precedence (``services.price_for``): customer > member tier > level > list price."""

    name = models.CharField(_("name"), max_length=100)
    level = models.OneToOneField("core.PickItem", verbose_name=_("customer level"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 limit_choices_to={"list_key": "customers.level"})
    customer = models.OneToOneField("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="price_list")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [models.CheckConstraint(condition=Q(level__isnull=True) | Q(customer__isnull=True),
                                              name="price_list_level_or_customer")]

    @classmethod
    def valid_q(cls, on, prefix=""):
        """Active and valid on the day ``on``."""
        return (Q(**{f"{prefix}is_active": True})
                & (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": on}))
                & (Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": on})))

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sales:price_list_edit", args=[self.pk])


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+")
    price = money(_("price"), validators=[MinValueValidator(ZERO)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["price_list", "product"], name="price_list_item_once")]

    def __str__(self):
        return f"{self.price_list_id}:{self.product_id}"


# --- pipeline ------------------------------------------------------------------------
class Pipeline(models.Model):
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="one_default_pipeline")]

    def __str__(self):
        return self.name


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Stage(models.Model):
    """A step of a pipeline, with the probability of winning at that step (SAL-2)."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name_zh = models.CharField(_("name (Chinese)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"))
    probability = models.PositiveSmallIntegerField(_("probability (%)"), validators=[MaxValueValidator(100)])
    kind = models.CharField(_("kind"), max_length=10, choices=StageKind.choices, default=StageKind.OPEN)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "position"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        lang = translation.get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") else self.name_zh


class Opportunity(TimeStampedModel, SoftDeleteModel):
    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="opportunities")
    contact = models.ForeignKey("customers.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+")
    amount = money(_("amount"), validators=[MinValueValidator(ZERO)])
    expected_close_on = models.DateField(_("expected close"), null=True, blank=True)
    competitor = models.ForeignKey("customers.Customer", verbose_name=_("competitor"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   limit_choices_to={"category": "competitor"})
    lost_reason = _pick("sales.lost_reason", _("lost reason"))
    source = _pick("customers.source", _("source"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="opportunities")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    stage_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    notes = models.TextField(_("remarks"), blank=True, max_length=4000)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["owner", "created_at"], name="opportunity_owner"),
            models.Index(fields=["branch", "created_at"], name="opportunity_branch"),
            models.Index(fields=["stage", "owner"], name="opportunity_stage"),
            # The board's won and lost columns: the newest of a stage without reading them all.
            models.Index(fields=["stage", "-stage_changed_at"], name="opportunity_stage_recent"),
            models.Index(fields=["customer"], name="opportunity_customer"),
            models.Index(fields=["deleted_at"], name="opportunity_deleted", condition=Q(deleted_at__isnull=False)),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sales:opportunity_detail", args=[self.pk])

    def clean(self):
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            raise ValidationError({"contact": _("Choose a contact of this customer.")})


class StageChange(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    amount = money(_("amount"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["opportunity", "created_at"])]

    def __str__(self):
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"


# --- leads ---------------------------------------------------------------------------
class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted")
    LOST = "lost", _("Lost")


class Lead(TimeStampedModel, SoftDeleteModel):
    company = models.CharField(_("company"), max_length=200)
    name = models.CharField(_("contact person"), max_length=60, blank=True)
    title = models.CharField(_("job title"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    mobile_norm = models.CharField(max_length=30, editable=False, blank=True, default="")
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    source = _pick("customers.source", _("source"))
    status = models.CharField(_("status"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="leads")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("remarks"), blank=True, max_length=4000)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+", editable=False)
    opportunity = models.ForeignKey(Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    editable=False)
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True, editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [models.Index(fields=["owner", "created_at"], name="lead_owner"),
                   models.Index(fields=["branch", "created_at"], name="lead_branch"),
                   models.Index(fields=["mobile_norm"], name="lead_mobile_norm")]

    def __str__(self):
        return self.company

    def get_absolute_url(self):
        return reverse("sales:lead_detail", args=[self.pk])

    def clean(self):
        # full_clean runs for every lead saved by a service or an import: the search's
        # phone column follows the mobile however it was typed.
        self.mobile_norm = phone_or_none(self.mobile) or ""


# --- quotes, orders, shipping notes ------------------------------------------------------
class LineFields(models.Model):
    """A priced line: quantity × price − discount + tax, computed by ``money.line_totals``."""

    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3,
                                   validators=[MinValueValidator(Decimal("0.001"))])
    unit = models.CharField(_("unit"), max_length=10, default="件")
    unit_price = money(_("unit price"), validators=[MinValueValidator(ZERO)])
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=ZERO,
                                           validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))])
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4, default=default_tax_rate,
                                   validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("1"))])
    subtotal = money(_("subtotal"), editable=False)
    discount = money(_("discount"), editable=False)
    tax = money(_("tax"), editable=False)
    total = money(_("total"), editable=False)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class DocumentTotals(models.Model):
    subtotal = money(_("subtotal"), editable=False)
    discount_total = money(_("discount"), editable=False)
    tax_total = money(_("tax"), editable=False)
    total = money(_("total"), editable=False)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)

    class Meta:
        abstract = True


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Replaced by a new version")


class Quote(TimeStampedModel, DocumentTotals):
    number = models.CharField(_("number"), max_length=40, editable=False)
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="next_version", editable=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="quotes")
    contact = models.ForeignKey("customers.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="quotes")
    status = models.CharField(_("status"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    terms = models.TextField(_("terms"), blank=True, max_length=4000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="quotes")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    adjustment_total = money(_("coupons and promotions"), editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        indexes = [models.Index(fields=["owner", "created_at"], name="quote_owner"),
                   models.Index(fields=["branch", "created_at"], name="quote_branch"),
                   models.Index(fields=["customer", "created_at"], name="quote_customer"),
                   # The global search finds a number while it is typed (LIKE 'QT-2026-00%').
                   models.Index(fields=["number"], name="quote_number_prefix", opclasses=["varchar_pattern_ops"])]
        constraints = [models.UniqueConstraint(fields=["number", "version"], name="quote_number_version")]

    def __str__(self):
        return f"{self.number} v{self.version}"

    def get_absolute_url(self):
        return reverse("sales:quote_detail", args=[self.pk])


class QuoteLine(LineFields):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")

    class Meta(LineFields.Meta):
        pass

    def __str__(self):
        return self.description


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    CONFIRMED = "confirmed", _("Confirmed")
    PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Order(TimeStampedModel, DocumentTotals):
    """A contract order (SAL-4)."""

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="orders")
    contact = models.ForeignKey("customers.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    quote = models.OneToOneField(Quote, verbose_name=_("quote"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="order", editable=False)
    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="orders")
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    order_date = models.DateField(_("order date"), default=timezone.localdate)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    contract_ends_on = models.DateField(_("contract ends"), null=True, blank=True)
    notes = models.TextField(_("remarks"), blank=True, max_length=4000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="orders")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    adjustment_total = money(_("coupons, promotions and points"), editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["owner", "created_at"], name="order_owner"),
                   models.Index(fields=["branch", "created_at"], name="order_branch"),
                   models.Index(fields=["customer", "created_at"], name="order_customer"),
                   models.Index(fields=["status", "delivery_date"], name="order_delivery"),
                   # period figures (analytics' measures and reports) read a range of order dates
                   models.Index(fields=["order_date"], name="order_order_date")]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("sales:order_detail", args=[self.pk])

    @property
    def is_cancelled(self):
        return self.status == OrderStatus.CANCELLED


class OrderLine(LineFields):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    shipped_quantity = models.DecimalField(_("shipped"), max_digits=12, decimal_places=3, default=ZERO,
                                           editable=False)

    class Meta(LineFields.Meta):
        constraints = [
            # Never more shipped than ordered, whatever the code above does.
            models.CheckConstraint(condition=Q(shipped_quantity__lte=F("quantity")) & Q(shipped_quantity__gte=0),
                                   name="order_line_not_over_shipped"),
        ]

    def __str__(self):
        return self.description

    @property
    def remaining(self):
        return self.quantity - self.shipped_quantity


class AdjustmentKind(models.TextChoices):
    COUPON = "coupon", _("Coupon")
    PROMOTION = "promotion", _("Promotion")
    POINTS = "points", _("Points")


class OrderAdjustment(models.Model):
    """An amount taken off a quote or an order as a whole (a coupon, a promotion, points
    redeemed): the document's total is its lines' total less these
    (``services.adjustment_add``). Accepting a quote copies its adjustments to the order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="adjustments", null=True, blank=True)
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="adjustments", null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=AdjustmentKind.choices)
    label = models.CharField(_("description"), max_length=200)
    amount = money(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    key = models.CharField(max_length=80, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("order adjustment")
        verbose_name_plural = _("order adjustments")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(order__isnull=True) ^ Q(quote__isnull=True),
                                              name="adjustment_of_one_document")]

    def __str__(self):
        return self.label


class Shipment(TimeStampedModel):
    """A shipping note made from an order (SAL-5)."""

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments")
    warehouse = _pick("sales.warehouse", _("warehouse"))
    ship_date = models.DateField(_("ship date"), default=timezone.localdate)
    notes = models.CharField(_("remarks"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   editable=False)

    scope_paths = ScopePaths(owner="order__owner", branch="order__branch")

    class Meta:
        verbose_name = _("shipping note")
        verbose_name_plural = _("shipping notes")
        indexes = [models.Index(fields=["order", "ship_date"])]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("sales:shipment_detail", args=[self.pk])


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="shipment_lines")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3,
                                   validators=[MinValueValidator(Decimal("0.001"))])

    def __str__(self):
        return f"{self.shipment_id}:{self.order_line_id}"


class WinOn(models.TextChoices):
    QUOTE_ACCEPTED = "quote_accepted", _("Quote accepted")
    ORDER_CONFIRMED = "order_confirmed", _("Order confirmed")
    NEVER = "never", _("Never (moved by hand)")


class SalesSettings(PerBranchSettings, models.Model):  # noqa: DJ008 - __str__ from PerBranchSettings
    """Rules of the sales module, per branch (ACT-5 thresholds) with a company default."""

    branch = models.OneToOneField("org.Branch", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+")
    large_deal_threshold = money(_("large-deal alert from"), default=Decimal("500000"))
    discount_limit_percent = models.DecimalField(
        _("discount without approval up to (%)"), max_digits=5, decimal_places=2, default=Decimal("10"))
    delivery_reminder_days = models.PositiveSmallIntegerField(
        _("remind of deliveries due within (days)"), default=3, validators=[MaxValueValidator(60)])
    win_opportunity_on = models.CharField(_("move the opportunity to won on"), max_length=20, choices=WinOn.choices,
                                          default=WinOn.ORDER_CONFIRMED)

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")



# --- targets (SAL-8) -------------------------------------------------------------------
class TargetLevel(models.TextChoices):
    BRANCH = "branch", _("Branch")
    DEPARTMENT = "department", _("Department")
    PERSON = "person", _("Person")


class Target(TimeStampedModel):
    """A yearly (month 0) or monthly target of order amount and new customers for a
    branch, a department (with the departments below it) or a person."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(_("month"), default=0, validators=[MaxValueValidator(12)],
                                             help_text=_("0 for the whole year"))
    level = models.CharField(_("level"), max_length=12, choices=TargetLevel.choices)
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="sales_targets")
    subject_key = models.CharField(max_length=30, editable=False)
    amount = money(_("order amount target"), validators=[MinValueValidator(ZERO)])
    new_customers = models.PositiveIntegerField(_("new customers target"), default=0)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)

    scope_paths = ScopePaths(owner="user", branch="branch")

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        indexes = [models.Index(fields=["year", "month"], name="target_period"),
                   models.Index(fields=["user", "year"], name="target_user")]
        constraints = [models.UniqueConstraint(fields=["subject_key", "year", "month"], name="target_once")]

    def __str__(self):
        return f"{self.subject} {self.year}{f'-{self.month:02d}' if self.month else ''}"

    @property
    def subject(self):
        return {TargetLevel.BRANCH: self.branch, TargetLevel.DEPARTMENT: self.department,
                TargetLevel.PERSON: self.user}[self.level]

    @classmethod
    def scope_extra(cls, user):
        """Department targets: seen by those whose scope covers the department."""

        return Q(level=TargetLevel.DEPARTMENT, department__in=departments_in_scope(user).values("pk"))


# --- commissions and pay (SAL-9) -------------------------------------------------------------
class CommissionBasis(models.TextChoices):
    RECEIVED = "received", _("Money received")
    ORDERED = "ordered", _("Confirmed order amount")


class CommissionMethod(models.TextChoices):
    PROGRESSIVE = "progressive", _("Each part of the amount at its tier's rate")
    STEP = "step", _("The whole amount at the rate of the highest tier reached")


class CommissionRule(TimeStampedModel):
    """How a month's sales become commission: a basis and tiers of rates. A branch's
    active rule applies to its salespeople; the company rule (no branch) otherwise."""

    name = models.CharField(_("name"), max_length=100)
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+", help_text=_("Empty: the whole company"))
    basis = models.CharField(_("basis"), max_length=10, choices=CommissionBasis.choices,
                             default=CommissionBasis.RECEIVED)
    method = models.CharField(_("method"), max_length=12, choices=CommissionMethod.choices,
                              default=CommissionMethod.PROGRESSIVE)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")
        constraints = [
            models.UniqueConstraint(fields=["branch"], condition=Q(is_active=True), name="one_active_rule_per_branch"),
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True, branch__isnull=True),
                                    name="one_active_company_rule"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("finance:commission_rule_edit", args=[self.pk])


class CommissionTier(models.Model):
    rule = models.ForeignKey(CommissionRule, on_delete=models.CASCADE, related_name="tiers")
    threshold = money(_("from amount"), validators=[MinValueValidator(ZERO)])
    rate_percent = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2,
                                       validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))])

    class Meta:
        ordering = ["threshold"]
        constraints = [models.UniqueConstraint(fields=["rule", "threshold"], name="commission_tier_once")]

    def __str__(self):
        return f"≥{self.threshold}: {self.rate_percent}%"


class SalaryEntry(TimeStampedModel):
    """A person's pay for a month other than commission, entered by finance."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="salary_entries")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    month = models.DateField(_("month"), help_text=_("The first day of the month"))
    base_salary = money(_("base salary"), validators=[MinValueValidator(ZERO)])
    allowance = money(_("allowances"), validators=[MinValueValidator(ZERO)])
    bonus = money(_("bonus"), validators=[MinValueValidator(ZERO)])
    deductions = money(_("deductions"), validators=[MinValueValidator(ZERO)])
    notes = models.CharField(_("remarks"), max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   editable=False)

    scope_paths = ScopePaths(owner="user", branch="branch")

    class Meta:
        verbose_name = _("salary entry")
        verbose_name_plural = _("salary entries")
        constraints = [models.UniqueConstraint(fields=["user", "month"], name="salary_once_per_month")]

    def __str__(self):
        return f"{self.user} {self.month:%Y-%m}"


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")


class CommissionStatement(TimeStampedModel):
    """A salesperson's month: the basis, the commission it earned under the rule of the
    time (kept as a snapshot), the salary finance entered and the expenses claimed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT,
                             related_name="commission_statements")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    rule = models.ForeignKey(CommissionRule, verbose_name=_("rule"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    rule_snapshot = models.JSONField(default=dict, blank=True)
    basis_amount = money(_("basis"))
    commission = money(_("commission"))
    base_salary = money(_("base salary"))
    allowance = money(_("allowances"))
    bonus = money(_("bonus"))
    deductions = money(_("deductions"))
    expenses = money(_("expenses claimed"))
    status = models.CharField(_("status"), max_length=10, choices=StatementStatus.choices,
                              default=StatementStatus.DRAFT)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    scope_paths = ScopePaths(owner="user", branch="branch")

    class Meta:
        verbose_name = _("commission statement")
        verbose_name_plural = _("commission statements")
        indexes = [models.Index(fields=["month", "branch"], name="statement_month")]
        constraints = [models.UniqueConstraint(fields=["user", "month"], name="statement_once_per_month")]

    def __str__(self):
        return f"{self.user} {self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("finance:statement_detail", args=[self.pk])

    @property
    def is_draft(self):
        """Not confirmed yet: figures are recomputed and it may be confirmed."""
        return self.status == StatementStatus.DRAFT

    @property
    def total_pay(self):
        return self.base_salary + self.allowance + self.bonus + self.commission - self.deductions
