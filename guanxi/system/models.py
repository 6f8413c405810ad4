from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """One run of a scheduled job for one day: makes daily jobs run once however often
    the scheduler fires (several beat instances, retries after a crash)."""

    job = models.CharField(max_length=60)
    day = models.DateField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="jobrun_once_per_day")]

    def __str__(self):
        return f"{self.job} {self.day}"


class Backup(models.Model):
    """One backup: a sealed archive of the database and the uploaded files (SYS-1)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        REMOVED = "removed", _("Removed by retention")

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        MANUAL = "manual", _("Back up now")
        COMMAND = "command", _("Command line")

    created_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    size = models.BigIntegerField(_("size"), default=0)
    encrypted = models.BooleanField(_("encrypted"), default=False)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    stage = models.CharField(_("stage"), max_length=60, blank=True)
    error = models.TextField(_("error"), blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name or f"backup {self.pk}"


class LogRecord(models.Model):
    """A warning, an error or a runtime event kept for the system log page (SYS-2)."""

    class Kind(models.TextChoices):
        ERROR = "error", _("Error")
        WARNING = "warning", _("Warning")
        EVENT = "event", _("Runtime event")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=10)
    logger = models.CharField(_("source"), max_length=120)
    message = models.TextField(_("message"))
    details = models.TextField(_("details"), blank=True)
    path = models.CharField(_("address"), max_length=300, blank=True)
    host = models.CharField(_("node"), max_length=120, blank=True)
    suppressed = models.PositiveIntegerField(_("similar entries not kept"), default=0)

    class Meta:
        verbose_name = _("system log entry")
        verbose_name_plural = _("system log entries")
        indexes = [models.Index(fields=["kind", "-created_at"], name="system_log_kind_time")]

    def __str__(self):
        return f"{self.level} {self.logger}: {self.message[:60]}"


class NodeHeartbeat(models.Model):
    """The last heartbeat of one web or worker process (SYS-3, ``system.monitoring``)."""

    node = models.CharField(max_length=200, unique=True)  # role@host:pid
    role = models.CharField(max_length=10)  # web | worker
    host = models.CharField(max_length=120)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    cpu_percent = models.FloatField(default=0)
    memory_mb = models.FloatField(default=0)
    disk_free_percent = models.FloatField(null=True)
    queue_depth = models.PositiveIntegerField(null=True)
    requests = models.PositiveIntegerField(default=0)  # in the last minutes (monitoring.WINDOW)
    latency_p50_ms = models.FloatField(null=True)
    latency_p95_ms = models.FloatField(null=True)
    slow_requests = models.PositiveIntegerField(default=0)
    jobs_done = models.PositiveIntegerField(default=0)  # since the process started
    job_failures = models.PositiveIntegerField(default=0)
    recent_job_failures = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.node
