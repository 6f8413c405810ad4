"""The organization: company → branches → departments → employees, and job roles."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from guanxi.core import memo
from guanxi.core.models import TimeStampedModel
from guanxi.core.permissions import all_codes


class Company(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name


class Branch(TimeStampedModel):
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="branches")
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    is_headquarters = models.BooleanField(_("headquarters"), default=False)
    parent = models.ForeignKey(
        "self", verbose_name=_("reports to"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    city = models.CharField(_("city"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    head = models.ForeignKey(
        "org.User", verbose_name=_("branch head"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["-is_headquarters", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=Q(is_headquarters=True), name="branch_one_headquarters"
            ),
            models.UniqueConstraint(fields=["company", "name"], name="branch_unique_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:branch_edit", args=[self.pk])


class DepartmentKind(models.TextChoices):
    SALES = "sales", _("Sales")
    CUSTOMER = "customer", _("Customer")
    FINANCE = "finance", _("Finance")
    PURCHASING = "purchasing", _("Purchasing")
    SERVICE = "service", _("Service")
    MANAGEMENT = "management", _("Management")
    OTHER = "other", _("Other")


class Department(TimeStampedModel):
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="departments")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent department"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.SALES)
    manager = models.ForeignKey(
        "org.User", verbose_name=_("manager"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Materialized path of ids ("/3/7/"): a department tree is one indexed prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["branch__name", "path"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="department_unique_name_in_branch"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:department_edit", args=[self.pk])

    @property
    def depth(self):
        return max(self.path.count("/") - 2, 0)


class Tier(models.TextChoices):
    DECISION = "decision", _("Decision")
    MANAGEMENT = "management", _("Management")
    EXECUTION = "execution", _("Execution")


class DataScope(models.TextChoices):
    OWN = "own", _("Own records")
    SUBORDINATES = "subordinates", _("Own and subordinates'")
    DEPARTMENT = "department", _("Department")
    DEPARTMENT_TREE = "department_tree", _("Department and sub-departments")
    BRANCH = "branch", _("Branch")
    ALL = "all", _("Everything")


TIER_DEFAULT_SCOPE = {
    Tier.EXECUTION: DataScope.OWN,
    Tier.MANAGEMENT: DataScope.DEPARTMENT_TREE,
    Tier.DECISION: DataScope.ALL,
}


class Role(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    data_scope = models.CharField(_("data scope"), max_length=20, choices=DataScope.choices, default=DataScope.OWN)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    is_system = models.BooleanField(_("built in"), default=False, editable=False)
    # Modules whose default grants this role has received (see roles_sync_defaults).
    known_modules = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("job role")
        verbose_name_plural = _("job roles")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:role_edit", args=[self.pk])

    @property
    def name(self):
        lang = translation.get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") else self.name_zh


class EmployeeManager(UserManager):
    pass


class User(AbstractUser):
    """An employee. Leavers are deactivated, never deleted: their records stay."""

    display_name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("mobile"), max_length=20, blank=True)
    title = models.CharField(_("job title"), max_length=60, blank=True)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.EXECUTION)
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), null=True, blank=True, on_delete=models.PROTECT, related_name="employees"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="employees",
    )
    manager = models.ForeignKey(
        "self", verbose_name=_("reports to"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    roles = models.ManyToManyField(Role, verbose_name=_("job roles"), blank=True, related_name="users")
    language = models.CharField(_("language"), max_length=10, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = EmployeeManager()  # type: ignore[misc]  # AbstractUser's UserManager, extended

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["username"]
        indexes = [models.Index(fields=["department", "is_active"]), models.Index(fields=["branch", "is_active"])]

    def __str__(self):
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("org:employee_detail", args=[self.pk])

    # --- permissions ---------------------------------------------------------------
    @property
    def role_list(self):
        """The user's roles, read once per request (permissions and data scope both need them)."""
        if not hasattr(self, "_role_list"):
            # Remembered per user until a role or an assignment changes (core.memo).
            self._role_list = (memo.remember(f"org:roles:{self.pk}", lambda: list(self.roles.all()))
                               if self.pk else [])
        return self._role_list

    @property
    def permission_codes(self):
        """Return the set of ``module.action`` codes the user's roles grant (cached)."""
        if not hasattr(self, "_permission_codes"):
            if not self.is_active:
                codes = set()
            elif self.is_superuser:
                codes = all_codes()
            else:
                codes = set()
                for role in self.role_list:
                    codes.update(role.permissions)
            self._permission_codes = codes
        return self._permission_codes

    def has_module_perm(self, code):
        return code in self.permission_codes

    def has_any_module_perm(self, module):
        prefix = module + "."
        return any(code.startswith(prefix) for code in self.permission_codes)
