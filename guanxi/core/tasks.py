from celery import shared_task

from . import jobs
from .import_jobs import import_run
from .models import ImportJob, ImportStatus


@shared_task(acks_late=True, reject_on_worker_lost=True, max_retries=5)
def run_import(job_id):
    """Run or resume an import; batches already committed are not written again."""

    import_run(job_id)


jobs.register(ImportJob, statuses=[ImportStatus.QUEUED, ImportStatus.RUNNING], requeue=run_import.delay)
