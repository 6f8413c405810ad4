"""The logging handler behind the system log page (SYS-2).

``LOGGING`` loads this module before the apps are ready, so it names its model through
the app registry at run time and imports no models.

It keeps warnings and errors of every logger, and the runtime events of ``guanxi.events``
(INFO), at most ``GUANXI_LOG_DB_RATE`` a minute per message and process: a flood of one
error becomes a few rows and a count of those not kept. A record logged inside a
transaction waits in this thread's buffer until the transaction is over (the end of the
request or task), so an error that rolls its transaction back is still kept.
"""

import logging
import socket
import threading
import time
import traceback

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection

EVENTS_LOGGER = "guanxi.events"
# Loggers whose warnings are not the operator's business here: the database driver's (and
# ours, to never loop), and django.request's 4xx (every 404 of a crawler).
SKIPPED = ("django.db.backends", "guanxi.system.log_handler")
BUFFER_LIMIT = 200
WINDOW_SECONDS = 60


class _RateLimit:
    """Per message, per process: how many were kept and left out in the current minute."""

    def __init__(self):
        self.lock = threading.Lock()
        self.windows = {}

    def admit(self, key, limit, now):
        """Return (keep?, how many were left out in the previous minute) for ``key``;
        that count rides on the first record kept in the next minute."""
        with self.lock:
            window = self.windows.get(key)
            carried = 0
            if window is None or now - window[0] >= WINDOW_SECONDS:
                carried = window[2] if window else 0
                if len(self.windows) > 5000:
                    self.windows.clear()
                window = self.windows[key] = [now, 0, 0]
            if window[1] < limit:
                window[1] += 1
                return True, carried
            window[2] += 1
            return False, 0


class DatabaseHandler(logging.Handler):
    def __init__(self, level=logging.NOTSET):
        super().__init__(level)
        self.limits = _RateLimit()
        self.local = threading.local()
        self.host = socket.gethostname()

    def wanted(self, record):
        if record.name.startswith(SKIPPED):
            return False
        if record.name == "django.request" and getattr(record, "status_code", 500) < 500:
            return False
        return record.levelno >= logging.WARNING or record.name.startswith(EVENTS_LOGGER)

    def emit(self, record):
        if getattr(self.local, "busy", False) or not apps.ready or not settings.GUANXI_LOG_TO_DATABASE:
            return
        if not self.wanted(record):
            return
        keep, suppressed = self.limits.admit((record.name, str(record.msg)), settings.GUANXI_LOG_DB_RATE,
                                             time.monotonic())
        if not keep:
            return
        try:
            row = self.row(record, suppressed)
        except Exception:  # noqa: BLE001 - a log call must never fail its caller
            self.handleError(record)
            return
        pending = self.pending()
        if len(pending) < BUFFER_LIMIT:
            pending.append(row)
        if not connection.in_atomic_block:
            self.flush_pending()

    def row(self, record, suppressed):
        if record.name.startswith(EVENTS_LOGGER) and record.levelno < logging.WARNING:
            kind = "event"
        else:
            kind = "error" if record.levelno >= logging.ERROR else "warning"
        details = ""
        if record.exc_info:
            details = "".join(traceback.format_exception(*record.exc_info))
        request = getattr(record, "request", None)
        path = getattr(request, "path", "") if request is not None else ""
        return {"kind": kind, "level": record.levelname, "logger": record.name[:120],
                "message": record.getMessage()[:4000], "details": details[:20000], "path": path[:300],
                "host": self.host[:120], "suppressed": suppressed}

    def pending(self):
        if not hasattr(self.local, "pending"):
            self.local.pending = []
        return self.local.pending

    def flush_pending(self, force=False):
        """Write what waits in this thread's buffer (outside any transaction, unless
        ``force``: tests, which run inside one)."""
        pending = self.pending()
        if not pending or (connection.in_atomic_block and not force) or not apps.ready:
            return
        rows, self.local.pending = list(pending), []
        self.local.busy = True
        try:
            model = apps.get_model("system", "LogRecord")
            model.objects.bulk_create([model(**row) for row in rows])
        except DatabaseError:
            pass  # the database is down: the console handler still has every record
        finally:
            self.local.busy = False


def flush_all(**kwargs):
    """Flush the buffers of every DatabaseHandler (connected to request_finished and to
    Celery's task_postrun)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, DatabaseHandler):
            handler.flush_pending()
