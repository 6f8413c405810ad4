"""Public web forms (SRV-7 web-to-ticket, CUS-4 web-to-lead): configuration, embedding
and the protections of a page anyone on the internet may post to.

- **Spam**: a honeypot field people never see (a bot that fills it gets the thank-you
  page and nothing is stored) and a signed time stamp of when the form was served: an
  entry sent sooner than ``GUANXI_WEBFORM_MIN_SECONDS`` (3) after, or with a missing,
  forged or day-old stamp, is asked to send again.
- **Floods**: ``GUANXI_WEBFORM_RATE`` (``20/hour``) posts per client address across all
  forms, counted in the shared Django cache (Redis in production, so every web node
  counts together); beyond it the answer is 429 with Retry-After and nothing is stored.
  The client address is REMOTE_ADDR, or with ``GUANXI_NUM_PROXIES`` = n behind n
  reverse proxies the n-th address from the right of X-Forwarded-For (never a value the
  client alone can choose).
- **Embedding**: these pages alone drop X-Frame-Options and send a CSP frame-ancestors
  of ``GUANXI_WEBFORM_FRAME_ANCESTORS`` (default ``*``); every other page keeps
  ``frame-ancestors 'none'``. They set no cookies and take no CSRF token: inside another
  site's frame the browser would not send Guanxi's SameSite cookies, and the signed time
  stamp already proves the post comes from a form Guanxi served.
- **Content**: every field is stored as text and shown autoescaped everywhere.
"""

import hashlib
import math
import time

from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from guanxi.core.errors import ValidationFailed
from guanxi.core.permissions import ensure
from guanxi.core.services import service, validated_save

from .intake import setting
from .models import WebForm

SALT = "guanxi.service.webform"
MAX_AGE = 24 * 60 * 60
HONEYPOT = "website"
PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
           "d": 86400, "day": 86400}


# --- the signed fill-time stamp -------------------------------------------------------------
def fill_token(form, now=None):
    return signing.dumps({"f": form.slug, "t": int(now if now is not None else time.time())}, salt=SALT)


def fill_time_ok(form, token, now=None):
    """Whether ``token`` was served for ``form`` at least the minimum time ago (and at most a day)."""
    now = now if now is not None else time.time()
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return False
    if not isinstance(data, dict) or data.get("f") != form.slug or not isinstance(data.get("t"), int):
        return False
    return float(setting("GUANXI_WEBFORM_MIN_SECONDS", 3)) <= now - data["t"] <= MAX_AGE


# --- rate limits ---------------------------------------------------------------------------
def client_address(request):
    """REMOTE_ADDR, or behind GUANXI_NUM_PROXIES trusted proxies the address they saw."""
    proxies = int(setting("GUANXI_NUM_PROXIES", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _rate():
    text = str(setting("GUANXI_WEBFORM_RATE", "20/hour"))
    count, _sep, period = text.partition("/")
    return int(count), PERIODS.get(period.strip().lower(), 3600)


def retry_after(request, now=None):
    """Count one post of this client; return the seconds to wait when over the limit, else 0."""
    limit, period = _rate()
    now = now if now is not None else time.time()
    window = int(now // period)
    ident = hashlib.sha256(client_address(request).encode()).hexdigest()[:24]
    key = f"guanxi:webform:{ident}:{window}"
    cache.add(key, 0, timeout=period + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=period + 60)
        count = 1
    if count <= limit:
        return 0
    return max(1, math.ceil((window + 1) * period - now))


def frame_ancestors():
    value = setting("GUANXI_WEBFORM_FRAME_ANCESTORS", "*")
    return value.split() if isinstance(value, str) else list(value)


def embed_snippet(form, site_url=None):
    """The <iframe> a website pastes to show ``form``."""
    site = (site_url if site_url is not None else setting("GUANXI_SITE_URL", "")).rstrip("/")
    source = escape(site + reverse("service:public_form", args=[form.slug]))
    # Plain text (not marked safe): pages show it escaped, to be copied.
    return (f'<iframe src="{source}" title="{escape(form.name)}" width="100%" height="720" '
            f'style="border:0" loading="lazy"></iframe>')


# --- configuration -------------------------------------------------------------------------
@service
def webform_save(*, actor, name, slug, kind, branch, owner, ticket_type=None, severity=None, thank_you="",
                 is_active=True, form=None):
    """Create or change a public form. A ticket form needs a type and severity and an owner
    who handles tickets; a lead form an owner who may create leads (the leads are theirs)."""
    ensure(actor, "service.manage")
    errors = []
    if kind not in WebForm.Kind.values:
        errors.append({"field": "kind", "message": _("Choose web-to-ticket or web-to-lead.")})
    if owner is None or not owner.is_active:
        errors.append({"field": "owner", "message": _("Choose an active employee.")})
    elif kind == WebForm.Kind.LEAD and not owner.has_module_perm("sales.create"):
        errors.append({"field": "owner", "message": _("The owner of a lead form must be allowed to create leads.")})
    elif kind == WebForm.Kind.TICKET and not owner.has_module_perm("service.edit"):
        errors.append({"field": "owner", "message": _("The owner of a ticket form must be allowed to handle tickets.")})
    if kind == WebForm.Kind.TICKET and (ticket_type is None or severity is None):
        errors.append({"field": "ticket_type", "message": _("A ticket form needs a type and a severity.")})
    if errors:
        raise ValidationFailed(errors=errors)
    form = form or WebForm()
    form.name, form.slug, form.kind, form.branch, form.owner = (name or "").strip(), slug, kind, branch, owner
    form.ticket_type = ticket_type if kind == WebForm.Kind.TICKET else None
    form.severity = severity if kind == WebForm.Kind.TICKET else None
    form.thank_you, form.is_active = (thank_you or "").strip(), is_active
    return validated_save(form)
