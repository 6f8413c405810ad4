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
