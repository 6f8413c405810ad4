"""Customers, contacts, interactions and what surrounds them (CUS-1…10, ACT-1…4)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import SoftDeleteModel, TimeStampedModel
from guanxi.org.models import Department
from guanxi.org.scopes import ScopePaths

from . import regions
from .normalize import format_phone


class CustomerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    INDIVIDUAL = "individual", _("Individual")


class CustomerCategory(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    PROSPECT = "prospect", _("Prospect")
    COMPETITOR = "competitor", _("Competitor")
    PARTNER = "partner", _("Partner")
    SUPPLIER = "supplier", _("Supplier")


class LifecycleStage(models.TextChoices):
    ACQUISITION = "acquisition", _("Acquisition")
    GROWTH = "growth", _("Growth")
    MATURITY = "maturity", _("Maturity")
    DECLINE = "decline", _("Decline")
    DEPARTURE = "departure", _("Departure")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not given")
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


def _pick(list_key, verbose):
    return models.ForeignKey(
        "core.PickItem", verbose_name=verbose, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"list_key": list_key, "is_active": True},
    )


class Customer(TimeStampedModel, SoftDeleteModel):
    """A company or a person the company deals with. ``owner`` is empty while the
    customer sits in the public pool (公海)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.COMPANY)
    category = models.CharField(_("category"), max_length=20, choices=CustomerCategory.choices,
                                default=CustomerCategory.PROSPECT)
    industry = _pick("customers.industry", _("industry"))
    source = _pick("customers.source", _("source"))
    level = _pick("customers.level", _("level"))
    lifecycle_stage = models.CharField(_("lifecycle stage"), max_length=20, choices=LifecycleStage.choices,
                                       default=LifecycleStage.ACQUISITION)
    value_tier = models.CharField(_("value tier"), max_length=1, blank=True,
                                  choices=[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")])
    occupation = models.CharField(_("occupation"), max_length=60, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True, default="")
    province = models.CharField(_("province"), max_length=2, blank=True)
    city = models.CharField(_("city"), max_length=4, blank=True)
    district = models.CharField(_("district"), max_length=6, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    qq = models.CharField(_("QQ"), max_length=20, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    credit_limit = models.DecimalField(_("credit limit"), max_digits=14, decimal_places=2, default=Decimal("0"),
                                       validators=[MinValueValidator(Decimal("0"))])
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    notes = models.TextField(_("remarks"), blank=True, max_length=5000)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="customers")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    owned_since = models.DateTimeField(_("owned since"), null=True, blank=True, editable=False)
    last_contacted_at = models.DateTimeField(_("last contact"), null=True, blank=True, editable=False)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    last_deal_at = models.DateTimeField(_("last deal"), null=True, blank=True, editable=False)
    recycle_locked = models.BooleanField(_("kept from the pool"), default=False, editable=False)
    duplicate_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("duplicate approved by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )

    # Matching forms, maintained by the services (never typed).
    name_norm = models.CharField(max_length=200, editable=False, default="")
    # The name without region and trade words ("广州华达电子科技" → "华达"): groups likely
    # duplicates in the duplicate scan.
    name_core = models.CharField(max_length=200, editable=False, blank=True, default="")
    phone_norm = models.CharField(max_length=30, editable=False, blank=True, default="")
    mobile_norm = models.CharField(max_length=30, editable=False, blank=True, default="")
    email_norm = models.CharField(max_length=254, editable=False, blank=True, default="")
    search_tokens = models.TextField(editable=False, blank=True, default="")

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            # The lists' default order (newest first, the id breaking ties, as keyset pages
            # need) straight from an index, in every scope: an import stamps thousands of
            # rows with the same moment, so created_at alone leaves a sort of all of them.
            models.Index(fields=["created_at", "id"], name="customer_created_sort"),
            models.Index(fields=["owner", "created_at", "id"], name="customer_owner_created"),
            models.Index(fields=["branch", "created_at", "id"], name="customer_branch_created"),
            models.Index(fields=["name_norm"], name="customer_name_norm"),
            models.Index(fields=["name_core"], name="customer_name_core", condition=~Q(name_core="")),
            models.Index(fields=["name", "id"], name="customer_name_sort"),
            # Not partial: PostgreSQL proves a partial index's condition only for IN lists of
            # up to 100 values, and imports look up 2,000 numbers at a time.
            models.Index(fields=["phone_norm"], name="customer_phone_norm"),
            models.Index(fields=["mobile_norm"], name="customer_mobile_norm"),
            models.Index(fields=["email_norm"], name="customer_email_norm"),
            models.Index(fields=["owner", "next_follow_up_on"], name="customer_follow_up"),
            models.Index(fields=["branch", "owner"], name="customer_pool", condition=Q(owner__isnull=True)),
            models.Index(fields=["deleted_at"], name="customer_deleted", condition=Q(deleted_at__isnull=False)),
        ]
        constraints = [
            # Two live customers with the same normalized name need a manager's approval;
            # the database enforces it even when two people save at the same moment.
            models.UniqueConstraint(
                fields=["name_norm"], name="customer_unique_name_unless_approved",
                condition=Q(deleted_at__isnull=True, duplicate_override_by__isnull=True) & ~Q(name_norm=""),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:customer_detail", args=[self.pk])

    @property
    def in_pool(self):
        return self.owner_id is None

    @property
    def region_name(self):
        return regions.full_name(self.province, self.city, self.district)

    @property
    def province_name(self):
        return regions.name(self.province)

    @property
    def city_name(self):
        return regions.name(self.city)

    @property
    def phone_display(self):
        return format_phone(self.mobile_norm or self.phone_norm) or self.mobile or self.phone

    @classmethod
    def scope_extra(cls, user):
        """Customers shared with the user, and the public pool they may claim from."""
        from .selectors import pool_q  # cycle: selectors import these models

        shared = Q(pk__in=CustomerShare.objects.filter(user=user).values("customer_id"))
        return shared | pool_q(user)


class CustomerShare(models.Model):
    """A colleague the owner shares a customer with (协作人)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("colleague"), on_delete=models.CASCADE,
                             related_name="shared_customers")
    can_edit = models.BooleanField(_("may edit"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "user"], name="customer_share_once")]
        indexes = [models.Index(fields=["user", "customer"])]

    def __str__(self):
        return f"{self.customer} → {self.user}"


class OwnershipEvent(models.TextChoices):
    CREATED = "created", _("Created")
    CLAIMED = "claimed", _("Claimed from the pool")
    RELEASED = "released", _("Released to the pool")
    TRANSFERRED = "transferred", _("Transferred")
    RECYCLED = "recycled", _("Recycled to the pool")
    MERGED = "merged", _("Merged")


class OwnershipChange(models.Model):
    """Every change of a customer's owner (CUS-7): who, when, why."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ownership_changes")
    event = models.CharField(_("event"), max_length=20, choices=OwnershipEvent.choices)
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("from"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("to"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("ownership change")
        verbose_name_plural = _("ownership changes")
        indexes = [models.Index(fields=["customer", "created_at"])]

    def __str__(self):
        return f"{self.customer_id} {self.event}"


class Contact(TimeStampedModel, SoftDeleteModel):
    """A person at a customer, with a role (decision maker, purchaser …)."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="contacts")
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("job title"), max_length=60, blank=True)
    role = _pick("customers.contact_role", _("role"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True, default="")
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_primary = models.BooleanField(_("main contact"), default=False)
    notes = models.TextField(_("remarks"), blank=True, max_length=2000)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    phone_norm = models.CharField(max_length=30, editable=False, blank=True, default="")
    mobile_norm = models.CharField(max_length=30, editable=False, blank=True, default="")
    email_norm = models.CharField(max_length=254, editable=False, blank=True, default="")

    scope_paths = ScopePaths(owner="customer__owner", branch="customer__branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["customer", "name"], name="contact_customer_name"),
            # The global search finds contacts by the start of their name (LIKE '王%').
            models.Index(fields=["name"], name="contact_name_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["phone_norm"], name="contact_phone_norm"),
            models.Index(fields=["mobile_norm"], name="contact_mobile_norm"),
            models.Index(fields=["email_norm"], name="contact_email_norm"),
            models.Index(fields=["deleted_at"], name="contact_deleted", condition=Q(deleted_at__isnull=False)),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:contact_detail", args=[self.pk])

    @classmethod
    def scope_extra(cls, user):
        return Q(customer__in=Customer.objects.filter(Customer.scope_extra(user)).values("pk"))


class CustomerSettings(models.Model):
    """Company-wide rules of the public pool (one row)."""

    class PoolMode(models.TextChoices):
        BRANCH = "branch", _("One pool per branch")
        COMPANY = "company", _("One pool for the whole company")

    pool_mode = models.CharField(_("public pool"), max_length=10, choices=PoolMode.choices,
                                 default=PoolMode.BRANCH)
    claim_limit = models.PositiveIntegerField(
        _("customers a salesperson may own"), default=300,
        help_text=_("Claiming from the pool stops at this number; 0 means no limit."),
    )
    recycle_no_follow_up_days = models.PositiveIntegerField(
        _("recycle after days without follow-up"), default=30, help_text=_("0 turns this rule off."))
    recycle_no_deal_days = models.PositiveIntegerField(
        _("recycle after days without a deal"), default=90, help_text=_("0 turns this rule off."))
    recycle_warning_days = models.PositiveIntegerField(_("warn the owner this many days before"), default=3)
    reclaim_block_days = models.PositiveIntegerField(
        _("days before the previous owner may claim it back"), default=7)

    class Meta:
        verbose_name = _("customer settings")
        verbose_name_plural = _("customer settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls):
        """The settings row, or the defaults unsaved (reading never writes: the first save creates it)."""
        return cls.objects.order_by("pk").first() or cls()

    @classmethod
    def stored(cls):
        """The settings row, created with the defaults if there is none (for a service about to change it)."""
        return cls.objects.order_by("pk").first() or cls.objects.create()


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    IM = "im", _("Instant message")
    VISIT = "visit", _("On-site visit")
    WEBSITE = "website", _("Company website")
    LIVE_CHAT = "live_chat", _("Live chat")
    MARKETING = "marketing", _("Marketing material")
    SOCIAL = "social", _("Social media")


class Interaction(TimeStampedModel, SoftDeleteModel):
    """One contact with a customer (ACT-1): channel, summary, next follow-up."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="interactions")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="interactions")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.PHONE)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    summary = models.TextField(_("summary"), max_length=2000)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                               related_name="interactions")
    author_department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+", editable=False)

    scope_paths = ScopePaths(owner="customer__owner", branch="customer__branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["customer", "occurred_at"], name="interaction_customer"),
            models.Index(fields=["author", "occurred_at"], name="interaction_author"),
            models.Index(fields=["occurred_at"], name="interaction_when"),
            models.Index(fields=["deleted_at"], name="interaction_deleted", condition=Q(deleted_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.customer} · {self.get_channel_display()}"

    def get_absolute_url(self):
        return reverse("customers:interaction_detail", args=[self.pk])

    @classmethod
    def scope_extra(cls, user):
        """Interactions the user logged, and those of customers shared with them."""
        return Q(author_id=user.pk) | Q(customer__in=Customer.objects.filter(Customer.scope_extra(user)).values("pk"))


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("Open")
    HANDLED = "handled", _("Handled")


class Feedback(TimeStampedModel):
    """What a customer told us (CUS-8), handled by one department."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="feedback")
    kind = _pick("customers.feedback_kind", _("kind"))
    content = models.TextField(_("feedback"), max_length=4000)
    department = models.ForeignKey("org.Department", verbose_name=_("handled by department"),
                                   on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=FeedbackStatus.choices,
                              default=FeedbackStatus.OPEN)
    response = models.TextField(_("response"), blank=True, max_length=4000)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    scope_paths = ScopePaths(owner="customer__owner", branch="customer__branch")

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        indexes = [models.Index(fields=["department", "status", "created_at"], name="feedback_department")]

    def __str__(self):
        return self.content[:40]

    def get_absolute_url(self):
        return reverse("customers:feedback_detail", args=[self.pk])

    @classmethod
    def scope_extra(cls, user):
        """The handling department sees its feedback, whoever owns the customer."""
        if not user.department_id:
            return Q(created_by_id=user.pk)
        departments = {user.department_id}
        if user.department and user.tier != "execution":
            departments |= set(Department.objects.filter(path__startswith=user.department.path)
                               .values_list("pk", flat=True))
        return Q(department_id__in=departments) | Q(created_by_id=user.pk)


class DuplicateReason(models.TextChoices):
    SIMILAR = "similar", _("Similar name")
    PHONE = "phone", _("Same phone, another name")


class DuplicateFlag(models.Model):
    """A customer that may be the same as another (CUS-5): written by imports for rows not
    exactly a duplicate, listed on the duplicate scan until merged or dismissed."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="duplicate_flags")
    similar_to = models.ForeignKey(Customer, verbose_name=_("similar to"), on_delete=models.CASCADE,
                                   related_name="+")
    reason = models.CharField(_("reason"), max_length=10, choices=DuplicateReason.choices)
    score = models.PositiveSmallIntegerField(_("similarity"), default=0)
    source = models.CharField(_("source"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        indexes = [models.Index(fields=["dismissed_at", "created_at"], name="dupflag_open")]

    def __str__(self):
        return f"{self.customer_id} ~ {self.similar_to_id}"


class MergeRecord(models.Model):
    """A merge of two customers, with what is needed to undo it (CUS-5)."""

    master = models.ForeignKey(Customer, verbose_name=_("kept customer"), on_delete=models.CASCADE,
                               related_name="merges_in")
    duplicate = models.ForeignKey(Customer, verbose_name=_("merged customer"), on_delete=models.CASCADE,
                                  related_name="merges_out")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                              related_name="+")
    master_before = models.JSONField(default=dict)
    duplicate_before = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)  # {"app.model": [ids]}
    created_at = models.DateTimeField(_("merged at"), default=timezone.now)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        indexes = [models.Index(fields=["master", "created_at"])]

    def __str__(self):
        return f"{self.duplicate_id} → {self.master_id}"
