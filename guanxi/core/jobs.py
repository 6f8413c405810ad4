"""Long background jobs that survive the death of their worker.

A long job (an import…) is a row with a ``status`` and a ``heartbeat_at``. While a
worker runs it, ``heartbeat`` refreshes ``heartbeat_at`` every few seconds from a
thread, whatever the job is doing. If the worker dies (kill -9, power, OOM), the
heartbeat stops; ``recover_stalled`` (a scheduled task every ``JOB_RECOVERY_INTERVAL``
seconds) finds rows whose heartbeat is older than ``JOB_STALE_SECONDS`` and queues them
again. A job resumes from its own checkpoint and must refuse to write what another run
already wrote (imports compare their checkpoint under a row lock), so a message the
broker redelivers later (Redis: after its visibility timeout) does nothing twice.

Neither broker gives back the message of a worker killed mid-task in time: kombu's
file-system transport forgets it, Redis redelivers it after an hour.
"""

import contextlib
import datetime
import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recoverable:
    model: type
    statuses: tuple  # the statuses of a job queued or running
    requeue: object  # requeue(pk): send the job to a worker again


_registry: list[Recoverable] = []


def register(model, *, statuses, requeue):
    """Declare a kind of long job (at import of its tasks module or in ``AppConfig.ready``)."""
    if not any(entry.model is model for entry in _registry):
        _registry.append(Recoverable(model, tuple(statuses), requeue))


def registered():
    return list(_registry)


def stale_before(now=None):
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)


def recover_stalled(now=None):
    """Queue again every job queued or running whose heartbeat stopped; return how many.

    A job is claimed by moving its heartbeat forward with a conditional update, so two
    schedulers (or two runs of this task) never queue the same job twice in one period.
    """
    now = now or timezone.now()
    limit = stale_before(now)
    requeued = 0
    for entry in _registry:
        stalled = entry.model.objects.filter(Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True),
                                             status__in=entry.statuses)
        for pk, beat in stalled.values_list("pk", "heartbeat_at"):
            with transaction.atomic():
                claimed = entry.model.objects.filter(pk=pk, heartbeat_at=beat, status__in=entry.statuses)
                if beat is None:
                    claimed = entry.model.objects.filter(pk=pk, heartbeat_at__isnull=True, status__in=entry.statuses)
                if claimed.update(heartbeat_at=now):
                    requeued += 1
                    log.warning("job %s %s stalled (heartbeat %s): queued again", entry.model.__name__, pk, beat)
                    transaction.on_commit(lambda pk=pk, entry=entry: entry.requeue(pk))
    return requeued


class _Beat(threading.Thread):
    def __init__(self, model, pk, every):
        super().__init__(name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
        self.model, self.pk, self.every = model, pk, every
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(self.every):
                try:
                    close_old_connections()
                    self.model.objects.filter(pk=self.pk).update(heartbeat_at=timezone.now())
                except Exception:  # noqa: BLE001 - a missed beat is retried; the job goes on
                    log.exception("heartbeat of %s %s failed", self.model.__name__, self.pk)
        finally:
            connection.close()


@contextlib.contextmanager
def heartbeat(model, pk):
    """Keep ``heartbeat_at`` of the job fresh while the block runs (in a worker).

    Inline runs (``CELERY_TASK_ALWAYS_EAGER``: tests, a web process) have no worker to
    lose and no beat.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield
        return
    beat = _Beat(model, pk, settings.JOB_HEARTBEAT_SECONDS)
    beat.start()
    try:
        yield
    finally:
        beat.stopped.set()
        beat.join(timeout=settings.JOB_HEARTBEAT_SECONDS + 5)
