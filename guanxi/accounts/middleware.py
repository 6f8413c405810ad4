from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class TwoFactorRequiredMiddleware:
    """Send administrators without two-factor sign-in to set it up, when required."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/readyz", "/i18n/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.GUANXI_REQUIRE_2FA_FOR_ADMINS and self._must_enrol(request):
            return redirect(reverse("accounts:two_factor_setup"))
        return self.get_response(request)

    def _must_enrol(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(self.ALLOWED_PREFIXES):
            return False
        if not (user.is_superuser or user.has_module_perm("org.manage")):
            return False
        return not request.user.is_verified()
