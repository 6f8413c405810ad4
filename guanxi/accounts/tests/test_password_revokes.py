"""Issue 11.10, SECURITY (Authentication): a new password ends the old credentials — the
user's API tokens are revoked and other sessions signed out (the current one stays on a
change)."""

import re

import pytest
from django.core import mail
from django.test import Client

from guanxi.accounts.models import ApiToken
from guanxi.accounts.services import token_issue, token_issue_for_login
from guanxi.org.demo import DEMO_PASSWORD

NEW_PASSWORD = "Xin-mima-2026!"


def _signed_in(username):
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302
    return client


def _is_signed_in(client):
    return client.get("/work/notes/").status_code == 200


@pytest.fixture
def credentials(demo_org):
    """liuyang's personal token, an API-login token and a session on another device."""
    user = demo_org["liuyang"]
    _personal, personal_raw = token_issue(actor=user, name="ERP")
    _login, login_raw = token_issue_for_login(user=user)
    return user, [personal_raw, login_raw], _signed_in("liuyang")


def _api_status(raw):
    return Client().get("/api/v1/notes", headers={"Authorization": f"Bearer {raw}"}).status_code


def _assert_revoked(user, raws, other_device):
    assert [_api_status(raw) for raw in raws] == [401, 401]
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert not _is_signed_in(other_device)


def test_changing_the_password_revokes_tokens_and_other_sessions_but_keeps_this_one(credentials):
    """SECURITY (Authentication): a password change ends tokens and other sessions."""
    user, raws, other_device = credentials
    assert [_api_status(raw) for raw in raws] == [200, 200] and _is_signed_in(other_device)
    this_device = _signed_in("liuyang")
    response = this_device.post("/accounts/password/", {"old_password": DEMO_PASSWORD,
                                                        "new_password1": NEW_PASSWORD,
                                                        "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    _assert_revoked(user, raws, other_device)
    assert _is_signed_in(this_device)


def test_resetting_the_password_revokes_tokens_and_sessions(credentials):
    """SECURITY (Authentication): a reset by e-mail ends every old credential."""
    user, raws, other_device = credentials
    client = Client()
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    _assert_revoked(user, raws, other_device)


def test_an_administrator_setting_the_password_revokes_tokens_and_sessions(credentials, demo_org):
    """SECURITY (Authentication): an administrator setting a password ends the old credentials."""
    user, raws, other_device = credentials
    admin = Client()
    admin.force_login(demo_org["zhaolei"])
    response = admin.post(f"/org/employees/{user.pk}/password/", {"password": NEW_PASSWORD})
    assert response.status_code == 302
    _assert_revoked(user, raws, other_device)
    assert Client().post("/accounts/login/", {"username": "liuyang", "password": NEW_PASSWORD}).status_code == 302


def test_a_refused_password_change_revokes_nothing(credentials):
    """A change that fails (wrong old password) leaves the tokens and sessions alone."""
    user, raws, other_device = credentials
    this_device = _signed_in("liuyang")
    this_device.post("/accounts/password/", {"old_password": "wrong", "new_password1": NEW_PASSWORD,
                                             "new_password2": NEW_PASSWORD})
    assert [_api_status(raw) for raw in raws] == [200, 200] and _is_signed_in(other_device)
