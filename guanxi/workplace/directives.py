"""Directives and documents (WRK-2): the decision tier issues them to branches,
departments or roles; each recipient gets a receipt (read, acknowledged) and a notice;
those who have not acknowledged are reminded, by the issuer or daily by the scheduler
(from the day after issue, at most ``MAX_AUTO_REMINDERS`` times, never twice a day)."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, Forbidden, ValidationFailed
from guanxi.core.models import Notification
from guanxi.core.notifications import mark_read, notify_many
from guanxi.core.permissions import ensure
from guanxi.core.services import service, validated_save
from guanxi.org.models import User
from guanxi.org.scopes import ensure_in_scope, scoped

from . import attachments as files
from .models import (
    Directive,
    DirectiveAttachment,
    DirectiveKind,
    DirectivePriority,
    DirectiveReceipt,
)
from .richtext import plain_text, sanitize

MAX_AUTO_REMINDERS = 3


def audience_users(*, to_everyone=False, branches=(), departments=(), roles=()):
    """The active employees a directive with this audience reaches (departments with
    their sub-departments)."""
    people = User.objects.filter(is_active=True, branch__isnull=False)
    if to_everyone:
        return people
    q = Q(pk__in=[])
    if branches:
        q |= Q(branch__in=list(branches))
    for department in departments:
        q |= Q(department__path__startswith=department.path)
    if roles:
        q |= Q(pk__in=User.roles.through.objects.filter(role__in=list(roles)).values("user_id"))
    return people.filter(q)


def _notice_key(directive):
    return f"directive:{directive.pk}"


def _notify(directive, users, *, title_for, key):
    """Send one notice per user, each in the user's language."""
    by_language = defaultdict(list)
    for user in users:
        by_language[user.language or settings.LANGUAGE_CODE].append(user)
    sent = 0
    for language, group in by_language.items():
        with translation.override(language):
            sent += notify_many(group, kind="workplace.directive", title=title_for(directive),
                                body=plain_text(directive.body, 200), url=directive.get_absolute_url(),
                                email=directive.priority == DirectivePriority.URGENT, dedupe_key=key)
    return sent


def _issued_title(directive):
    label = _("Urgent") if directive.priority == DirectivePriority.URGENT else directive.get_kind_display()
    return _("%(kind)s from %(name)s: %(title)s") % {"kind": label, "name": directive.issuer,
                                                     "title": directive.title}


def _reminder_title(directive):
    return _("Reminder: please acknowledge “%(title)s”") % {"title": directive.title}


@service
def directive_issue(*, actor, title, body, kind=DirectiveKind.DIRECTIVE, priority=DirectivePriority.NORMAL,
                    requires_ack=True, ack_due_on=None, to_everyone=False, branches=(), departments=(), roles=(),
                    uploads=()):
    """Issue a directive: check everything, then write it, its receipts, its files and
    the recipients' notices in one transaction."""
    ensure(actor, "workplace.directive")
    if actor.branch_id is None:
        raise ValidationFailed(_("You are not assigned to a branch yet; ask an administrator."))
    body = sanitize(body)
    if not plain_text(body):
        raise ValidationFailed(_("Write what the directive says."), field="body")
    if ack_due_on is not None and ack_due_on < timezone.localdate():
        raise ValidationFailed(_("The date to acknowledge by has passed."), field="ack_due_on")
    if not (to_everyone or branches or departments or roles):
        raise ValidationFailed(_("Choose who receives it: everyone, branches, departments or job roles."),
                               field="audience")
    uploads = list(uploads)
    if len(uploads) > files.MAX_FILES:
        raise ValidationFailed(_("At most %(n)d attachments.") % {"n": files.MAX_FILES}, field="attachments")
    checked = [(upload, files.check(upload)) for upload in uploads]
    recipients = list(audience_users(to_everyone=to_everyone, branches=branches, departments=departments,
                                     roles=roles).exclude(pk=actor.pk))
    if not recipients:
        raise ValidationFailed(_("Nobody is in the chosen audience."), field="audience")
    directive = Directive(issuer=actor, branch_id=actor.branch_id, title=(title or "").strip(), body=body,
                          kind=kind, priority=priority, requires_ack=requires_ack, ack_due_on=ack_due_on,
                          to_everyone=to_everyone)
    validated_save(directive)
    directive.branches.set(branches)
    directive.departments.set(departments)
    directive.roles.set(roles)
    DirectiveReceipt.objects.bulk_create([DirectiveReceipt(directive=directive, user=u) for u in recipients],
                                         batch_size=1000)
    for upload, (content_type, extension) in checked:
        _store(actor, directive, upload, content_type, extension)
    _notify(directive, recipients, title_for=_issued_title, key=_notice_key(directive))
    return directive


