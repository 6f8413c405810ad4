"""Liveness and readiness probes for load balancers and orchestrators."""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from guanxi.celery import app


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key = "guanxi:readyz"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value it stored")


def check_broker():
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def readiness():
    """Return (ok, {name: {"ok": bool, "ms": float, "error"?: str}})."""
    results, ok = {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
            results[name] = {"ok": True}
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            ok = False
            results[name] = {"ok": False, "error": exc.__class__.__name__ if not settings.DEBUG else str(exc)}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return ok, results
