from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import SoftDeleteModel, TimeStampedModel
from guanxi.customers.models import Customer, CustomerCategory
from guanxi.org.scopes import ScopePaths


class NewsKind(models.TextChoices):
    INDUSTRY = "industry", _("Industry news")
    COMPETITOR = "competitor", _("Competitor intelligence")


class IntelType(models.TextChoices):
    PRODUCT = "product", _("Product")
    PRICE = "price", _("Price")
    DEAL_WON = "deal_won", _("Deal we won against them")
    DEAL_LOST = "deal_lost", _("Deal we lost to them")
    ACTIVITY = "activity", _("Market activity")
    OTHER = "other", _("Other")


class NewsVisibility(models.TextChoices):
    COMPANY = "company", _("Everyone in the company")
    BRANCH = "branch", _("My branch")


class NewsTag(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class NewsItem(TimeStampedModel, SoftDeleteModel):
    """Industry news or intelligence on a competitor, posted by staff (WRK-3, WRK-4) and
    read at every level: company-wide by default, or within the author's branch."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("posted by"), on_delete=models.PROTECT,
                              related_name="news_items")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=NewsKind.choices, default=NewsKind.INDUSTRY)
    title = models.CharField(_("title"), max_length=200)
    # Sanitized HTML (workplace.richtext).
    body = models.TextField(_("text"), blank=True, max_length=40000)
    source = models.CharField(_("source"), max_length=100, blank=True)
    source_url = models.URLField(_("link"), max_length=500, blank=True)
    tags = models.ManyToManyField(NewsTag, verbose_name=_("tags"), blank=True, related_name="items")
    visibility = models.CharField(_("visible to"), max_length=10, choices=NewsVisibility.choices,
                                  default=NewsVisibility.COMPANY)
    published_at = models.DateTimeField(_("published"), default=timezone.now, editable=False)
    competitor = models.ForeignKey(Customer, verbose_name=_("competitor"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   limit_choices_to={"category": CustomerCategory.COMPETITOR})
    intel_type = models.CharField(_("intelligence type"), max_length=20, choices=IntelType.choices, blank=True)
    product = models.CharField(_("product"), max_length=200, blank=True)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        indexes = [
            models.Index(fields=["published_at"], name="news_published"),
            models.Index(fields=["competitor", "published_at"], name="news_competitor",
                         condition=Q(competitor__isnull=False)),
            models.Index(fields=["owner", "published_at"], name="news_owner"),
            models.Index(fields=["deleted_at"], name="news_deleted", condition=Q(deleted_at__isnull=False)),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workplace:news_detail", args=[self.pk])

    @classmethod
    def scope_extra(cls, user):
        """News is read at every level: the company's, and the user's branch's."""
        q = Q(visibility=NewsVisibility.COMPANY)
        if user.branch_id:
            q |= Q(visibility=NewsVisibility.BRANCH, branch_id=user.branch_id)
        return q


class Competitor(Customer):
    """Customers of category competitor, seen as the company-wide reference list that
    intelligence and opportunities point to (the opportunity form offers every one)."""

    class Meta:
        proxy = True
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")

    def get_absolute_url(self):
        return reverse("workplace:competitor_detail", args=[self.pk])

    @classmethod
    def scope_extra(cls, user):
        return Q(category=CustomerCategory.COMPETITOR)
