"""Monitoring (SYS-3, SYS-5): each web and worker process beats into ``NodeHeartbeat``
(CPU, memory, queue depth, request latency p50/p95 over the last minutes, job failures,
free disk) every ``MONITOR_INTERVAL`` seconds; the system page and the Prometheus
``/metrics`` endpoint read those rows (so they cover every machine, whichever process
answers); ``check_and_alert`` (every minute) tells administrators about a dead worker,
a growing queue, slow requests, failing jobs, low disk, and whatever registered checks
report (``register_check``: the backup module reports failed backups there).
"""

import datetime
import logging
import os
import resource
import shutil
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass

from celery import signals as celery_signals
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.celery import app
from guanxi.core import jobs
from guanxi.core.notifications import notify_many, register_kind
from guanxi.org.models import User

from .models import NodeHeartbeat

log = logging.getLogger(__name__)

WINDOW = 300.0  # seconds of requests and job outcomes the figures cover
ALERT_KIND = "system.alert"
PERMISSION = "system.monitor"


def _percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class ProcessStats:
    """What this process saw over the last ``WINDOW`` seconds (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = deque()  # (monotonic, ms)
        self.failures = deque()  # monotonic
        self.jobs_done = 0
        self.jobs_failed = 0
        self.cpu_mark = (time.monotonic(), sum(os.times()[:2]))

    def _trim(self, now):
        while self.requests and self.requests[0][0] < now - WINDOW:
            self.requests.popleft()
        while self.failures and self.failures[0] < now - WINDOW:
            self.failures.popleft()

    def request(self, ms):
        now = time.monotonic()
        with self.lock:
            self.requests.append((now, ms))
            self._trim(now)

    def job(self, ok):
        now = time.monotonic()
        with self.lock:
            if ok:
                self.jobs_done += 1
            else:
                self.jobs_failed += 1
                self.failures.append(now)
            self._trim(now)

    def cpu_percent(self):
        now, cpu = time.monotonic(), sum(os.times()[:2])
        then, cpu_then = self.cpu_mark
        self.cpu_mark = (now, cpu)
        return round(100.0 * (cpu - cpu_then) / (now - then), 1) if now > then else 0.0

    def snapshot(self):
        now = time.monotonic()
        with self.lock:
            self._trim(now)
            times = [ms for _at, ms in self.requests]
            return {
                "requests": len(times),
                "latency_p50_ms": _percentile(times, 0.5),
                "latency_p95_ms": _percentile(times, 0.95),
                "slow_requests": sum(1 for ms in times if ms >= settings.MONITOR_SLOW_REQUEST_MS),
                "jobs_done": self.jobs_done,
                "job_failures": self.jobs_failed,
                "recent_job_failures": len(self.failures),
            }


stats = ProcessStats()


def memory_mb():
    try:
        with open("/proc/self/statm") as handle:
            return round(int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20, 1)
    except (OSError, ValueError):
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def disk_free_percent(path=None):
    usage = shutil.disk_usage(path or settings.DATA_DIR)
    return round(100.0 * usage.free / usage.total, 1) if usage.total else None


def queue_depth(queue="celery"):
    """Messages waiting in the broker's default queue (embedded or Redis); None if unknown."""
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            channel = conn.default_channel
            size = getattr(channel, "_size", None)  # kombu's virtual transports (Redis, files)
            return size(queue) if size else channel.queue_declare(queue=queue, passive=True).message_count
    except Exception:  # noqa: BLE001 - an unreachable broker shows as unknown
        return None


def node_name(role):
    return f"{role}@{socket.gethostname()}:{os.getpid()}"


def beat(role):
    """Write this process's heartbeat row now."""
    figures = stats.snapshot()
    now = timezone.now()
    values = {
        "role": role, "host": socket.gethostname()[:120], "pid": os.getpid(), "seen_at": now,
        "cpu_percent": stats.cpu_percent(), "memory_mb": memory_mb(), "disk_free_percent": disk_free_percent(),
        "queue_depth": queue_depth() if role == "worker" else None, **figures,
    }
    row, created = NodeHeartbeat.objects.update_or_create(node=node_name(role)[:200], defaults=values,
                                                          create_defaults={**values, "started_at": now})
    return row


class Reporter(threading.Thread):
    """Beats every ``MONITOR_INTERVAL`` seconds from a daemon thread of the process."""

    def __init__(self, role):
        super().__init__(name=f"monitor-{role}", daemon=True)
        self.role = role
        self.stopped = threading.Event()

    def run(self):
        while True:
            try:
                close_old_connections()
                beat(self.role)
            except Exception:  # noqa: BLE001 - the next beat tries again
                log.warning("cannot write the heartbeat of %s", self.role, exc_info=True)
            if self.stopped.wait(settings.MONITOR_INTERVAL):
                return


_reporter = {"pid": None}


def start_reporter(role):
    """Start the beat thread once per process (again in a forked child)."""
    if settings.MONITOR_INTERVAL <= 0 or _reporter["pid"] == os.getpid():
        return
    _reporter["pid"] = os.getpid()
    Reporter(role).start()


