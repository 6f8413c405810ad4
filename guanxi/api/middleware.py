"""Idempotency-Key for every write of the API (API.md: safety of writes).

The first request with a key runs and its response is kept; the same key with the
same method, path and body replays that response; the same key with another request
is refused; while the first is still running, a second answers 409. A unique index on
(user, key) makes that hold across processes and machines.

The request runs in one transaction with the storing of its response: either both
commit (a retry replays the result, even if the server died right after) or neither
(the write did not happen). A record left "in progress" by a server that died is taken
over by a retry: on PostgreSQL at once, since the running request holds the record's
row lock and a free lock means it died; on SQLite after ``IDEMPOTENCY_LEASE_SECONDS``.
"""

import datetime
import hashlib
import uuid

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.services import token_authenticate
from guanxi.core.middleware import lost_connection_response
from guanxi.core.models import IdempotencyRecord
from guanxi.core.problems import problem_response

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
KEEP_STATUSES = range(200, 500)
NOT_KEPT = {401, 409, 412, 429}


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get("Idempotency-Key")
        if not key or request.method not in WRITE_METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 200 or not key.isprintable():
            return problem_response(request, 400, _("Malformed request."),
                                    _("Idempotency-Key must be at most 200 printable characters."),
                                    code="malformed")
        try:
            return self._authenticated(request, key)
        except DatabaseError as exc:
            # The database connection was lost on the way (claiming the key, running, storing
            # the response): what did not commit died with it, and what did is replayed, so the
            # client sends it again with the key (503, Retry-After).
            lost = lost_connection_response(request, exc)
            if lost is None:
                raise
            return lost

    def _authenticated(self, request, key):
        auth = request.headers.get("Authorization", "")
        user = token_authenticate(auth[7:].strip()) if auth[:7].lower() == "bearer " else None
        if user is None:
            return self.get_response(request)  # the API answers 401 itself
        try:
            fingerprint = hashlib.sha256(
                request.method.encode() + b" " + request.path.encode() + b"\n" + request.body
            ).hexdigest()
        except Exception:  # noqa: BLE001 - an oversized body: let the API answer it
            return self.get_response(request)
        return self._claim_and_run(request, user, key, fingerprint)

    def _claim_and_run(self, request, user, key, fingerprint):
        token = uuid.uuid4().hex
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, method=request.method, path=request.path[:500], body_hash=fingerprint,
                    claim=token, claimed_at=timezone.now(),
                )
        except IntegrityError:
            record = self._take_over(request, user, key, fingerprint, token)
            if isinstance(record, HttpResponse):
                return record
        return self._run(request, record, token)

    def _run(self, request, record, token):
        mine = IdempotencyRecord.objects.filter(pk=record.pk, claim=token, status_code__isnull=True)
        broken = False
        with transaction.atomic():
            mine.select_for_update().exists()  # PostgreSQL: a retry waits for this outcome
            response = self.get_response(request)
            if transaction.get_connection().needs_rollback:
                broken = True  # a database error ended the transaction: nothing was written
            elif self._keep(response):
                stored = mine.update(status_code=response.status_code, response_body=response.content,
                                     content_type=response.get("Content-Type", ""))
                if not stored:  # taken over by a retry meanwhile (SQLite past the lease): undo
                    transaction.set_rollback(True)
                    return _in_progress(request)
            else:
                mine.delete()
        if broken:
            mine.delete()
        return response

    @staticmethod
    def _keep(response):
        return response.status_code in KEEP_STATUSES and response.status_code not in NOT_KEPT and \
            not response.streaming

    def _take_over(self, request, user, key, fingerprint, token):
        """Replay a finished record, or take over one whose request died (lease over)."""
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None or record.body_hash != fingerprint:
            return self._replay(request, record, fingerprint)
        if record.status_code is None:
            try:
                taken = self._claim(record, token)
            except DatabaseError:  # the first request is running (holds its row / the write lock)
                return _in_progress(request)
            if taken:
                return record
            record.refresh_from_db()
        return self._replay(request, record, fingerprint)

    @staticmethod
    def _claim(record, token):
        """Take an unfinished record over: on PostgreSQL as soon as no live transaction
        holds its row (its request died: nothing of it committed), elsewhere after the lease."""
        unfinished = IdempotencyRecord.objects.filter(pk=record.pk, claim=record.claim, status_code__isnull=True)
        if connection.vendor == "postgresql":
            with transaction.atomic():
                if not unfinished.select_for_update(nowait=True).exists():
                    return False
                return unfinished.update(claim=token, claimed_at=timezone.now())
        lease = datetime.timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)
        if (record.claimed_at or record.created_at) >= timezone.now() - lease:
            raise DatabaseError("in progress")
        return unfinished.update(claim=token, claimed_at=timezone.now())

    def _replay(self, request, record, fingerprint):
        if record is None or record.status_code is None and record.body_hash == fingerprint:
            return _in_progress(request)
        if record.body_hash != fingerprint:
            return problem_response(request, 422, _("Idempotency-Key reused."),
                                    _("This Idempotency-Key was used for a different request."),
                                    code="idempotency_mismatch")
        response = HttpResponse(bytes(record.response_body or b""), status=record.status_code,
                                content_type=record.content_type or "application/json")
        response["Idempotent-Replayed"] = "true"
        return response


def _in_progress(request):
    return problem_response(request, 409, _("Request in progress."),
                            _("A request with this Idempotency-Key is still being processed."),
                            code="idempotency_in_progress")
