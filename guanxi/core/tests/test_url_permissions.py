"""SECURITY (missing function-level checks): every view declares its permission."""

from django.urls import URLPattern, URLResolver, get_resolver

from guanxi.core.permissions import AUTHENTICATED, PUBLIC, all_codes, declared_permission

# Views of installed libraries that guard themselves (the API checks per endpoint).
EXEMPT_PREFIXES = ("api/v1/",)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


_declared = declared_permission


def test_every_view_declares_a_known_permission():
    missing, unknown = [], []
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith(EXEMPT_PREFIXES):
            continue
        code = _declared(callback)
        if code is None:
            missing.append(route)
        elif code not in {PUBLIC, AUTHENTICATED} and code not in all_codes():
            unknown.append((route, code))
    assert not missing, f"views without a declared permission: {missing}"
    assert not unknown, f"views with unknown permission codes: {unknown}"


def test_public_views_are_the_expected_few():
    public = sorted(route for route, cb in _walk(get_resolver().url_patterns) if _declared(cb) == PUBLIC)
    assert set(public) <= {
        "accounts/login/", "accounts/login/code/", "accounts/logout/", "accounts/password/reset/",
        "accounts/password/reset/sent/", "accounts/password/reset/<uidb64>/<token>/",
        "accounts/password/reset/complete/", "i18n/language/", "healthz", "readyz",
        "metrics",  # Prometheus: its own bearer token or allowed addresses (system/monitoring_views.py)
        # A phone calendar cannot sign in: the secret in the address is the key (hashed at rest).
        "work/calendar/feed/<str:secret>.ics",
        "service/s/<str:token>/",  # the satisfaction survey, answered through its secret token
        "service/f/<slug:slug>/",  # public web forms (rate limited, honeypot, signed fill time)
        "marketing/f/<slug:code>/",  # a campaign's lead form (CSRF, rate limited, honeypot)
        "marketing/capture/e/<slug:slug>/",  # event and survey forms (CSRF, rate limit, honeypot, size limits)
        # A recipient's mail client: signed tokens (one recipient each, tampering answers 404).
        "marketing/m/u/<str:token>/",  # unsubscribe (RFC 8058 one-click POST, confirm page on GET)
        "marketing/m/o/<str:token>/",  # the open pixel
        "marketing/m/c/<str:token>/",  # a tracked link: redirects only to the URL signed into the token
    }, public
