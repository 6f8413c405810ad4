"""SYS-4: Idempotency-Keys after a crash: the response commits with the write, and a
record left "in progress" by a dead request is taken over after a short lease."""

import datetime
import hashlib
import json

from django.db import connection
from django.test import Client
from django.utils import timezone

from guanxi.api.middleware import IdempotencyMiddleware
from guanxi.core.models import IdempotencyRecord
from guanxi.org.demo import DEMO_PASSWORD
from guanxi.workplace.models import Note

URL = "/api/v1/notes"


def _session(username="liuyang"):
    client = Client(raise_request_exception=False)
    token = client.post("/api/v1/auth/token", {"username": username, "password": DEMO_PASSWORD},
                        content_type="application/json").json()["token"]
    return client, {"Authorization": f"Bearer {token}"}


def _post(client, headers, key, title):
    return client.post(URL, json.dumps({"title": title}), content_type="application/json",
                       headers={**headers, "Idempotency-Key": key})


def _dead_request(user, key, title, seconds_ago):
    """The record a request leaves when its server dies before committing."""
    body = json.dumps({"title": title}).encode()
    return IdempotencyRecord.objects.create(
        user=user, key=key, method="POST", path=URL, claim="dead",
        body_hash=hashlib.sha256(b"POST " + URL.encode() + b"\n" + body).hexdigest(),
        claimed_at=timezone.now() - datetime.timedelta(seconds=seconds_ago))


def test_a_key_left_in_progress_by_a_dead_request_is_taken_over(demo_org, settings):
    """SYS-4: a retry takes over the key of a request that died (PostgreSQL: at once, no
    live transaction holds its row; SQLite: 409 until the lease ends); it runs once and is
    replayed after."""
    settings.IDEMPOTENCY_LEASE_SECONDS = 30
    client, headers = _session()
    _dead_request(demo_org["liuyang"], "k-1", "崩溃后重试", seconds_ago=5)
    if connection.vendor != "postgresql":  # PostgreSQL knows at once: no live request holds the row
        assert _post(client, headers, "k-1", "崩溃后重试").status_code == 409
        IdempotencyRecord.objects.filter(key="k-1").update(claimed_at=timezone.now() - datetime.timedelta(seconds=31))
    retry = _post(client, headers, "k-1", "崩溃后重试")
    assert retry.status_code == 201
    again = _post(client, headers, "k-1", "崩溃后重试")
    assert again.status_code == 201 and again.json() == retry.json() and again["Idempotent-Replayed"] == "true"
    assert Note.objects.filter(title="崩溃后重试").count() == 1
    other = _post(client, headers, "k-1", "另一个请求")
    assert other.status_code == 422


def test_the_response_is_stored_in_the_transaction_of_the_write(demo_org, settings, monkeypatch):
    """SYS-4: a crash between the write and the storing of its response undoes both, so a
    retry applies it once; a committed write is always replayed, never hidden by a 409."""
    settings.IDEMPOTENCY_LEASE_SECONDS = 30
    client, headers = _session()

    def crash(response):
        raise RuntimeError("the server dies before committing")

    monkeypatch.setattr(IdempotencyMiddleware, "_keep", staticmethod(crash))
    assert _post(client, headers, "k-2", "只写一次").status_code == 500
    monkeypatch.undo()
    assert not Note.objects.filter(title="只写一次").exists()  # the write went with the response
    record = IdempotencyRecord.objects.get(key="k-2")
    assert record.status_code is None
    if connection.vendor != "postgresql":
        assert _post(client, headers, "k-2", "只写一次").status_code == 409  # within the lease
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            claimed_at=timezone.now() - datetime.timedelta(minutes=1))
    first = _post(client, headers, "k-2", "只写一次")
    assert first.status_code == 201
    stored = IdempotencyRecord.objects.get(key="k-2")
    assert stored.status_code == 201 and json.loads(bytes(stored.response_body)) == first.json()
    assert _post(client, headers, "k-2", "只写一次").json() == first.json()
    assert Note.objects.filter(title="只写一次").count() == 1


def test_a_refused_request_keeps_no_record_and_another_users_key_is_separate(demo_org):
    """SYS-4: 4xx kept (replayed), 401/409/412/429 not; keys are per user."""
    client, headers = _session()
    _dead_request(demo_org["zhuwei"], "k-3", "别人的键", seconds_ago=0)
    assert _post(client, headers, "k-3", "别人的键").status_code == 201  # zhuwei's key is not liuyang's
    assert IdempotencyRecord.objects.filter(key="k-3").count() == 2
