"""The Celery application. Tasks live in each app's tasks.py and stay thin."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings.base")

app = Celery("guanxi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="lifecycle_tasks")
app.autodiscover_tasks(related_name="clv_tasks")
app.autodiscover_tasks(related_name="tasks_loyalty")
app.conf.beat_schedule = {
    # Later modules add their sections to the digest, not new schedules.
    "nightly-digest": {"task": "guanxi.system.tasks.nightly_digest", "schedule": crontab(hour=6, minute=30)},
    "purge-expired": {"task": "guanxi.system.tasks.purge_expired", "schedule": crontab(hour=3, minute=15)},
    "nightly-backup": {"task": "guanxi.system.tasks.nightly_backup", "schedule": crontab(hour=1, minute=15)},
    "purge-logs": {"task": "guanxi.system.tasks.purge_logs", "schedule": crontab(hour=3, minute=35)},
    "recycle-customers": {"task": "guanxi.customers.tasks.recycle_customers", "schedule": crontab(hour=2, minute=30)},
    "follow-up-reminders": {"task": "guanxi.customers.tasks.follow_up_reminders",
                            "schedule": crontab(hour=7, minute=30)},
    "schedule-reminders": {"task": "guanxi.workplace.tasks.send_schedule_reminders", "schedule": 60.0},
    "loyalty-nightly": {"task": "guanxi.marketing.tasks_loyalty.loyalty_nightly",
                        "schedule": crontab(hour=2, minute=40)},
    "delivery-reminders": {"task": "guanxi.sales.tasks.delivery_reminders", "schedule": crontab(hour=7, minute=45)},
    "receivable-reminders": {"task": "guanxi.finance.tasks.receivable_reminders",
                             "schedule": crontab(hour=8, minute=0)},
    "service-flows": {"task": "guanxi.service.tasks.resume_flows", "schedule": 60.0},
    "service-escalation": {"task": "guanxi.service.tasks.escalate_overdue", "schedule": 300.0},
    "service-mailbox": {"task": "guanxi.service.inbound.poll_mailbox", "schedule": 60.0},
    "carry-over-plans": {"task": "guanxi.workplace.tasks.carry_over_plans", "schedule": crontab(hour=0, minute=10)},
    "unfinished-plan-reminders": {"task": "guanxi.workplace.tasks.remind_unfinished_plans",
                                  "schedule": crontab(hour=17, minute=30)},
    "directive-reminders": {"task": "guanxi.workplace.tasks.directive_reminders", "schedule": crontab(hour=9, minute=0)},
    "customer-lifecycle": {"task": "guanxi.analytics.lifecycle_tasks.nightly_lifecycle",
                           "schedule": crontab(hour=2, minute=45)},
    "sales-rollups": {"task": "guanxi.analytics.tasks.rebuild_rollups", "schedule": crontab(hour=1, minute=10)},
    "quality-alerts": {"task": "guanxi.analytics.tasks.evaluate_alerts", "schedule": crontab(hour=6, minute=5)},
    "customer-value": {"task": "guanxi.analytics.tasks.recompute_customer_value",
                       "schedule": crontab(hour=1, minute=40)},
    "recover-stalled-jobs": {"task": "guanxi.system.tasks.recover_stalled_jobs",
                             "schedule": settings.JOB_RECOVERY_INTERVAL},
    "monitor-nodes": {"task": "guanxi.system.tasks.monitor_check", "schedule": 60.0},
    "decision-report-weekly": {"task": "guanxi.analytics.tasks.decision_report", "args": ("weekly",),
                               "schedule": crontab(day_of_week=1, hour=7, minute=0)},
    "decision-report-monthly": {"task": "guanxi.analytics.tasks.decision_report", "args": ("monthly",),
                                "schedule": crontab(day_of_month=1, hour=7, minute=15)},
    "customer-lifetime-value": {"task": "guanxi.analytics.clv_tasks.nightly_clv", "schedule": crontab(hour=3, minute=0)},
    "basket-rules": {"task": "guanxi.analytics.clv_tasks.nightly_basket", "schedule": crontab(hour=3, minute=30)},
    "marketing-email-sends": {"task": "guanxi.marketing.tasks.start_due_sends", "schedule": 60.0},
    "marketing-journeys": {"task": "guanxi.marketing.tasks.advance_journeys", "schedule": 300.0},
    "marketing-bounces": {"task": "guanxi.marketing.tasks.poll_bounces", "schedule": 300.0},
    "commission-statements": {"task": "guanxi.finance.tasks.monthly_commission_statements",
                              "schedule": crontab(day_of_month=1, hour=4, minute=0)},
}


@worker_init.connect
def _warm_up(**kwargs):
    """Build the lazy tables once in the worker (prefork children inherit them)."""
    from guanxi.core.warmup import warm_up  # load: the apps are ready only once the worker starts

    warm_up()
