"""SMS and WeChat (MKT-4): the template's text posted to a gateway webhook through the
SSRF-safe client; a loopback webhook is refused unless GUANXI_OUTBOUND_ALLOW lists it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from guanxi.customers.services import customer_create
from guanxi.marketing.models import Recipient, RecipientState

from . import email_support
from .email_support import deliver_all, make_send, start_now, static_segment

pytestmark = pytest.mark.django_db

marketer = email_support.marketer


@pytest.fixture
def gateway():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            return None

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms", received
    server.shutdown()


def _send(marketer, seller, channel):
    customer = customer_create(actor=seller, name="短信客户有限公司", mobile="13800138000", wechat="wx_hd")
    return start_now(marketer, make_send(marketer, static_segment(marketer, [customer]), channel=channel,
                                         text="{{ customer.name }} 您好，新品上市"))


def test_sms_goes_to_the_gateway_webhook(marketer, seller, gateway, settings):
    """MKT-4: an SMS send posts the text body per mobile number to the configured webhook."""
    url, received = gateway
    settings.MARKETING_SMS_WEBHOOK_URL, settings.GUANXI_OUTBOUND_ALLOW = url, ["127.0.0.1"]
    send = _send(marketer, seller, "sms")
    deliver_all(send)
    assert received == [{"channel": "sms", "to": "+8613800138000", "text": "短信客户有限公司 您好，新品上市",
                         "id": str(Recipient.objects.get(send=send).pk)}]
    assert Recipient.objects.get(send=send).state == RecipientState.SENT


def test_loopback_webhook_is_refused_unless_allowed(marketer, seller, gateway, settings):
    """MKT-4 / SECURITY (SSRF): without GUANXI_OUTBOUND_ALLOW the local gateway is not called."""
    url, received = gateway
    settings.MARKETING_WECHAT_WEBHOOK_URL, settings.GUANXI_OUTBOUND_ALLOW = url, []
    send = _send(marketer, seller, "wechat")
    deliver_all(send)
    recipient = Recipient.objects.get(send=send)
    assert received == [] and recipient.state == RecipientState.FAILED and recipient.address == "wx_hd"
    assert "127.0.0.1" in recipient.error