class LatencyMiddleware:
    """Measure each request; start the web node's heartbeat on the first one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _reporter["pid"] != os.getpid() and not settings.CELERY_TASK_ALWAYS_EAGER:
            start_reporter("web")
        started = time.perf_counter()
        response = self.get_response(request)
        stats.request((time.perf_counter() - started) * 1000)
        return response


@celery_signals.worker_ready.connect
@celery_signals.worker_process_init.connect
def _worker_ready(**kwargs):
    """The worker's main process beats when ready; with the prefork pool each child
    process, which runs the tasks and counts their outcomes, beats too."""
    start_reporter("worker")


@celery_signals.task_success.connect
def _task_success(**kwargs):
    stats.job(True)


@celery_signals.task_failure.connect
def _task_failure(**kwargs):
    stats.job(False)


# --- Reading the rows --------------------------------------------------------------


def live_after(now=None):
    return (now or timezone.now()) - datetime.timedelta(seconds=3 * settings.MONITOR_INTERVAL)


def nodes(now=None):
    """Every node seen in the last day, newest first, each with ``alive``."""
    now = now or timezone.now()
    rows = list(NodeHeartbeat.objects.filter(seen_at__gte=now - datetime.timedelta(days=1))
                .order_by("role", "host", "-seen_at"))
    limit = live_after(now)
    for row in rows:
        row.alive = row.seen_at >= limit
    return rows


def stalled_jobs(now=None):
    """Long jobs queued or running whose heartbeat stopped (the recovery task queues them)."""
    limit = jobs.stale_before(now)
    return sum(entry.model.objects.filter(status__in=entry.statuses, heartbeat_at__lt=limit).count()
               for entry in jobs.registered())


# --- Alerts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    code: str  # one notice per code and hour
    title: str
    body: str = ""


_checks = []


def register_check(check):
    """``check(now) -> [Alert]``; other modules add theirs (failed backups…)."""
    if check not in _checks:
        _checks.append(check)
    return check


@register_check
def dead_workers(now):
    rows = nodes(now)
    workers = [row for row in rows if row.role == "worker"]
    alive = [row for row in workers if row.alive]
    found = [Alert(f"dead-worker:{row.node}", _("Worker %(node)s stopped sending heartbeats") % {"node": row.node},
                   _("Last seen %(when)s.") % {"when": timezone.localtime(row.seen_at).strftime("%Y-%m-%d %H:%M:%S")})
             for row in workers if not row.alive and not any(live.host == row.host for live in alive)]
    stalled = stalled_jobs(now)
    if workers and not alive:
        found.append(Alert("no-worker", _("No background worker is running"),
                           _("Imports, reminders and scheduled jobs wait until a worker runs.")))
    if stalled:
        found.append(Alert("stalled-jobs", _("%(count)d background jobs stalled") % {"count": stalled}))
    return found


@register_check
def busy_queue(now):
    depth = max((row.queue_depth or 0 for row in nodes(now) if row.alive), default=0)
    if depth >= settings.MONITOR_QUEUE_ALERT:
        return [Alert("queue", _("%(count)d background jobs are waiting in the queue") % {"count": depth})]
    return []


@register_check
def slow_requests(now):
    return [Alert(f"slow:{row.node}", _("Slow requests on %(node)s: p95 %(ms)d ms") % {
        "node": row.node, "ms": row.latency_p95_ms})
        for row in nodes(now) if row.alive and row.role == "web" and row.latency_p95_ms is not None
        and row.latency_p95_ms >= settings.MONITOR_SLOW_REQUEST_MS]


@register_check
def failing_jobs(now):
    return [Alert(f"failures:{row.node}", _("%(count)d background jobs failed on %(node)s") % {
        "count": row.recent_job_failures, "node": row.node})
        for row in nodes(now) if row.alive and row.recent_job_failures >= 3]


@register_check
def low_disk(now):
    return [Alert(f"disk:{row.host}", _("Low disk space on %(host)s: %(percent)s %% free") % {
        "host": row.host, "percent": row.disk_free_percent})
        for row in {r.host: r for r in nodes(now) if r.alive}.values()
        if row.disk_free_percent is not None and row.disk_free_percent < settings.MONITOR_DISK_FREE_ALERT_PERCENT]


def current_alerts(now=None):
    now = now or timezone.now()
    found = []
    for check in _checks:
        try:
            found.extend(check(now))
        except Exception:  # noqa: BLE001 - one broken check must not hide the others
            log.exception("monitoring check %s failed", getattr(check, "__name__", check))
    return found


def administrators():
    return [user for user in User.objects.filter(is_active=True) if user.has_module_perm(PERMISSION)]


def check_and_alert(now=None):
    """Notify administrators of each current alert, once per alert and hour; return them."""
    now = now or timezone.now()
    alerts = current_alerts(now)
    if alerts:
        people = administrators()
        hour = timezone.localtime(now).strftime("%Y%m%d%H")
        for alert in alerts:
            notify_many(people, kind=ALERT_KIND, title=alert.title, body=alert.body, url="/system/monitoring/",
                        email=True, dedupe_key=f"{hour}:{alert.code}"[:120])
    NodeHeartbeat.objects.filter(seen_at__lt=now - datetime.timedelta(days=2)).delete()
    return alerts


def register():
    """Called from ``SystemConfig.ready``."""
    register_kind(ALERT_KIND, gettext_lazy("System alerts"), email=True)
