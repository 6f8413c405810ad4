"""The one way every module tells someone something (reminders, alerts, escalations,
directives).

``notify`` writes a notice (idempotent with ``dedupe_key``) and routes it by the
recipient's preferences for its kind (``NotificationPreference``): shown in the app's
bell or not, sent by e-mail after the transaction commits or not, listed in the nightly
digest or not. Without a preference the kind's defaults apply, and the caller's
``email`` flag is the e-mail default (so a reminder the user asked to get by e-mail
still is, until they say otherwise). The notice row is always written, so ``dedupe_key``
keeps working whatever the preferences: a notice muted in the app is stored as read.
"""

import datetime
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed
from .models import Notification, NotificationPreference


@dataclass(frozen=True)
class NoticeKind:
    code: str
    label: object
    email: bool = False  # default for people without a preference
    digest: bool = False


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: bool
    digest: bool


_kinds: dict[str, NoticeKind] = {}

# The kinds modules sent before kinds were registered; a module may register its own
# (with ``register_kind``) to change the label or the defaults.
_BUILT_IN = [
    ("approvals.waiting", _("Approvals waiting for me")),
    ("approvals.decided", _("My approval requests decided")),
    ("customers.follow_up", _("Customers to follow up")),
    ("customers.recycle_warning", _("Customers about to return to the pool")),
    ("customers.recycled", _("Customers returned to the pool")),
    ("finance.due", _("Receivables due")),
    ("finance.overdue", _("Receivables overdue")),
    ("finance.credit", _("Credit limit exceeded")),
    ("sales.delivery", _("Deliveries due")),
    ("sales.contract_ends", _("Contracts ending")),
    ("sales.large_deal", _("Large deals")),
]


def register_kind(code, label, *, email=False, digest=False):
    """Declare a kind of notice with its label and defaults (in ``AppConfig.ready``)."""
    _kinds[code] = NoticeKind(code, label, email=email, digest=digest)


def kinds():
    """Every known kind, built-in ones first, sorted by code."""
    found = {code: NoticeKind(code, label) for code, label in _BUILT_IN}
    found.update(_kinds)
    return sorted(found.values(), key=lambda k: k.code)


def kind_for(code):
    return _kinds.get(code) or next((NoticeKind(c, label) for c, label in _BUILT_IN if c == code), None)


def _defaults(code, email):
    kind = kind_for(code)
    return Channels(in_app=True, email=email or bool(kind and kind.email), digest=bool(kind and kind.digest))


def channels_for(user, kind, *, email=False):
    """Return how ``user`` gets a notice of ``kind`` (preference, else defaults)."""
    preference = NotificationPreference.objects.filter(user=user, kind=kind).first()
    if preference is None:
        return _defaults(kind, email)
    return Channels(in_app=preference.in_app, email=preference.email, digest=preference.digest)


def preferences_of(user):
    """Return {kind code: Channels} for every known kind (one query)."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    result = {}
    for kind in kinds():
        preference = stored.get(kind.code)
        result[kind.code] = (Channels(preference.in_app, preference.email, preference.digest) if preference
                             else _defaults(kind.code, False))
    return result


def preferences_save(*, actor, choices):
    """Store ``{kind: Channels}`` for ``actor``; unknown kinds are refused."""

    known = {kind.code for kind in kinds()}
    unknown = sorted(set(choices) - known)
    if unknown:
        raise ValidationFailed(_("Unknown kind of notice: %(kinds)s.") % {"kinds": ", ".join(unknown)},
                               field="kind")
    with transaction.atomic():
        for code, channels in choices.items():
            NotificationPreference.objects.update_or_create(
                user=actor, kind=code,
                defaults={"in_app": channels.in_app, "email": channels.email, "digest": channels.digest})
    return preferences_of(actor)


def _send_email(recipient, title, body, url):
    transaction.on_commit(lambda: send_mail(str(title), f"{body}\n\n{url}".strip(), None, [recipient.email],
                                            fail_silently=True))


def notify(recipient, *, kind, title, body="", url="", email=False, dedupe_key=""):
    """Create a notice for ``recipient``; return it (or None if it was already sent)."""
    channels = channels_for(recipient, kind, email=email)
    now = timezone.now()
    try:
        with transaction.atomic():
            notice = Notification.objects.create(
                recipient=recipient, kind=kind, title=str(title)[:200], body=str(body)[:2000], url=url,
                dedupe_key=dedupe_key, created_at=now, read_at=None if channels.in_app else now,
            )
    except IntegrityError:
        return None
    if channels.email and recipient.email:
        _send_email(recipient, title, body, url)
    return notice


def notify_many(recipients, *, kind, title, body="", url="", email=False, dedupe_key=""):
    """``notify`` for many people in a few queries (directives to a whole company).

    ``dedupe_key`` is per recipient: someone who already has it is skipped. Returns the
    number of notices created.
    """
    recipients = [r for r in recipients if r is not None]
    if not recipients:
        return 0
    stored = {p.user_id: p for p in NotificationPreference.objects.filter(
        user__in=[r.pk for r in recipients], kind=kind)}
    skip = set()
    if dedupe_key:
        skip = set(Notification.objects.filter(recipient__in=[r.pk for r in recipients], dedupe_key=dedupe_key)
                   .values_list("recipient_id", flat=True))
    now = timezone.now()
    rows, mail_to = [], []
    for recipient in recipients:
        if recipient.pk in skip:
            continue
        preference = stored.get(recipient.pk)
        channels = (Channels(preference.in_app, preference.email, preference.digest) if preference
                    else _defaults(kind, email))
        rows.append(Notification(recipient=recipient, kind=kind, title=str(title)[:200], body=str(body)[:2000],
                                 url=url, dedupe_key=dedupe_key, created_at=now,
                                 read_at=None if channels.in_app else now))
        if channels.email and recipient.email:
            mail_to.append(recipient)
    # ignore_conflicts: a concurrent sender of the same dedupe_key wins, nobody gets two.
    Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    for recipient in mail_to:
        _send_email(recipient, title, body, url)
    return len(rows)


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def recent_for(user, limit=20):
    return list(Notification.objects.filter(recipient=user).order_by("-created_at")[:limit])


def mark_read(user, ids=None):
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())


def digest_kinds(user):
    """The kinds ``user`` wants in the nightly digest."""
    return [code for code, channels in preferences_of(user).items() if channels.digest] + [
        p.kind for p in NotificationPreference.objects.filter(user=user, digest=True)
        if kind_for(p.kind) is None]


def digest_section(user, day):
    """Digest lines: the day's notices of the kinds the user wants in the digest."""

    wanted = digest_kinds(user)
    if not wanted:
        return []
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    notices = Notification.objects.filter(recipient=user, kind__in=wanted, created_at__gte=start,
                                          created_at__lt=start + datetime.timedelta(days=1)).order_by("created_at")
    return [notice.title for notice in notices[:50]]
