from django.db import models
from django.utils import timezone


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
