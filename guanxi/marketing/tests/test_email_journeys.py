"""Journeys (MKT-4): send, wait, branch on opened/bought; idempotent advancing; the page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.marketing import journeys
from guanxi.marketing.models import JourneyEnrollment, Recipient, SuppressionReason
from guanxi.marketing.services import email as services

from . import email_support
from .email_support import FakeTransport, customers_with_mail, static_segment

pytestmark = pytest.mark.django_db

marketer = email_support.marketer


@pytest.fixture
def journey(marketer, seller):
    customers = customers_with_mail(seller, ["j1@e.cn", "j2@e.cn", "j3@e.cn"])
    journey = services.journey_create(actor=marketer, name="欢迎旅程", segment=static_segment(marketer, customers))
    welcome = services.email_template_create(actor=marketer, name="欢迎", subject="欢迎", text_body="欢迎")
    follow = services.email_template_create(actor=marketer, name="跟进", subject="跟进", text_body="跟进")
    services.journey_step_add(actor=marketer, journey=journey, kind="send", template=welcome)
    services.journey_step_add(actor=marketer, journey=journey, kind="wait", wait_days=3)
    services.journey_step_add(actor=marketer, journey=journey, kind="branch", condition="opened")
    services.journey_step_add(actor=marketer, journey=journey, kind="send", template=follow)
    services.journey_set_active(actor=marketer, journey=journey, active=True)
    return journey


def test_journey_sends_waits_and_branches_on_opened(journey):
    """MKT-4: entrants get the first e-mail, wait 3 days, and only those who opened get the second."""
    now = timezone.now()
    services.suppress("j3@e.cn", SuppressionReason.UNSUBSCRIBED)
    [first_send] = journeys.journeys_advance(now)
    assert journeys.journeys_advance(now) == []  # a second run the same minute does nothing
    transport = FakeTransport()
    services.send_deliver_batch(first_send, transport=transport)
    assert sorted(transport.sent) == ["j1@e.cn", "j2@e.cn"]  # j3 unsubscribed: suppressed everywhere
    services.open_record(Recipient.objects.get(send_id=first_send, address="j1@e.cn").pk)

    assert journeys.journeys_advance(now + datetime.timedelta(days=1)) == []
    [second_send] = journeys.journeys_advance(now + datetime.timedelta(days=3, minutes=1))
    services.send_deliver_batch(second_send, transport=transport)

    assert sorted(transport.sent) == ["j1@e.cn", "j1@e.cn", "j2@e.cn"]
    assert JourneyEnrollment.objects.filter(journey=journey, finished_at__isnull=False).count() == 3


def test_journey_page_shows_counts_and_steps_lock_once_entered(journey, marketer, client_for):
    """MKT-4: the page lists steps with their counts; steps cannot change once customers entered."""
    journeys.journeys_advance(timezone.now())
    page = client_for(marketer).get(reverse("marketing:journey_detail", args=[journey.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "欢迎" in html and 'id="journey-steps"' in html
    step = journey.steps.first()
    response = client_for(marketer).post(reverse("marketing:journey_step_remove", args=[journey.pk, step.pk]))
    assert response.status_code == 302 and journey.steps.count() == 4
