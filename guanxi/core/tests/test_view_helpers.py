"""The shared view helpers of core.forms: a button's POST (``act``/``act_on``) and the
POST of a page of per-branch rules (``branch_rules_posted``)."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import Http404
from django.test import RequestFactory

from guanxi.core.errors import ValidationFailed
from guanxi.core.forms import act, act_on, branch_rules_posted, emailed, report_message


def _post(data=None):
    request = RequestFactory().post("/", data or {})
    request._messages = CookieStorage(request)
    return request


def _said(request):
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def test_act_says_done_and_goes_on_or_reports_and_goes_back():
    request = _post()
    response = act(request, lambda: 3, done=lambda n: f"{n} made", back="/back/", then=lambda n: f"/made/{n}/")
    assert response.status_code == 302 and response.url == "/made/3/"
    assert _said(request) == [("success", "3 made")]

    def refuse():
        raise ValidationFailed("too late", field="when", errors=[{"field": "when", "message": "first"}])

    request = _post()
    response = act(request, refuse, done="never", back="/back/", then="/elsewhere/")
    assert response.url == "/back/" and _said(request) == [("error", "first")]
    request = _post()
    act(request, refuse, done="never", back="/back/", report=report_message)
    assert _said(request) == [("error", "too late")]


def test_act_without_a_message_and_act_on_an_unknown_action():
    request = _post()
    assert act(request, lambda: None, done=None, back="/back/").url == "/back/"
    assert _said(request) == []
    with pytest.raises(Http404):
        act_on(_post(), "explode", {"place": (lambda: None, "placed")}, back="/back/")
    request = _post()
    assert act_on(request, "place", {"place": (lambda: None, "placed")}, back="/order/").url == "/order/"
    assert _said(request) == [("success", "placed")]


def test_emailed_trims_the_recipient_and_caps_the_message():
    post = {"to": "  a@example.cn ", "message": "x" * 2500}
    assert emailed(post) == {"to": "a@example.cn", "message": "x" * 2000}


class _Branch:
    def __init__(self, pk):
        self.pk = pk


def test_branch_rules_posted_saves_the_default_and_the_branches_with_rules_of_their_own():
    one, two = _Branch(1), _Branch(2)
    saved = []
    request = _post({"days_default": "30", "days_1": "", "days_2": "45"})
    response = branch_rules_posted(request, [None, one, two], lambda branch, posted: saved.append(
        (branch, posted("days"))), own=lambda posted: posted("days").strip(), done="/settings/")
    assert response.url == "/settings/"
    assert saved == [(None, "30"), (two, "45")]

    def refuse(branch, posted):
        raise ValidationFailed("bad days", field="payment_days")

    request = _post({"days_default": "x"})
    assert branch_rules_posted(request, [None], refuse, own=lambda posted: True, done="/settings/") is None
    assert _said(request) == [("error", "bad days")]
