"""Read routing to a PostgreSQL streaming replica (SYS-8).

With ``DATABASE_REPLICA_URL`` set, report pages (GET requests under
``DATABASE_REPLICA_PATHS``, by default ``/analytics/``) read business records from the
replica; everything else, and every write, goes to the primary. Accounts, sessions,
roles and the system's own tables always read from the primary, so a replica a few
hundred milliseconds behind never signs anyone out or hides a role just granted. A GET
never writes (docs/architecture.md), so a report cannot write to a read-only replica.
"""

import contextlib
import contextvars

from django.conf import settings

REPLICA = "replica"
_reading = contextvars.ContextVar("guanxi_replica_reads", default=False)
PRIMARY_ONLY_APPS = {"auth", "contenttypes", "sessions", "admin", "org", "accounts", "axes", "otp_totp",
                     "otp_static", "django_otp", "core", "system", "auditlog", "django_celery_results"}


def replica_configured():
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def replica_reads():
    """Read business records from the replica inside the block (when there is one)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading.get() and replica_configured() and model._meta.app_label not in PRIMARY_ONLY_APPS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Send the reads of report pages to the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and replica_configured() and \
                request.path.startswith(tuple(settings.DATABASE_REPLICA_PATHS)):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
