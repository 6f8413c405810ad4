from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, max_retries=5)
def run_import(job_id):
    """Run or resume an import; batches already committed are not written again."""
    from .import_jobs import import_run

    import_run(job_id)
