"""The system log (SYS-2): what the handler kept, configuration changes, retention."""

import datetime

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from celery.signals import task_postrun
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.signals import request_finished
from django.utils import timezone

from .log_handler import flush_all
from .models import LogRecord

# Configuration kept as rows that the audit log did not follow before: pick-lists, custom
# fields, numbering, print templates, the business calendar, settings rows and tiers.
NEWLY_AUDITED = [
    "core.PickItem", "core.CustomField", "core.NumberFormat", "core.PrintTemplate", "core.CalendarDay",
    "customers.Tag", "sales.Pipeline", "sales.CommissionTier", "analytics.ValueSettings",
    "service.FlowVersion", "workplace.Competitor", "workplace.NewsTag",
]
# Every model whose changes are administrative operations (shown under "Configuration
# changes"): the above and the organization, roles, users and settings already audited.
ADMINISTRATIVE = NEWLY_AUDITED + [
    "org.Company", "org.Branch", "org.Department", "org.Role", "org.User",
    "customers.CustomerSettings", "analytics.LifecycleSettings", "sales.SalesSettings", "sales.Stage",
    "finance.FinanceSettings", "service.ServiceSettings", "service.ServiceLevel", "service.Flow",
    "approvals.ApprovalPolicy", "approvals.ApprovalStep",
]


def _models(labels):
    found = []
    for label in labels:
        try:
            found.append(apps.get_model(label))
        except LookupError:
            continue  # a module that is not installed
    return found


def register_configuration_audit():
    """Follow changes of configuration rows in the audit log (called in ``ready``)."""
    for model in _models(NEWLY_AUDITED):
        if not auditlog.contains(model):
            names = {f.name for f in model._meta.get_fields()}
            auditlog.register(model, exclude_fields=[name for name in ("updated_at",) if name in names])


def administrative_content_types():
    models = [model for model in _models(ADMINISTRATIVE) if auditlog.contains(model)]
    return ContentType.objects.get_for_models(*models, for_concrete_models=False).values()


def connect_signals():
    """Write buffered log records when a request or a task ends."""
    request_finished.connect(flush_all, dispatch_uid="system.logs.flush")
    task_postrun.connect(flush_all, dispatch_uid="system.logs.flush", weak=False)


def logs_purge(now=None):
    """Delete system log entries (and, if GUANXI_AUDIT_RETENTION_DAYS is set, audit
    entries) older than their retention; return how many went."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.GUANXI_LOG_RETENTION_DAYS)
    result = {"log": LogRecord.objects.filter(created_at__lt=cutoff).delete()[0]}
    if settings.GUANXI_AUDIT_RETENTION_DAYS > 0:
        audit_cutoff = now - datetime.timedelta(days=settings.GUANXI_AUDIT_RETENTION_DAYS)
        result["audit"] = LogEntry.objects.filter(timestamp__lt=audit_cutoff).delete()[0]
    return result
