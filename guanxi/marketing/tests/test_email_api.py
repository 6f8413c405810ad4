"""API of e-mail campaigns and unsubscribes (MKT-4; API.md)."""

import pytest

from guanxi.marketing.models import EmailSend, SendStatus, Suppression
from guanxi.marketing.services import email as services

from . import email_support
from .email_support import customers_with_mail, static_segment

pytestmark = pytest.mark.django_db

marketer = email_support.marketer
other_marketer = email_support.other_marketer


def test_create_schedule_stats_cancel(marketer, seller, api_for):
    """MKT-4: create a campaign from a template and segment, schedule it, read stats, cancel."""
    segment = static_segment(marketer, customers_with_mail(seller, ["api@e.cn"]))
    template = services.email_template_create(actor=marketer, name="t", subject="s", text_body="t")
    client, headers = api_for(marketer)
    created = client.post("/api/v1/email-campaigns", {"name": "API 群发", "template_id": template.pk,
                                                      "segment_id": segment.pk}, content_type="application/json",
                          headers=headers)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.get("/api/v1/email-campaigns", headers=headers).json()["items"][0]["id"] == pk
    scheduled = client.post(f"/api/v1/email-campaigns/{pk}/schedule", {"at": "2030-01-01T09:00:00+08:00"},
                            content_type="application/json", headers=headers)
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled"
    stats = client.get(f"/api/v1/email-campaigns/{pk}/stats", headers=headers).json()
    assert stats["total"] == 0 and stats["rates"]["opened"] == 0.0
    assert client.post(f"/api/v1/email-campaigns/{pk}/cancel", headers=headers).json()["status"] == "cancelled"


def test_bad_input_out_of_scope_and_forbidden(marketer, other_marketer, seller, api_for):
    """MKT-4: an unknown template is 422; another branch's campaign is 404; a salesperson 403."""
    segment = static_segment(marketer, customers_with_mail(seller, ["api2@e.cn"]))
    client, headers = api_for(marketer)
    bad = client.post("/api/v1/email-campaigns", {"name": "x", "template_id": 999999, "segment_id": segment.pk},
                      content_type="application/json", headers=headers)
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    template = services.email_template_create(actor=marketer, name="t", subject="s", text_body="t")
    send = services.email_send_create(actor=marketer, name="x", template=template, segment=segment)
    other, other_headers = api_for(other_marketer)
    assert other.get(f"/api/v1/email-campaigns/{send.pk}", headers=other_headers).status_code == 404
    assert other.post(f"/api/v1/email-campaigns/{send.pk}/cancel", headers=other_headers).status_code == 404
    sales, sales_headers = api_for(seller)
    assert sales.get("/api/v1/email-campaigns", headers=sales_headers).status_code == 403
    assert EmailSend.objects.get(pk=send.pk).status == SendStatus.DRAFT


def test_unsubscribes_list_and_add(marketer, seller, api_for):
    """MKT-4: /unsubscribes lists suppressed addresses; adding one normalizes it; bad ones are 422."""
    client, headers = api_for(marketer)
    added = client.post("/api/v1/unsubscribes", {"address": " Angry@Example.CN "}, content_type="application/json",
                        headers=headers)
    assert added.status_code == 201 and added.json()["address"] == "angry@example.cn"
    assert client.post("/api/v1/unsubscribes", {"address": "not an address"}, content_type="application/json",
                       headers=headers).status_code == 422
    assert [i["address"] for i in client.get("/api/v1/unsubscribes", headers=headers).json()["items"]] == \
        ["angry@example.cn"]
    sales, sales_headers = api_for(seller)
    assert sales.post("/api/v1/unsubscribes", {"address": "x@e.cn"}, content_type="application/json",
                      headers=sales_headers).status_code == 403
    assert Suppression.objects.count() == 1
