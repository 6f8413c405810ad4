"""Base models and the records the UI kit keeps (saved views, idempotency keys)."""

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class LiveManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(models.Model):
    """Opt-in recycle bin: deleting sets ``deleted_at``; restore clears it.

    ``objects`` sees live records only; ``all_objects`` sees everything. Register the
    model with ``guanxi.core.recycle`` to list it in the recycle bin.
    """

    # Not indexed here: nearly every row has NULL, and an index on it tempts the planner
    # away from the index that serves the list's ORDER BY. Models add a partial index on
    # deleted rows for the recycle bin.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = LiveManager()
    all_objects = models.Manager()  # noqa: DJ012 - ruff reads a plain Manager as a field

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_deleted(self):
        return self.deleted_at is not None


class PerBranchSettings:
    """A module's rules with one row per branch and the company default (``branch`` null);
    mixed into the settings model, which declares ``branch``."""

    def __str__(self):
        return str(self.branch or _("company default"))

    @classmethod
    def for_branch(cls, branch_id):
        """The branch's own rules, else the company default, else the built-in defaults."""
        return (cls.objects.filter(branch_id=branch_id).first() or cls.objects.filter(branch__isnull=True).first()
                or cls(branch=None))

    @classmethod
    def rows_for(cls, branches):
        """For the settings page: (branch, its own rules or None) for each of ``branches``
        (None is the company default), and the company default (built-in when none saved)."""
        own = {s.branch_id: s for s in cls.objects.all()}
        return [(branch, own.get(branch.pk if branch else None)) for branch in branches], own.get(None) or cls()


class SavedView(models.Model):
    """A named set of list filters, private or shared with everyone who sees the list."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    list_key = models.CharField(_("list"), max_length=80)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    is_shared = models.BooleanField(_("shared"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(fields=["owner", "list_key", "name"], name="saved_view_unique_name"),
        ]
        indexes = [models.Index(fields=["list_key", "is_shared"])]

    def __str__(self):
        return self.name


class IdempotencyRecord(models.Model):
    """The first result of a request sent with an ``Idempotency-Key``.

    The same key with the same body replays this result; the row is unique per user
    and key, so two concurrent requests cannot both apply. The result is stored in the
    transaction of the write itself (see ``guanxi.api.middleware``).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The request that runs it: a retry takes an unfinished record over after a lease.
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key")]

    def __str__(self):
        return self.key


class PickItem(models.Model):
    """One value of an administrator-editable pick-list (industries, sources, levels…).

    Lists are registered in code (``core.picklists``); their values are rows.
    """

    list_key = models.CharField(_("list"), max_length=40)
    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pick-list value")
        verbose_name_plural = _("pick-list values")
        ordering = ["list_key", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["list_key", "code"], name="pickitem_unique_code")]

    def __str__(self):
        return self.name

    @property
    def name(self):
        lang = translation.get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") else self.name_zh


class Notification(models.Model):
    """An in-app notice for one person (reminders, alerts, assignments)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True, max_length=2000)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Makes a notice idempotent: the same (recipient, dedupe_key) is only created once.
    dedupe_key = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""),
                                    name="notification_once"),
        ]

    def __str__(self):
        return self.title


class NotificationPreference(models.Model):
    """How one person wants one kind of notice: in the app, by e-mail, in the nightly
    digest. Without a row the kind's defaults apply (core.notifications)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=40)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=False)
    digest = models.BooleanField(_("in the daily digest"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self):
        return f"{self.user_id} · {self.kind}"


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", pgettext_lazy("kind of value", "Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTI = "multi", _("Multiple choice")


class CustomField(models.Model):
    """A field an administrator adds to a record type (ORG-7). Values live in the
    record's ``custom`` JSON under ``key``, validated by ``core.custom_fields``."""

    entity = models.CharField(_("record type"), max_length=40)
    key = models.SlugField(_("key"), max_length=40, help_text=_("Letters, digits and underscores; used in the "
                                                                  "API and in imports."))
    label_zh = models.CharField(_("label (Chinese)"), max_length=60)
    label_en = models.CharField(_("label (English)"), max_length=60)
    field_type = models.CharField(_("type"), max_length=10, choices=CustomFieldType.choices,
                                  default=CustomFieldType.TEXT)
    options = models.JSONField(_("choices"), default=list, blank=True,
                               help_text=_("For choice fields: one option per line."))
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["entity", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["entity", "key"], name="custom_field_unique_key")]

    def __str__(self):
        return self.label

    @property
    def label(self):
        lang = translation.get_language() or "zh-hans"
        return self.label_en if lang.startswith("en") else self.label_zh


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# An import that is being worked on (the progress page polls and offers Stop), and the
# ones a user may still stop (also before it is started).
IMPORT_IN_PROGRESS = (ImportStatus.QUEUED, ImportStatus.RUNNING)
IMPORT_CANCELLABLE = (ImportStatus.UPLOADED, *IMPORT_IN_PROGRESS)


