"""Tokens and two-factor devices."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from guanxi.core.errors import NotFound, ValidationFailed
from guanxi.core.services import service

from .models import ApiToken, TokenKind

if TYPE_CHECKING:
    from guanxi.org.models import User


TOKEN_PREFIX = "gx_"  # noqa: S105 - a visible prefix, not a secret
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@service
def token_issue(*, actor: User, name: str, days: int | None = None, kind: str = TokenKind.PERSONAL) -> Any:
    """Create a token for ``actor``; return (token, raw). The raw value is shown once."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the token a name."), field="name")
    if days is not None and not 1 <= int(days) <= 366:
        raise ValidationFailed(_("A token lasts from 1 to 366 days."), field="days")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + datetime.timedelta(days=int(days)) if days else None
    token = ApiToken.objects.create(
        user=actor, name=name[:80], kind=kind, prefix=raw[:10], key_hash=_hash(raw), expires_at=expires
    )
    return token, raw


def token_issue_for_login(*, user: User) -> Any:
    return token_issue(actor=user, name="API login", days=settings.GUANXI_API_TOKEN_DAYS, kind=TokenKind.LOGIN)


@service
def token_revoke(*, actor: User, token_id: int) -> None:
    updated = ApiToken.objects.filter(pk=token_id, user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound()


def tokens_revoke_all(sender: User, user: User, **kwargs: Any) -> None:
    """Revoke every token of ``user``: they left, or their password changed (the old
    credentials end with it; other sessions end by Django's session hash)."""
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def token_authenticate(raw: str) -> User | None:
    """Return the active user a raw token belongs to, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, kind=TokenKind.PERSONAL)


# --- two-factor --------------------------------------------------------------------
def totp_device(user: User, confirmed: bool = True) -> Any:
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).first()


def totp_enrolment(user: User, key: str) -> Any:
    """The device ``user`` enrols with ``key``, not saved: the setup page shows its QR code
    and keeps the key in the session; nothing is stored until a code confirms it (GET
    never writes)."""
    return TOTPDevice(user=user, name="default", key=key or default_key(), confirmed=False)


@service
def totp_confirm(*, actor: User, key: str, code: str) -> Any:
    """Turn two-factor sign-in on with the enrolled ``key`` once ``code`` matches it. A
    wrong code is counted on the pending device (django-otp's throttling)."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False, key=key).first() \
        or totp_enrolment(actor, key)
    if not key or not device.verify_token(code):
        raise ValidationFailed(_("That code is not right. Check the time on your phone and try again."),
                               field="code")
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


@service
def totp_disable(*, actor: User, password: str) -> None:
    if not actor.check_password(password):
        raise ValidationFailed(_("The password is not right."), field="password")
    TOTPDevice.objects.filter(user=actor).delete()


def totp_verify(user: User, code: str) -> Any | None:
    """Return the confirmed device that accepts ``code``, or None."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return None
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


def needs_two_factor(user: User) -> bool:
    return totp_device(user) is not None


def token_revoke_raw(*, raw: str) -> None:
    ApiToken.objects.filter(key_hash=_hash(raw), revoked_at__isnull=True).update(revoked_at=timezone.now())
