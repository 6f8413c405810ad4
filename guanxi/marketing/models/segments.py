"""Segments (MKT-3): a named group of customers, either a static list or a dynamic rule
set evaluated on demand (``rules``: see ``marketing/segment_rules.py``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import SoftDeleteModel, TimeStampedModel
from guanxi.org.scopes import ScopePaths


class SegmentKind(models.TextChoices):
    DYNAMIC = "dynamic", _("Dynamic (rules, always current)")
    STATIC = "static", _("Static list")


class Segment(TimeStampedModel, SoftDeleteModel):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    kind = models.CharField(_("kind"), max_length=10, choices=SegmentKind.choices, default=SegmentKind.DYNAMIC)
    # {"match": "all"|"any", "conditions": [{"field": …, "op": …, "value": …}, …]}
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    # The last count, with its time (the live count is computed on demand).
    member_count = models.PositiveIntegerField(_("members"), default=0, editable=False)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True, editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        indexes = [models.Index(fields=["owner", "created_at"], name="segment_owner"),
                   models.Index(fields=["branch", "created_at"], name="segment_branch"),
                   models.Index(fields=["deleted_at"], name="segment_deleted", condition=Q(deleted_at__isnull=False))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marketing:segment_detail", args=[self.pk])

    @property
    def is_static(self):
        return self.kind == SegmentKind.STATIC


class SegmentMember(models.Model):
    """A customer on a static segment's list."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("segment member")
        verbose_name_plural = _("segment members")
        constraints = [models.UniqueConstraint(fields=["segment", "customer"], name="segment_member_once")]
        indexes = [models.Index(fields=["customer"], name="segment_member_customer")]

    def __str__(self):
        return f"{self.segment} · {self.customer_id}"
