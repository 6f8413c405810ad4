"""Models of the loyalty part of marketing (MKT-6, MKT-3): member cards, tiers, the points
ledger, points rules per branch, coupons and promotions.

The points ledger is append-only: a movement is never changed or deleted (``save`` and
``delete`` refuse it); a member's balance is kept on the card in the same transaction as
each movement (services/loyalty.py ``_post``), and always equals the sum of the movements."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import PerBranchSettings, TimeStampedModel
from guanxi.org.scopes import ScopePaths

__all__ = ["Coupon", "CouponKind", "CouponRedemption", "LoyaltySettings", "Member", "MemberTier",
           "PointsKind", "PointsMovement", "Promotion", "PromotionKind"]

ZERO = Decimal("0")


def _money(verbose, **kwargs):
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, validators=[MinValueValidator(ZERO)],
                               **kwargs)


class LoyaltySettings(PerBranchSettings, models.Model):  # noqa: DJ008 - __str__ from PerBranchSettings
    """Points rules per branch with a company default (MKT-6)."""

    branch = models.OneToOneField("org.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    yuan_per_point = models.DecimalField(_("yuan received per point"), max_digits=10, decimal_places=2,
                                         default=Decimal("10"), validators=[MinValueValidator(Decimal("0.01"))])
    point_value = models.DecimalField(_("value of one point (yuan)"), max_digits=8, decimal_places=4,
                                      default=Decimal("0.1"), validators=[MinValueValidator(Decimal("0.0001"))])
    expiry_months = models.PositiveSmallIntegerField(
        _("points expire after (months)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Points expire at the end of this month after the month they were earned in."))

    class Meta:
        verbose_name = _("points rules")
        verbose_name_plural = _("points rules")


class MemberTier(TimeStampedModel):
    """A tier (普通/银卡/金卡/钻石): reached with points earned or money spent in 12 months."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("rank"), default=0, help_text=_("Higher ranks are better tiers."))
    min_points = models.PositiveIntegerField(_("points earned in 12 months from"), default=0)
    min_spend = _money(_("or spend in 12 months from"))
    multiplier = models.DecimalField(_("points multiplier"), max_digits=4, decimal_places=2, default=Decimal("1"),
                                     validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("10"))])
    benefits = models.TextField(_("benefits"), blank=True, max_length=2000)
    price_list = models.ForeignKey("sales.PriceList", verbose_name=_("member price list"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("member tier")
        verbose_name_plural = _("member tiers")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class Member(TimeStampedModel):
    """A customer's member card (会员卡)."""

    customer = models.OneToOneField("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                    related_name="member")
    number = models.CharField(_("card number"), max_length=40, unique=True, editable=False)
    tier = models.ForeignKey(MemberTier, verbose_name=_("tier"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="members")
    joined_on = models.DateField(_("member since"), default=timezone.localdate)
    balance = models.IntegerField(_("points balance"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    scope_paths = ScopePaths(owner="customer__owner", branch="customer__branch")

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [models.Index(fields=["tier", "number"], name="member_tier")]

    def __str__(self):
        return f"{self.number} {self.customer}"

    def get_absolute_url(self):
        return reverse("marketing:member_detail", args=[self.pk])


class PointsKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Adjusted")
    REVERSE = "reverse", _("Reversed")


class AppendOnly(Exception):
    pass


class PointsMovement(models.Model):
    """One line of the points ledger. ``source_key`` makes every posting happen once
    (``receipt:12`` earns once, ``receipt-reversal:12`` takes it back once)."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=10, choices=PointsKind.choices)
    points = models.IntegerField(_("points"))
    amount = _money(_("amount"), help_text=_("The money the points were earned on or are worth."))
    source_key = models.CharField(_("source"), max_length=80, unique=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    order = models.ForeignKey("sales.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    scope_paths = ScopePaths(owner="member__customer__owner", branch="member__customer__branch")

    class Meta:
        verbose_name = _("points movement")
        verbose_name_plural = _("points movements")
        indexes = [models.Index(fields=["member", "created_at"], name="points_member_time")]
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="points_movement_not_zero")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.points:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnly("points movements are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("points movements are append-only")


class CouponKind(models.TextChoices):
    AMOUNT = "amount", _("Amount off")
    PERCENT = "percent", _("Percent off")


class Coupon(TimeStampedModel):
    """A coupon code (MKT-3): amount or percent off an order above a minimum, in a period."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=CouponKind.choices, default=CouponKind.AMOUNT)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0.01"))],
                                help_text=_("Yuan off, or percent off for a percent coupon."))
    min_order = _money(_("minimum order"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("uses in all"), null=True, blank=True, default=1,
                                           help_text=_("1 for a single-use coupon; empty for no limit."))
    per_customer_limit = models.PositiveIntegerField(_("uses per customer"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [models.CheckConstraint(condition=Q(kind="amount") | Q(value__lte=100),
                                              name="coupon_percent_at_most_100")]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("marketing:coupon_list")


class CouponRedemption(models.Model):
    """One use of a coupon on a quote or an order (a quote's use passes to its next version and
    to the order it becomes); ``use_number`` is unique per coupon, so two documents racing for
    the last use cannot both have it."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    use_number = models.PositiveIntegerField()
    order = models.ForeignKey("sales.Order", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    # The quote the coupon was first used on; the order it becomes takes the use over.
    quote = models.ForeignKey("sales.Quote", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    discount = _money(_("discount"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("coupon use")
        verbose_name_plural = _("coupon uses")
        constraints = [models.UniqueConstraint(fields=["coupon", "use_number"], name="coupon_use_once"),
                       models.UniqueConstraint(fields=["coupon", "order"], name="coupon_once_per_order"),
                       models.UniqueConstraint(fields=["coupon", "quote"], name="coupon_once_per_quote"),
                       models.CheckConstraint(condition=Q(order__isnull=False) | Q(quote__isnull=False),
                                              name="coupon_use_on_a_document")]

    def __str__(self):
        return f"{self.coupon_id}#{self.use_number}"


class PromotionKind(models.TextChoices):
    THRESHOLD = "threshold", _("Amount off above a threshold (满减)")
    CATEGORY_PERCENT = "category_percent", _("Percent off a category")


class Promotion(TimeStampedModel):
    """A promotion in a period: 满1000减100, or % off the products of a category."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PromotionKind.choices, default=PromotionKind.THRESHOLD)
    threshold = _money(_("order from"))
    amount_off = _money(_("amount off"))
    category = models.ForeignKey("core.PickItem", verbose_name=_("product category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 limit_choices_to={"list_key": "sales.product_category"})
    percent_off = models.DecimalField(_("percent off"), max_digits=5, decimal_places=2, default=ZERO,
                                      validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))])
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        indexes = [models.Index(fields=["is_active", "valid_from", "valid_until"], name="promotion_period")]

    def __str__(self):
        return self.name
