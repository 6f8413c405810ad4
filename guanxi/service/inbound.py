"""Inbound e-mail by IMAP (SRV-7): the scheduled job that brings the support mailbox in.

``GUANXI_IMAP_URL`` names the mailbox (``imap://user:password@host:143/INBOX`` or
``imaps://…:993/INBOX``; user and password percent-encoded); unset, the job does nothing.

Exactly once, nothing lost:
- ``MailboxState`` keeps the mailbox's UIDVALIDITY and the highest UID brought in. Each
  message is stored and the UID advanced in one transaction; a new UIDVALIDITY (the
  mailbox was rebuilt) starts again from the first message, and the Message-ID check
  (``intake.mail_receive``) keeps what was stored from being stored twice.
- Messages are fetched with BODY.PEEK (they stay unseen) and marked \\Seen only after
  their transaction committed.
- A message that fails to store is flagged (\\Flagged, left unseen) in the mailbox and
  named in ``MailboxState.last_error``; the job goes on with the next one. A database
  error stops the run before the UID advances, so the next run tries again.
- A message larger than ``GUANXI_MAIL_MAX_MESSAGE`` is not downloaded: its headers make
  the ticket entry, which says it is too large; it stays unseen and flagged in the mailbox.
- One run at a time per mailbox (a cache lock), however many workers fire the task.
"""

import contextlib
import hashlib
import imaplib
import logging
import re
import ssl
from dataclasses import asdict, dataclass, field
from urllib.parse import unquote, urlsplit

from celery import shared_task
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import intake, mailparse
from .models import MailboxState

logger = logging.getLogger("guanxi.service.inbound")

TIMEOUT = 30
LOCK_SECONDS = 15 * 60
MB = 1024 * 1024
STOP = object()


@dataclass(frozen=True)
class MailboxConfig:
    secure: bool
    host: str
    port: int
    user: str
    password: str
    mailbox: str

    @property
    def key(self):
        return f"{self.user}@{self.host}:{self.port}/{self.mailbox}"[:200]


def mailbox_config(url=None):
    """The mailbox of ``url`` (default: GUANXI_IMAP_URL), or None when none is set."""
    url = url or intake.setting("GUANXI_IMAP_URL")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError("GUANXI_IMAP_URL must look like imap://user:password@host:143/INBOX or imaps://…")
    secure = parts.scheme == "imaps"
    return MailboxConfig(secure=secure, host=parts.hostname, port=parts.port or (993 if secure else 143),
                         user=unquote(parts.username or ""), password=unquote(parts.password or ""),
                         mailbox=unquote(parts.path.lstrip("/")) or "INBOX")


@dataclass
class Limits:
    attachment: int
    attachments: int
    message: int
    batch: int

    @classmethod
    def from_settings(cls):
        return cls(attachment=int(intake.setting("GUANXI_MAIL_MAX_ATTACHMENT", 10 * MB)),
                   attachments=int(intake.setting("GUANXI_MAIL_MAX_ATTACHMENTS", 20)),
                   message=int(intake.setting("GUANXI_MAIL_MAX_MESSAGE", 40 * MB)),
                   batch=int(intake.setting("GUANXI_IMAP_BATCH", 200)))


@dataclass
class PollResult:
    fetched: int = 0
    created: int = 0
    threaded: int = 0
    duplicates: int = 0
    ignored: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)


def _quoted(mailbox):
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _connect(config):
    if config.secure:
        imap = imaplib.IMAP4_SSL(config.host, config.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT)
    else:
        imap = imaplib.IMAP4(config.host, config.port, timeout=TIMEOUT)
    imap.login(config.user, config.password)
    return imap


def _fetched_bytes(data):
    """The literal of a FETCH answer (imaplib gives [(b'1 (UID 5 BODY[] {n}', b'…'), b')'])."""
    for item in data or []:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def mailbox_poll(url=None):
    """Bring new messages of the mailbox in; return a PollResult (None when not configured)."""
    config = mailbox_config(url)
    if config is None:
        return None
    lock = "guanxi:imap:" + hashlib.sha256(config.key.encode()).hexdigest()[:32]
    if not cache.add(lock, "1", timeout=LOCK_SECONDS):
        return PollResult(errors=["another run is busy with this mailbox"])
    try:
        return _poll(config, Limits.from_settings())
    finally:
        cache.delete(lock)


