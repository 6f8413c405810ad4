"""System jobs: the nightly digest and the purge of expired records."""

from __future__ import annotations

import datetime
from typing import Any

from auditlog.context import set_actor
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts.models import ApiToken
from guanxi.core import digest, recycle
from guanxi.core.models import IdempotencyRecord

from .models import JobRun


def _claim_run(job: Any, day: datetime.date) -> JobRun | None:
    """Return a JobRun for (job, day) if this caller should run it, else None."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(job=job, day=day)
    except IntegrityError:
        run = JobRun.objects.get(job=job, day=day)
        # A run that crashed before finishing may be taken over after an hour.
        stale = run.finished_at is None and timezone.now() - run.started_at > datetime.timedelta(hours=1)
        if stale and JobRun.objects.filter(pk=run.pk, started_at=run.started_at).update(started_at=timezone.now()):
            return run
        return None


def digest_send_all(day: datetime.date | None = None) -> dict[Any, Any]:
    """Send each active employee with an e-mail address yesterday's digest, once per day."""
    day = day or timezone.localdate() - datetime.timedelta(days=1)
    run = _claim_run("nightly_digest", day)
    if run is None:
        return {"skipped": True}
    sent = 0
    users = get_user_model().objects.filter(is_active=True).exclude(email="").prefetch_related("roles")
    for user in users.iterator(chunk_size=500):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            sections = digest.sections_for(user, day)
            if not sections:
                continue
            body = render_to_string("system/email/digest.txt", {"user": user, "day": day, "sections": sections})
            send_mail(_("Guanxi daily digest for %(day)s") % {"day": day.isoformat()}, body,
                      None, [user.email])
            sent += 1
    run.finished_at = timezone.now()
    run.result = {"sent": sent}
    run.save(update_fields=["finished_at", "result"])
    return run.result


def database_optimize() -> None:
    """Refresh the query planner's statistics. PostgreSQL's autovacuum does this itself;
    SQLite only plans well with statistics, so the embedded default refreshes them nightly.
    A full ANALYZE: sampled statistics (``analysis_limit``) misjudged how many rows an
    owner has and chose sorts over index walks in bench/notes_list.py."""

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit=0")
            cursor.execute("ANALYZE")


def purge_expired_records(now: datetime.datetime | None = None) -> dict[Any, Any]:
    """Delete recycle-bin records past retention and expired idempotency and token rows."""

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.GUANXI_RECYCLE_DAYS)
    purged = {}
    with set_actor(None):
        for kind in recycle.kinds():
            count, _detail = kind.model.all_objects.filter(deleted_at__lt=cutoff).delete()
            purged[kind.code] = count
    IdempotencyRecord.objects.filter(created_at__lt=now - datetime.timedelta(days=1)).delete()
    ApiToken.objects.filter(revoked_at__lt=now - datetime.timedelta(days=90)).delete()
    database_optimize()
    return purged
