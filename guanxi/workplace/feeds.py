"""Calendar feeds for phone calendars: one secret address per person, revocable; only
a hash of the secret is kept. The feed itself is ``ics.calendar_for``."""

import hashlib
import secrets

from django.utils import timezone

from guanxi.core.permissions import ensure
from guanxi.core.services import service

from .models import CalendarFeed


def token_hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


@service
def calendar_feed_create(*, actor):
    """Make a new secret address (the old one stops working); return (feed, secret)."""
    ensure(actor, "workplace.view")
    CalendarFeed.objects.select_for_update().filter(user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=actor, token_hash=token_hash(secret))
    return feed, secret


@service
def calendar_feed_revoke(*, actor):
    ensure(actor, "workplace.view")
    return CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())


def calendar_feed_active(user):
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def calendar_feed_owner(secret):
    """The active employee whose feed ``secret`` opens, or None."""
    if not secret or len(secret) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=token_hash(secret),
                                                              revoked_at__isnull=True).first()
    if feed is None or not feed.user.is_active or not feed.user.has_module_perm("workplace.view"):
        return None
    now = timezone.now()
    if feed.last_used_at is None or (now - feed.last_used_at).total_seconds() > 3600:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user
