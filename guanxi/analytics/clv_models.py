"""Records of lifetime value, churn and basket rules (ANA-4, ANA-5): the computations run in
the worker as jobs with progress; their results are stored here and only read by pages."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    CLV = "clv", _("Lifetime value and churn")
    BASKET = "basket", _("Basket rules")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AnalysisJob(models.Model):
    """One computation (nightly or asked for): its progress while it runs, its summary after."""

    kind = models.CharField(_("kind"), max_length=10, choices=JobKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict)  # parameters, counts, back-test, seconds

    class Meta:
        verbose_name = _("analysis job")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "status", "-created_at"], name="analysis_job_kind")]

    def __str__(self):
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M} {self.status}"


class CustomerClv(models.Model):
    """A customer's latest lifetime value and churn figures (one row per customer with orders)."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="+")
    purchases = models.PositiveIntegerField(_("purchase days"))  # distinct days with a counted order
    first_order = models.DateField(_("first order"))
    last_order = models.DateField(_("last order"))
    spend = models.DecimalField(_("spend"), max_digits=16, decimal_places=2)
    average_value = models.DecimalField(_("expected value of a purchase"), max_digits=16, decimal_places=2)
    p_alive = models.FloatField(_("probability still active"))
    churn = models.FloatField(_("churn probability"))
    expected_90 = models.FloatField(_("expected purchases in 90 days"))
    clv = models.DecimalField(_("lifetime value"), max_digits=16, decimal_places=2)
    value_at_risk = models.DecimalField(_("value at risk"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("customer lifetime value")
        indexes = [models.Index(fields=["-value_at_risk"], name="clv_at_risk"),
                   models.Index(fields=["-clv"], name="clv_value")]

    def __str__(self):
        return f"{self.customer_id} {self.clv}"


class BasketRule(models.Model):
    """An association rule antecedent → consequent over the products of orders."""

    antecedent = models.JSONField(_("antecedent"))  # sorted product ids
    antecedent_key = models.CharField(max_length=200, db_index=True)  # "12,40": the ids joined
    consequent = models.ForeignKey("sales.Product", verbose_name=_("consequent"), on_delete=models.CASCADE,
                                   related_name="+")
    orders = models.PositiveIntegerField(_("orders with all"))
    support = models.FloatField(_("support"))
    confidence = models.FloatField(_("confidence"))
    lift = models.FloatField(_("lift"))

    class Meta:
        verbose_name = _("basket rule")
        ordering = ["-lift", "-confidence", "pk"]

    def __str__(self):
        return f"{self.antecedent_key} → {self.consequent_id}"


class BasketRuleItem(models.Model):
    """The products of a rule's antecedent, one row each, to find rules by product."""

    rule = models.ForeignKey(BasketRule, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("sales.Product", on_delete=models.CASCADE, related_name="+")
    size = models.PositiveSmallIntegerField()  # the antecedent's size

    class Meta:
        indexes = [models.Index(fields=["product", "size"], name="basket_item_product")]

    def __str__(self):
        return f"{self.rule_id}: {self.product_id}"


class ProductTierPopularity(models.Model):
    """How many customers of each value tier bought a product (for up-sell suggestions)."""

    tier = models.CharField(_("value tier"), max_length=1, blank=True)
    product = models.ForeignKey("sales.Product", on_delete=models.CASCADE, related_name="+")
    customers = models.PositiveIntegerField(_("customers"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tier", "product"], name="product_tier_popularity")]

    def __str__(self):
        return f"{self.tier or '-'} {self.product_id}: {self.customers}"
