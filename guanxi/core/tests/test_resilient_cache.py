"""SYS-4: the shared cache degrades to a miss while Redis is away; nothing fails."""

import socket

import pytest

from guanxi.core import cache as cache_module
from guanxi.core.cache import ResilientRedisCache


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def unreachable():
    return ResilientRedisCache(f"redis://127.0.0.1:{_closed_port()}/0", {"OPTIONS": {}})


def test_reads_miss_and_writes_are_dropped_while_redis_is_away(unreachable, monkeypatch):
    """SYS-4: with no Redis, reads miss, writes are dropped, and one warning is logged."""
    warnings = []
    monkeypatch.setattr(cache_module.log, "warning", lambda *args: warnings.append(args))
    monkeypatch.setattr(cache_module, "_last_warning", [0.0])
    assert unreachable.get("k", "fallback") == "fallback"
    assert unreachable.get_many(["a", "b"]) == {}
    assert unreachable.has_key("k") is False
    unreachable.set("k", 1)
    unreachable.set_many({"a": 1})
    unreachable.delete("k")
    unreachable.delete_many(["a"])
    assert unreachable.touch("k") is False
    assert len(warnings) == 1 and "cache unreachable" in warnings[0][0]


def test_a_lock_is_taken_and_a_rate_counter_allows_while_redis_is_away(unreachable):
    """SYS-4: ``add`` used as a lock answers "taken" (no work runs twice); ``incr`` for a rate
    limit counts as the first request (nobody is locked out by an outage)."""
    assert unreachable.add("lock", "1") is False
    assert unreachable.incr("rate", 1) == 1


@pytest.mark.redis
def test_the_same_cache_works_when_redis_is_there(settings):
    """The wrapper changes nothing while Redis answers."""
    url = settings.CACHES["default"]["LOCATION"] if "Redis" in settings.CACHES["default"]["BACKEND"] else None
    if not url:
        pytest.skip("REDIS_URL not set")
    cache = ResilientRedisCache(url, {"KEY_PREFIX": "resilience-test"})
    cache.set("k", {"v": 1}, 30)
    assert cache.get("k") == {"v": 1}
    assert cache.add("k", 2) is False
    cache.delete("k")
