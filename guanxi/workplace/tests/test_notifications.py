"""The notification centre: one notify() for every module, routed by preferences;
the bell that shows arrivals within seconds; the list and the preferences page."""

import datetime
import json

import pytest
from django.core import mail
from django.utils import timezone

from guanxi.core import notifications
from guanxi.core.errors import ValidationFailed
from guanxi.core.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db(transaction=False)


def _prefer(user, kind, **channels):
    NotificationPreference.objects.create(user=user, kind=kind, **{"in_app": True, "email": False, "digest": False,
                                                                  **channels})


def test_notify_keeps_its_signature_and_dedupes(org, django_capture_on_commit_callbacks):
    """Every module's call still works: same arguments, same idempotency, e-mail on request."""
    user = org["liuyang"]
    with django_capture_on_commit_callbacks(execute=True):
        first = notifications.notify(user, kind="finance.due", title="到期", body="正文", url="/x/", email=True,
                                     dedupe_key="k1")
    assert first is not None and first.read_at is None
    assert notifications.notify(user, kind="finance.due", title="到期", dedupe_key="k1") is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert notifications.unread_count(user) == 1


def test_in_app_off_stores_the_notice_as_read(org):
    """A kind muted in the app does not light the bell, but still dedupes."""
    user = org["liuyang"]
    _prefer(user, "sales.large_deal", in_app=False)
    notice = notifications.notify(user, kind="sales.large_deal", title="大单", dedupe_key="d")
    assert notice.read_at is not None and notifications.unread_count(user) == 0
    assert notifications.notify(user, kind="sales.large_deal", title="大单", dedupe_key="d") is None


