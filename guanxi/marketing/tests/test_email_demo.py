"""The e-mail marketing demo (MKT-4): built through the services, mails nobody, and fills
the pages a marketing user opens first."""

import pytest
from django.core import mail

from guanxi.marketing.models import (
    EmailSend,
    Journey,
    Recipient,
    RecipientState,
    SendStatus,
    Suppression,
)


@pytest.mark.parametrize("url", ["/marketing/email/templates/", "/marketing/email/campaigns/",
                                 "/marketing/email/suppressed/", "/marketing/journeys/"])
def test_the_demo_fills_the_email_pages(demo_world, client_for, url):
    """MKT-4: templates, a finished send with opens, clicks, a bounce and an unsubscribe,
    a journey and suppressed addresses are there to look at; nobody was mailed."""
    response = client_for(demo_world["chenzhiqiang"]).get(url)
    assert response.status_code == 200 and response.context["rows"], url


def test_the_demo_send_is_finished_with_every_outcome(demo_world):
    """MKT-4: the demo send ran to its end through the services (no message left the demo)."""
    send = EmailSend.objects.get(name="新品发布邮件")
    assert send.status == SendStatus.FINISHED and send.campaign is not None
    states = set(Recipient.objects.filter(send=send).values_list("state", flat=True))
    assert {RecipientState.SENT, RecipientState.BOUNCED} <= states
    assert Recipient.objects.filter(send=send, opened_at__isnull=False).exists()
    assert Suppression.objects.filter(reason="unsubscribed").exists()
    assert Suppression.objects.filter(reason="hard_bounce").exists()
    assert Journey.objects.get(name="新客户欢迎旅程").steps.count() == 4
    assert mail.outbox == []