def _store(actor, directive, upload, content_type, extension):
    attachment = DirectiveAttachment(directive=directive, original_name=(upload.name or "file")[:200],
                                     content_type=content_type, extension=extension, uploaded_by=actor)
    return files.store(attachment, upload)


def can_track(user, directive):
    """Who sees who has read and acknowledged: the issuer, and those who issue
    directives and have the issuer in their scope."""
    if directive.issuer_id == user.pk:
        return True
    if not user.has_module_perm("workplace.directive"):
        return False
    known = getattr(directive, "in_tracking_scope", None)  # read with the directive (selectors.directive_for_page)
    if known is not None:
        return known
    return scoped(Directive.objects.filter(pk=directive.pk), user, extra=False).exists()


@service
def directive_attach(*, actor, directive, upload):
    """Add a file to an issued directive (its issuer, or someone who may track it)."""
    ensure(actor, "workplace.directive")
    ensure_in_scope(actor, directive)
    if not can_track(actor, directive):
        raise Forbidden()
    directive = Directive.objects.select_for_update().get(pk=directive.pk)
    if directive.attachments.count() >= files.MAX_FILES:
        raise ValidationFailed(_("At most %(n)d attachments.") % {"n": files.MAX_FILES}, field="attachments")
    content_type, extension = files.check(upload)
    return _store(actor, directive, upload, content_type, extension)


def _own_receipt(actor, directive):
    ensure_in_scope(actor, directive)
    return DirectiveReceipt.objects.select_for_update().filter(directive=directive, user=actor).first()


@service
def directive_mark_read(*, actor, directive):
    """Note that a recipient opened the directive (nothing for anyone else)."""
    receipt = _own_receipt(actor, directive)
    if receipt is not None and receipt.read_at is None:
        receipt.read_at = timezone.now()
        receipt.save(update_fields=["read_at"])
    return receipt


@service
def directive_acknowledge(*, actor, directive):
    """A recipient confirms they received and will follow it (once; again is a no-op)."""
    receipt = _own_receipt(actor, directive)
    if receipt is None:
        raise Forbidden(_("Only its recipients acknowledge a directive."))
    if not directive.requires_ack:
        raise Conflict(_("This one needs no acknowledgement."))
    if receipt.acknowledged_at is None:
        now = timezone.now()
        receipt.acknowledged_at = now
        receipt.read_at = receipt.read_at or now
        receipt.save(update_fields=["acknowledged_at", "read_at"])

        key = _notice_key(directive)
        notices = Notification.objects.filter(recipient=actor).filter(
            Q(dedupe_key=key) | Q(dedupe_key__startswith=f"{key}:"))
        mark_read(actor, list(notices.values_list("pk", flat=True)))
    return receipt


def _remind(directive, *, now, automatic):
    """Remind the recipients who have not acknowledged and were not reminded today."""
    today_start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(now), datetime.time.min))
    pending = DirectiveReceipt.objects.select_for_update().filter(
        directive=directive, acknowledged_at__isnull=True, user__is_active=True).filter(
        Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=today_start))
    if automatic:
        pending = pending.filter(reminders_sent__lt=MAX_AUTO_REMINDERS)
    receipts = list(pending.select_related("user"))
    if not receipts:
        return 0
    DirectiveReceipt.objects.filter(pk__in=[r.pk for r in receipts]).update(
        last_reminded_at=now, reminders_sent=F("reminders_sent") + 1)
    _notify(directive, [r.user for r in receipts], title_for=_reminder_title,
            key=f"{_notice_key(directive)}:remind:{timezone.localdate(now).isoformat()}")
    return len(receipts)


@service
def directive_remind(*, actor, directive):
    """Remind those who have not acknowledged yet; return how many were reminded."""
    ensure(actor, "workplace.directive")
    ensure_in_scope(actor, directive)
    if not can_track(actor, directive):
        raise Forbidden()
    if not directive.requires_ack:
        raise Conflict(_("This one needs no acknowledgement."))
    return _remind(directive, now=timezone.now(), automatic=False)


def directives_send_reminders(now=None):
    """The scheduler's daily reminders for directives still not acknowledged."""

    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Directive.objects.filter(
        requires_ack=True, issued_at__lt=timezone.make_aware(datetime.datetime.combine(today, datetime.time.min)),
        receipts__acknowledged_at__isnull=True).filter(Q(ack_due_on__isnull=True) | Q(ack_due_on__gte=today
                                                                                     - datetime.timedelta(days=7)))
    reminded = 0
    for directive in due.distinct().select_related("issuer").order_by("pk"):
        with transaction.atomic():
            reminded += _remind(directive, now=now, automatic=True)
    return reminded
