"""Calendars (WRK-1, ACT-2): personal and department views with plans; the ICS feed at
a secret, revocable address that phone calendars read without signing in."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.utils import timezone

from guanxi.workplace import feeds, plans
from guanxi.workplace.models import CalendarFeed
from guanxi.workplace.services import schedule_create

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def test_the_ics_feed_imports_with_the_right_times(org, client, today, customer):
    """WRK-1/ACT-2 acceptance: the feed parses with icalendar, appointments at their
    Asia/Shanghai times, plan items as all-day events; no login needed."""
    schedule_create(actor=org["liuyang"], title="拜访华达，谈年度合同", starts_at=_at(today, 9, 30),
                    ends_at=_at(today, 11), location="广州天河", customer=customer)
    schedule_create(actor=org["liuyang"], title="晚间电话", starts_at=_at(today, 23, 30), ends_at=_at(today, 23, 45))
    plans.plan_item_create(actor=org["liuyang"], title="整理报价；含税, 含运费")
    schedule_create(actor=org["huangli"], title="别人的会议", starts_at=_at(today, 10), ends_at=_at(today, 11))
    _feed, secret = feeds.calendar_feed_create(actor=org["liuyang"])

    response = client.get(f"/work/calendar/feed/{secret}.ics")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    visit = events["拜访华达，谈年度合同"]
    assert visit.decoded("DTSTART").astimezone(SHANGHAI) == _at(today, 9, 30)
    assert visit.decoded("DTEND").astimezone(SHANGHAI) == _at(today, 11)
    assert str(visit["LOCATION"]) == "广州天河" and "华达" in str(visit["DESCRIPTION"])
    late = events["晚间电话"]
    assert late.decoded("DTSTART").astimezone(SHANGHAI).date() == today  # 15:30 UTC, still today in Shanghai
    plan = next(e for name, e in events.items() if "整理报价；含税, 含运费" in name)
    assert plan.decoded("DTSTART") == today
    assert "别人的会议" not in events


def test_long_lines_are_folded_and_still_parse(org, client, today):
    schedule_create(actor=org["liuyang"], title="长" * 80, starts_at=_at(today, 9), ends_at=_at(today, 10))
    _feed, secret = feeds.calendar_feed_create(actor=org["liuyang"])
    body = client.get(f"/work/calendar/feed/{secret}.ics").content
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert str(icalendar.Calendar.from_ical(body).walk("VEVENT")[0]["SUMMARY"]) == "长" * 80


def test_only_a_hash_of_the_secret_is_kept_and_revoking_closes_the_feed(org, client):
    """The address is shown once; the database has only its SHA-256; a new address or a
    revocation makes the old one answer 404."""
    _feed, secret = feeds.calendar_feed_create(actor=org["liuyang"])
    stored = CalendarFeed.objects.get()
    assert secret not in stored.token_hash and stored.token_hash == feeds.token_hash(secret)
    _feed, second = feeds.calendar_feed_create(actor=org["liuyang"])
    assert client.get(f"/work/calendar/feed/{secret}.ics").status_code == 404
    assert client.get(f"/work/calendar/feed/{second}.ics").status_code == 200
    feeds.calendar_feed_revoke(actor=org["liuyang"])
    assert client.get(f"/work/calendar/feed/{second}.ics").status_code == 404
    assert client.get("/work/calendar/feed/guess.ics").status_code == 404


def test_a_leavers_feed_stops(org, client):
    from guanxi.org.services import employee_deactivate

    _feed, secret = feeds.calendar_feed_create(actor=org["liuyang"])
    employee_deactivate(actor=None, user=org["liuyang"])
    assert client.get(f"/work/calendar/feed/{secret}.ics").status_code == 404


def test_the_feed_page_shows_the_address_once(org, client_for):
    client = client_for(org["liuyang"])
    html = client.post("/work/calendar/feed/", {"action": "create"}).content.decode()
    assert "/work/calendar/feed/" in html and ".ics" in html
    assert ".ics" not in client.get("/work/calendar/feed/").content.decode()
    client.post("/work/calendar/feed/", {"action": "revoke"})
    assert not CalendarFeed.objects.filter(revoked_at__isnull=True).exists()


def test_personal_and_department_calendars_show_plans(org, client_for, today):
    """The week shows one's appointments and plan items; the department view shows the
    department's as far as one's scope goes."""
    plans.plan_item_create(actor=org["liuyang"], title="刘洋的计划")
    schedule_create(actor=org["huangli"], title="黄丽的会议", starts_at=timezone.now(), ends_at=timezone.now())
    mine = client_for(org["liuyang"]).get("/work/calendar/").content.decode()
    assert "刘洋的计划" in mine and "黄丽的会议" not in mine
    manager = client_for(org["wangjianguo"]).get("/work/calendar/?who=department").content.decode()
    assert "刘洋的计划" in manager and "黄丽的会议" in manager
    salesperson = client_for(org["liuyang"]).get("/work/calendar/?who=department").content.decode()
    assert "黄丽的会议" not in salesperson  # a salesperson's scope is their own
