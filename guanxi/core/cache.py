"""The shared cache, degrading instead of failing when Redis is away (SYS-4).

Nothing in the cache is the truth (sessions, locks of record and data live in the
database), so while Redis cannot be reached the product works on: reads miss, writes are
dropped, a rate-limit counter allows, and an ``add`` used as a lock answers "taken" (the
work waits for its next turn rather than running twice). Each failure is logged as a
warning (once a minute per process) so monitoring sees the outage. ``bench/faults.py``
stops Redis under load to prove it.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("guanxi.cache")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
_last_warning = [0.0]


def _warn(operation, exc):
    now = time.monotonic()
    if now - _last_warning[0] >= 60:
        _last_warning[0] = now
        log.warning("cache unreachable (%s): %s; working without it", operation, exc)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache whose operations fall back to a miss when Redis is away."""

    def _or(self, operation, fallback, call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except UNREACHABLE as exc:
            _warn(operation, exc)
            return fallback

    def get(self, key, default=None, version=None):
        return self._or("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._or("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._or("has_key", False, super().has_key, key, version)

    def set(self, key, value, timeout=None, version=None):  # noqa: A003 - Django's name
        return self._or("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._or("set_many", list(data), super().set_many, data, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        return self._or("add", False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._or("touch", False, super().touch, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        return self._or("incr", delta, super().incr, key, delta, version)

    def delete(self, key, version=None):
        return self._or("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._or("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._or("clear", False, super().clear)
