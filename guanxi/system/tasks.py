"""Scheduled jobs. Thin: each calls a service and is safe to run twice."""

from celery import shared_task

from guanxi.core import jobs

from . import backups, monitoring
from .logs import logs_purge
from .services import digest_send_all, purge_expired_records


@shared_task(acks_late=True)
def nightly_digest():
    return digest_send_all()


@shared_task(acks_late=True)
def purge_expired():
    return purge_expired_records()


@shared_task
def ping(value):
    """Echo a value: proves a worker is consuming the queue (used by tests and readyz tools)."""
    return value


@shared_task(acks_late=True)
def run_backup(backup_id):
    """Run a backup queued from the system centre."""
    backup = backups.backup_run(backup_id)
    return backup.status if backup else None


@shared_task(acks_late=True)
def nightly_backup():
    return backups.backup_scheduled()


@shared_task(acks_late=True)
def purge_logs():
    return logs_purge()


@shared_task
def monitor_check():
    """Alert administrators about dead workers, queues, slow requests, disk… (every minute)."""
    return len(monitoring.check_and_alert())


@shared_task
def recover_stalled_jobs():
    """Queue again the long jobs whose worker died (core.jobs); every ~20 seconds."""
    return jobs.recover_stalled()
