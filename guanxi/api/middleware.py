"""Idempotency-Key for every write of the API (API.md: safety of writes).

The first request with a key runs and its response is kept; the same key with the
same method, path and body replays that response; the same key with another request
is refused; while the first is still running, a second answers 409. A unique index on
(user, key) makes that hold across processes and machines.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _

from guanxi.accounts.services import token_authenticate
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
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, method=request.method, path=request.path[:500], body_hash=fingerprint
                )
        except IntegrityError:
            return self._replay(request, user, key, fingerprint)
        response = self.get_response(request)
        if response.status_code in KEEP_STATUSES and response.status_code not in NOT_KEPT and not response.streaming:
            record.status_code = response.status_code
            record.response_body = response.content
            record.content_type = response.get("Content-Type", "")
            record.save(update_fields=["status_code", "response_body", "content_type"])
        else:
            record.delete()
        return response

    def _replay(self, request, user, key, fingerprint):
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            return problem_response(request, 409, _("Request in progress."),
                                    _("A request with this Idempotency-Key is still being processed."),
                                    code="idempotency_in_progress")
        if record.body_hash != fingerprint:
            return problem_response(request, 422, _("Idempotency-Key reused."),
                                    _("This Idempotency-Key was used for a different request."),
                                    code="idempotency_mismatch")
        if record.status_code is None:
            return problem_response(request, 409, _("Request in progress."),
                                    _("A request with this Idempotency-Key is still being processed."),
                                    code="idempotency_in_progress")
        response = HttpResponse(bytes(record.response_body or b""), status=record.status_code,
                                content_type=record.content_type or "application/json")
        response["Idempotent-Replayed"] = "true"
        return response
