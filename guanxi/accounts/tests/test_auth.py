import base64
import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanxi.accounts.models import ApiToken
from guanxi.org.demo import DEMO_PASSWORD


def _login(client, username, password=DEMO_PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_login_and_logout(demo_org):
    client = Client()
    response = _login(client, "liuyang")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/accounts/logout/").status_code == 405  # no GET changes state (CSRF)
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_gives_one_message_for_any_username(demo_org):
    """SECURITY: no user enumeration by message."""
    a = _login(Client(), "liuyang", "wrong-password").content.decode()
    b = _login(Client(), "nobody-here", "wrong-password").content.decode()
    message = re.search(r'class="form-error"[^>]*>(.*?)</div>', a, re.S).group(1)
    assert message.strip() and message == re.search(r'class="form-error"[^>]*>(.*?)</div>', b, re.S).group(1)


def test_account_locks_after_repeated_failures(demo_org, settings):
    """Acceptance: a wrong password again and again locks the account, in the user's language."""
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "liuyang", "wrong-password", HTTP_ACCEPT_LANGUAGE="en")
    locked = _login(client, "liuyang", DEMO_PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert locked.status_code == 429
    assert "locked" in locked.content.decode()
    zh = _login(Client(), "liuyang", DEMO_PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 429 and "锁定" in zh.content.decode()
    assert Client().get("/").status_code == 302
    # Another account is unaffected.
    assert _login(Client(), "zhuwei").status_code == 302


def test_two_factor_login(demo_org):
    user = demo_org["linhui"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    response = _login(client, "linhui")
    assert response["Location"] == "/accounts/login/code/"
    assert client.get("/").status_code == 302  # not signed in yet
    bad = client.post("/accounts/login/code/", {"code": "000000"})
    assert bad.status_code == 200 and client.get("/").status_code == 302
    # django-otp throttles after a failure: even the right code waits a moment.
    throttled = client.post("/accounts/login/code/", {"code": f"{totp(device.bin_key):06d}"})
    assert throttled.status_code == 200 and client.get("/").status_code == 302
    device.throttle_reset()
    good = client.post("/accounts/login/code/", {"code": f"{totp(device.bin_key):06d}"})
    assert good.status_code == 302
    assert client.get("/").status_code == 200


def test_two_factor_codes_cannot_be_guessed_forever(demo_org, settings):
    TOTPDevice.objects.create(user=demo_org["linhui"], name="phone", confirmed=True)
    client = Client()
    _login(client, "linhui")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/code/", {"code": "000000"})
    assert client.post("/accounts/login/code/", {"code": "123456"}).status_code == 429


def test_enrol_two_factor(demo_org, client_for):
    """Issue 16.3: showing the setup page stores no device; the code shown by the app for
    the page's key turns two-factor sign-in on."""
    user = demo_org["zhaolei"]
    client = client_for(user)
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200 and "data:image/svg+xml;base64," in page.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    secret = page.context["secret"]
    assert client.get("/accounts/two-factor/").context["secret"] == secret  # the same key until confirmed
    assert client.post("/accounts/two-factor/", {"code": "999999"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    client.post("/accounts/two-factor/", {"code": f"{totp(base64.b32decode(secret)):06d}"})
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_admins_must_enrol_when_required(demo_org, client_for, settings):
    settings.GUANXI_REQUIRE_2FA_FOR_ADMINS = True
    assert client_for(demo_org["zhaolei"]).get("/org/employees/")["Location"] == "/accounts/two-factor/"
    assert client_for(demo_org["liuyang"]).get("/work/notes/").status_code == 200


def test_password_reset_by_email_is_single_use(demo_org):
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "liuyang@huazhi.example.cn"})
    assert response.status_code == 302
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.cn"})
    assert unknown.status_code == 302 and unknown["Location"] == response["Location"]  # no enumeration
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!"})
    assert done.status_code == 302
    assert _login(Client(), "liuyang", "Xin-mima-2026!").status_code == 302
    again = Client().get(link, follow=True)
    assert "expired" in again.content.decode() or "失效" in again.content.decode()


def test_password_change(demo_org, client_for):
    client = client_for(demo_org["liuyang"])
    bad = client.post("/accounts/password/", {"old_password": "nope", "new_password1": "a", "new_password2": "b"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    ok = client.post("/accounts/password/", {"old_password": DEMO_PASSWORD, "new_password1": "Another-pass-77",
                                             "new_password2": "Another-pass-77"})
    assert ok.status_code == 302


def test_personal_tokens_are_hashed_shown_once_and_revocable(demo_org, client_for):
    user = demo_org["liuyang"]
    client = client_for(user)
    client.post("/accounts/tokens/", {"name": "ERP", "days": "30"})
    token = ApiToken.objects.get(user=user, name="ERP")
    page = client.get("/accounts/profile/").content.decode()
    raw = re.search(r'id="new-token">(gx_[^<]+)<', page).group(1)
    assert token.key_hash != raw and raw not in token.key_hash
    assert raw not in client.get("/accounts/profile/").content.decode()  # shown once
    api = Client()
    assert api.get("/api/v1/notes", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/notes", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_someone_elses_token_cannot_be_revoked(demo_org, client_for):
    from guanxi.accounts.services import token_issue

    token, _raw = token_issue(actor=demo_org["zhuwei"], name="x")
    response = client_for(demo_org["liuyang"]).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_session_cookie_flags(demo_org, settings):
    response = _login(Client(), "liuyang")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.parametrize("language,text", [("en", "Sign in"), ("zh-hans", "登录")])
def test_login_page_follows_the_browser_language(db, language, text):
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language)
    assert text in response.content.decode()
