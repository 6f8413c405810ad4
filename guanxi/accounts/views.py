"""Sign-in, sign-out, passwords, two-factor login and personal access tokens."""

import base64
import io
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from guanxi.core.errors import NotFound
from guanxi.core.forms import run_service
from guanxi.core.permissions import AUTHENTICATED, PUBLIC, PermissionMixin, require
from guanxi.core.problems import problem_response
from guanxi.org.signals import password_changed

from . import services
from .forms import OtpForm, PasswordConfirmForm, TokenForm, TotpConfirmForm

PENDING_KEY = "guanxi_2fa_pending"
PENDING_SECONDS = 300
TOTP_KEY = "guanxi_2fa_enrol_key"  # the key being enrolled, stored only once confirmed


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return str(reverse_lazy(settings.LOGIN_REDIRECT_URL))


def _finish_login(request, user, device=None, next_url=None):
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    response = redirect(next_url or _next_url(request))
    if user.language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax",
                            secure=settings.SESSION_COOKIE_SECURE)
    return response


@require(PUBLIC)
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if services.needs_two_factor(user):
            request.session[PENDING_KEY] = {"uid": user.pk, "at": time.time(), "next": _next_url(request)}
            return redirect("accounts:login_otp")
        return _finish_login(request, user)
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require(PUBLIC)
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_otp(request):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, _("Your sign-in timed out. Enter your password again."))
        return redirect("accounts:login")
    user = get_user_model().objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from axes.handlers.proxy import AxesProxyHandler

        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            request.session.pop(PENDING_KEY, None)
            return lockout_response(request, None, credentials)
        device = services.totp_verify(user, form.cleaned_data["code"])
        if device is not None:
            request.session.pop(PENDING_KEY, None)
            return _finish_login(request, user, device, next_url=pending.get("next"))
        # A wrong code counts as a failed login, so guessing codes locks the account too.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error("code", _("That code is not right."))
    return render(request, "accounts/login_otp.html", {"form": form})


def lockout_response(request, original_response=None, credentials=None):
    """Answer a locked-out sign-in: problem+json on the API, a page otherwise."""
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    detail = _("Too many failed sign-in attempts. This account is locked for %(minutes)d minutes.") % {
        "minutes": minutes
    }
    if request.path.startswith("/api/"):
        response = problem_response(request, 429, _("Account locked"), detail, code="locked")
        response["Retry-After"] = str(minutes * 60)
        return response
    response = render(request, "accounts/locked.html", {"detail": detail}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


@require(PUBLIC)
@require_POST
def logout_view(request):
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("accounts:login")


class PasswordChangeView(PermissionMixin, auth_views.PasswordChangeView):
    permission = AUTHENTICATED
    template_name = "core/form.html"
    success_url = reverse_lazy("accounts:profile")
    extra_context = {"title": gettext_lazy("Change password"), "cancel_url": reverse_lazy("accounts:profile")}

    def form_valid(self, form):
        response = super().form_valid(form)  # saves, and keeps this session signed in
        password_changed.send(sender=type(form.user), user=form.user, actor=form.user)
        messages.success(self.request, _("Your password was changed."))
        return response


class PasswordResetView(PermissionMixin, auth_views.PasswordResetView):
    """Always answers the same way, whether or not the address is known (no enumeration)."""

    permission = PUBLIC
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(PermissionMixin, auth_views.PasswordResetDoneView):
    permission = PUBLIC
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(PermissionMixin, auth_views.PasswordResetConfirmView):
    permission = PUBLIC
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed.send(sender=type(form.user), user=form.user, actor=form.user)
        return response


class PasswordResetCompleteView(PermissionMixin, auth_views.PasswordResetCompleteView):
    permission = PUBLIC
    template_name = "accounts/password_reset_complete.html"


@require(AUTHENTICATED)
def profile(request):
    return render(request, "accounts/profile.html", {
        "has_2fa": services.needs_two_factor(request.user),
        "tokens": services.tokens_of(request.user),
        "token_form": TokenForm(),
        "new_token": request.session.pop("guanxi_new_token", None),
    })


@require(AUTHENTICATED)
def two_factor_setup(request):
    device = services.totp_enrolment(request.user, request.session.get(TOTP_KEY))
    request.session[TOTP_KEY] = device.key
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST":
        confirmed = run_service(form, lambda data: services.totp_confirm(actor=request.user, key=device.key,
                                                                          code=data["code"]))
        if confirmed:
            request.session.pop(TOTP_KEY, None)
            otp_login(request, confirmed)
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("accounts:profile")
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "qr": _qr_data_uri(device.config_url), "secret": base64.b32encode(device.bin_key).decode(),
    })


def _qr_data_uri(text):
    import qrcode
    import qrcode.image.svg

    buffer = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@require(AUTHENTICATED)
def two_factor_disable(request):
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and run_service(
        form, lambda data: services.totp_disable(actor=request.user, password=data["password"]) or True
    ):
        messages.success(request, _("Two-factor sign-in is off."))
        return redirect("accounts:profile")
    return render(request, "core/form.html", {
        "form": form, "title": _("Turn off two-factor sign-in"), "cancel_url": resolve_url("accounts:profile"),
    })


@require(AUTHENTICATED)
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    result = run_service(form, lambda data: services.token_issue(actor=request.user, **data))
    if result:
        _token, raw = result
        request.session["guanxi_new_token"] = raw
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    else:
        for errors in form.errors.values():
            messages.error(request, errors[0])
    return redirect("accounts:profile")


@require(AUTHENTICATED)
@require_POST
def token_revoke(request, pk):
    try:
        services.token_revoke(actor=request.user, token_id=pk)
    except NotFound:
        return HttpResponse(status=404)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")