def _poll(config, limits):
    state, _created = MailboxState.objects.get_or_create(mailbox=config.key)
    result = PollResult()
    try:
        imap = _connect(config)
    except (OSError, imaplib.IMAP4.error) as exc:
        result.errors.append(_("Cannot reach the mailbox: %(error)s") % {"error": exc})
        _finish(state, result)
        return result
    try:
        typ, _data = imap.select(_quoted(config.mailbox))
        if typ != "OK":
            raise imaplib.IMAP4.error(f"SELECT {config.mailbox}: {typ}")
        uidvalidity = int((imap.response("UIDVALIDITY")[1] or [b"0"])[0])
        if uidvalidity != state.uidvalidity:
            # A rebuilt mailbox numbers its messages anew: start over (Message-IDs prevent doubles).
            state.uidvalidity, state.last_uid = uidvalidity, 0
            state.save(update_fields=["uidvalidity", "last_uid"])
        typ, data = imap.uid("SEARCH", None, f"UID {state.last_uid + 1}:*")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > state.last_uid)
        for uid in uids[:limits.batch]:
            if _one(imap, state, uid, limits, result) is STOP:
                break
    except (OSError, imaplib.IMAP4.error) as exc:
        result.errors.append(_("The mailbox answered: %(error)s") % {"error": exc})
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            imap.logout()
    _finish(state, result)
    return result


def _finish(state, result):
    MailboxState.objects.filter(pk=state.pk).update(checked_at=timezone.now(),
                                                    last_error="; ".join(result.errors)[:500])


def _flag(imap, uid, flag):
    try:
        imap.uid("STORE", str(uid), "+FLAGS", f"({flag})")
    except (OSError, imaplib.IMAP4.error):
        logger.warning("could not set %s on UID %s", flag, uid)


def _read(imap, uid, limits):
    """(raw bytes, too large): the whole message, or only its headers when it is too big."""
    typ, data = imap.uid("FETCH", str(uid), "(RFC822.SIZE)")
    size = 0
    for item in data or []:
        match = re.search(rb"RFC822\.SIZE (\d+)", item if isinstance(item, bytes) else item[0])
        if match:
            size = int(match.group(1))
    if size > limits.message:
        typ, data = imap.uid("FETCH", str(uid), "(BODY.PEEK[HEADER])")
        return _fetched_bytes(data) or b"", size
    typ, data = imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
    return _fetched_bytes(data), 0


def _one(imap, state, uid, limits, result):
    """Store one message and advance the UID in one transaction; flag it when it fails."""
    message_id = "?"
    try:
        raw, too_large = _read(imap, uid, limits)
        if raw is None:  # expunged meanwhile
            MailboxState.objects.filter(pk=state.pk).update(last_uid=uid)
            return None
        result.fetched += 1
        mail = mailparse.parse(raw, max_attachment=limits.attachment, max_attachments=limits.attachments)
        message_id = mail.message_id
        if too_large:
            mail.text = _("This e-mail (%(size)s MB) is larger than the %(limit)s MB Guanxi brings in. "
                          "It is kept, unread and flagged, in the mailbox.") % {
                "size": f"{too_large / MB:.1f}", "limit": f"{limits.message / MB:g}"}
        with transaction.atomic():
            outcome = intake.mail_receive(mail)
            MailboxState.objects.filter(pk=state.pk).update(last_uid=uid)
    except DatabaseError as exc:
        logger.exception("inbound mail: database error on UID %s", uid)
        result.failed += 1
        result.errors.append(_("UID %(uid)s %(id)s: %(error)s (tried again next time)") % {
            "uid": uid, "id": message_id, "error": exc})
        return STOP
    except Exception as exc:  # noqa: BLE001 - one bad message must not stop the mailbox
        logger.exception("inbound mail: UID %s could not be stored", uid)
        result.failed += 1
        result.errors.append(_("UID %(uid)s %(id)s could not be stored (flagged in the mailbox): %(error)s") % {
            "uid": uid, "id": message_id, "error": exc})
        _flag(imap, uid, "\\Flagged")
        MailboxState.objects.filter(pk=state.pk).update(last_uid=uid)
        return None
    state.last_uid = uid
    if outcome.duplicate:
        result.duplicates += 1
    elif outcome.ignored:
        result.ignored += 1
    elif outcome.created:
        result.created += 1
    else:
        result.threaded += 1
    if too_large:
        _flag(imap, uid, "\\Flagged")
    else:
        _flag(imap, uid, "\\Seen")
    return None


@shared_task(acks_late=True)
def poll_mailbox():
    """The beat job (every minute): a no-op without GUANXI_IMAP_URL."""
    result = mailbox_poll()
    return asdict(result) if result is not None else None