class ImportJob(models.Model):
    """One upload being imported; its checkpoint (``next_row``) commits with each batch."""

    entity = models.CharField(_("record type"), max_length=40)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=300)  # in the default storage
    original_name = models.CharField(_("file"), max_length=255)
    kind = models.CharField(max_length=10)  # csv | xlsx
    size = models.PositiveBigIntegerField(default=0)
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # {"column index": "field key"}
    options = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    next_row = models.PositiveIntegerField(default=0)  # data rows done (committed)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("merged"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["created_by", "created_at"])]

    def __str__(self):
        return self.original_name

    @property
    def in_progress(self):
        """Queued or running: the progress page polls it and offers to stop it."""
        return self.status in IMPORT_IN_PROGRESS

    @property
    def percent(self):
        if self.status == ImportStatus.DONE:
            return 100
        return min(99, int(self.next_row * 100 / self.total_rows)) if self.total_rows else 0

    @property
    def first_errors(self):
        """The first problems by row, shown on the progress panel (all in the CSV report)."""
        return self.row_errors.order_by("line", "pk")[:20]


class ImportRowError(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField()
    field = models.CharField(max_length=60, blank=True)
    message = models.CharField(max_length=500)

    class Meta:
        indexes = [models.Index(fields=["job", "line"])]

    def __str__(self):
        return f"{self.line}: {self.message}"


class SavedMapping(models.Model):
    """Column mapping saved for reuse: {header text: field key}."""

    entity = models.CharField(max_length=40)
    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mapping = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "entity", "name"], name="saved_mapping_unique")]

    def __str__(self):
        return self.name


class DocumentSequence(models.Model):
    """The counter behind document numbers (SO-2026-000123), one row per type and period.

    The row is locked while a number is taken, inside the transaction that creates the
    document: a rollback gives the number back, so numbers have no gaps and no repeats.
    """

    doc_type = models.CharField(max_length=40)
    period = models.CharField(max_length=10, blank=True)  # "2026", "202611" or ""
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["doc_type", "period"], name="document_sequence_once")]

    def __str__(self):
        return f"{self.doc_type} {self.period} {self.last}"


class NumberFormat(models.Model):
    """How a document type is numbered; administrators edit the pattern."""

    class Reset(models.TextChoices):
        NEVER = "never", _("Never")
        YEARLY = "yearly", _("Every year")
        MONTHLY = "monthly", _("Every month")

    doc_type = models.CharField(_("document type"), max_length=40, unique=True)
    prefix = models.CharField(_("prefix"), max_length=10)
    width = models.PositiveSmallIntegerField(_("digits"), default=6)
    reset = models.CharField(_("restart numbering"), max_length=10, choices=Reset.choices, default=Reset.YEARLY)

    class Meta:
        verbose_name = _("number format")
        verbose_name_plural = _("number formats")

    def __str__(self):
        return self.doc_type


class PrintTemplate(models.Model):
    """An administrator's HTML template for printing one type of document (ORG-7)."""

    doc_type = models.CharField(_("document type"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    html = models.TextField(_("template"), max_length=100_000)
    is_active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("print template")
        verbose_name_plural = _("print templates")

    def __str__(self):
        return self.name


class CalendarDay(models.Model):
    """A date that breaks the weekly rule of working days: a public holiday on a weekday, or
    a make-up working day (调休) on a weekend. Administrators edit them; China's public
    holidays can be loaded per year (``core.business_calendar.load_china``)."""

    day = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"), default=False,
                                     help_text=_("On: a make-up working day. Off: a holiday."))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.label}"

    @property
    def label(self):
        return gettext(self.name) if self.name else ""


class StatusChange(models.Model):
    """One status change of any document (order, quote, receivable, ticket…): who, when,
    from what to what and why. Written by ``guanxi.core.transitions.transition`` only."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="status_change_document")]

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id} {self.from_status} → {self.to_status}"