def test_email_follows_the_preference_over_the_callers_default(org, django_capture_on_commit_callbacks):
    """Routing by preference inside notify(): e-mail on for a kind the caller sends without
    it, off for one the caller would e-mail."""
    user = org["liuyang"]
    _prefer(user, "finance.due", email=True)
    _prefer(user, "workplace.reminder", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(user, kind="finance.due", title="收款到期")
        notifications.notify(user, kind="workplace.reminder", title="会议", email=True)
    assert [m.subject for m in mail.outbox] == ["收款到期"]


def test_no_email_leaves_when_the_transaction_rolls_back(org, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify(org["liuyang"], kind="finance.due", title="x", email=True)
        raise RuntimeError
    assert not mail.outbox and not Notification.objects.exists()


def test_notify_many_routes_each_person_and_skips_those_already_told(org, django_capture_on_commit_callbacks):
    a, b, c = org["liuyang"], org["huangli"], org["liyang"]
    _prefer(b, "workplace.directive", in_app=False, email=True)
    notifications.notify(c, kind="workplace.directive", title="旧", dedupe_key="dir:1")
    with django_capture_on_commit_callbacks(execute=True):
        sent = notifications.notify_many([a, b, c], kind="workplace.directive", title="新指令", dedupe_key="dir:1")
    assert sent == 2
    assert Notification.objects.get(recipient=a).read_at is None
    assert Notification.objects.get(recipient=b).read_at is not None
    assert [m.to for m in mail.outbox] == [[b.email]]


def test_the_digest_lists_the_kinds_chosen_for_it(org):
    """Notices of kinds the user wants in the digest appear in the nightly digest section."""
    user = org["liuyang"]
    _prefer(user, "customers.follow_up", digest=True)
    notifications.notify(user, kind="customers.follow_up", title="跟进华达")
    notifications.notify(user, kind="finance.due", title="不在摘要")
    lines = notifications.digest_section(user, timezone.localdate())
    assert lines == ["跟进华达"]
    assert notifications.digest_section(user, timezone.localdate() - datetime.timedelta(days=1)) == []


def test_unknown_kinds_are_refused_and_nothing_is_saved(org):
    with pytest.raises(ValidationFailed):
        notifications.preferences_save(actor=org["liuyang"], choices={
            "finance.due": notifications.Channels(True, True, False),
            "bogus.kind": notifications.Channels(True, True, False)})
    assert not NotificationPreference.objects.exists()


def test_every_kind_modules_send_is_known():
    """Preferences cover the kinds the modules send today."""
    codes = {k.code for k in notifications.kinds()}
    assert {"workplace.directive", "workplace.plan_assigned", "approvals.waiting", "finance.due",
            "customers.follow_up", "sales.large_deal"} <= codes


# --- the bell and the centre ----------------------------------------------------------
def test_the_bell_announces_what_arrived_since_it_last_looked(org, client_for):
    """A notice created after the page's last poll arrives as a toast with the count; a
    poll without news says nothing (no state in the web process: the page sends its id)."""
    user = org["liuyang"]
    client = client_for(user)
    first = client.get("/work/notifications/bell/")
    assert "HX-Trigger" not in first and 'hx-trigger="every 5s"' in first.content.decode()
    latest = Notification.objects.filter(recipient=user).order_by("-pk").values_list("pk", flat=True).first() or 0
    notifications.notify(user, kind="workplace.directive", title="新指令：季度回访")
    polled = client.get("/work/notifications/bell/", {"after": latest})
    assert json.loads(polled["HX-Trigger"])["toast"]["text"] == "新指令：季度回访"
    assert 'data-unread="1"' in polled.content.decode()
    newest = Notification.objects.filter(recipient=user).latest("pk").pk
    quiet = client.get("/work/notifications/bell/", {"after": newest})
    assert "HX-Trigger" not in quiet and f'"after": "{newest}"' in quiet.content.decode()


def test_the_page_loads_the_bell_once_then_polls(org, client_for):
    html = client_for(org["liuyang"]).get("/work/day/").content.decode()
    assert 'hx-get="/work/notifications/bell/"' in html and 'hx-trigger="load"' in html


def test_the_centre_lists_and_marks_read(org, client_for):
    user = org["liuyang"]
    notice = notifications.notify(user, kind="finance.due", title="收款到期")
    other = notifications.notify(org["huangli"], kind="finance.due", title="别人的")
    client = client_for(user)
    html = client.get("/work/notifications/?show=unread").content.decode()
    assert "收款到期" in html and "别人的" not in html
    client.post(f"/work/notifications/{other.pk}/read/")
    other.refresh_from_db()
    assert other.read_at is None  # not one's own: nothing happens
    client.post(f"/work/notifications/{notice.pk}/read/")
    notice.refresh_from_db()
    assert notice.read_at is not None
    notifications.notify(user, kind="finance.due", title="又一个")
    client.post("/work/notifications/")
    assert notifications.unread_count(user) == 0


def test_the_preferences_page_saves_every_box(org, client_for):
    user = org["liuyang"]
    client = client_for(user)
    html = client.get("/work/notifications/preferences/").content.decode()
    assert 'data-kind="workplace.directive"' in html
    data = {f"{k.code}__in_app": "on" for k in notifications.kinds()}
    data["finance.due__email"] = "on"
    data.pop("sales.large_deal__in_app")
    data["workplace.directive__digest"] = "on"
    assert client.post("/work/notifications/preferences/", data).status_code == 302
    prefs = notifications.preferences_of(user)
    assert prefs["finance.due"] == notifications.Channels(True, True, False)
    assert prefs["sales.large_deal"] == notifications.Channels(False, False, False)
    assert prefs["workplace.directive"].digest


def test_opening_a_notice_marks_it_read_only_on_post(org, client_for):
    """Issue 16.3: GET never writes. Following the link without htmx only goes to the
    page; the list's htmx POST marks the notice read, then sends the browser there."""
    user = org["liuyang"]
    notice = notifications.notify(user, kind="finance.due", title="收款到期", url="/work/day/")
    client = client_for(user)
    html = client.get("/work/notifications/").content.decode()
    assert f'hx-post="/notifications/{notice.pk}/"' in html
    assert client.get(f"/notifications/{notice.pk}/")["Location"] == "/work/day/"
    notice.refresh_from_db()
    assert notice.read_at is None
    response = client.post(f"/notifications/{notice.pk}/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/work/day/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    other = notifications.notify(org["huangli"], kind="finance.due", title="别人的")
    assert client.post(f"/notifications/{other.pk}/").status_code == 404
