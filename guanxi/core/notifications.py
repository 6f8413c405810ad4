"""The one way every module tells someone something (reminders, alerts, escalations).

``notify`` writes an in-app notice (idempotent with ``dedupe_key``) and, when asked,
sends the same text by e-mail after the transaction commits.
"""

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from .models import Notification


def notify(recipient, *, kind, title, body="", url="", email=False, dedupe_key=""):
    """Create a notice for ``recipient``; return it (or None if it was already sent)."""
    try:
        with transaction.atomic():
            notice = Notification.objects.create(
                recipient=recipient, kind=kind, title=str(title)[:200], body=str(body)[:2000], url=url,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return None
    if email and recipient.email:
        transaction.on_commit(lambda: send_mail(str(title), f"{body}\n\n{url}".strip(), None, [recipient.email],
                                                fail_silently=True))
    return notice


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def recent_for(user, limit=20):
    return list(Notification.objects.filter(recipient=user).order_by("-created_at")[:limit])


def mark_read(user, ids=None):
    from django.utils import timezone

    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())
