"""E-mail campaign in a real browser (MKT-4 acceptance).

A marketing specialist sends a campaign e-mail to a static segment built in the test; the
mail arrives at the real SMTP server the test runs; the recipient opens its unsubscribe
link and confirms; a second send to the same segment skips that address."""

import re

import pytest
from playwright.sync_api import expect

from guanxi.customers.services import contact_create, customer_create
from guanxi.marketing.models import (
    EmailTemplate,
    Recipient,
    RecipientState,
    Segment,
    SegmentKind,
    SegmentMember,
)
from guanxi.marketing.services import email as services
from guanxi.org import demo as org_demo
from guanxi.org.demo import DEMO_PASSWORD
from guanxi.testing.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return org_demo.build()


def test_campaign_mail_arrives_unsubscribe_works_and_next_send_skips(demo, smtp, settings, live_server, page_for):
    """MKT-4: send to a segment, mail at the SMTP sink, unsubscribe link, second send skips."""
    settings.GUANXI_SITE_URL = live_server.url
    marketer = UserFactory(username="mkt", department=demo["liuyang"].department, roles=["marketing_specialist"])
    marketer.set_password(DEMO_PASSWORD)
    marketer.save()
    customers = []
    for n, address in enumerate(["li.na@huada.example", "zhou.bo@hengtai.example"]):
        customer = customer_create(actor=demo["liuyang"], name=f"华达电子{n}有限公司")
        contact_create(actor=demo["liuyang"], customer=customer, name=f"联系人{n}", email=address)
        customers.append(customer)
    segment = Segment.objects.create(name="广州重点客户", kind=SegmentKind.STATIC, owner=marketer,
                                     branch=marketer.branch)
    SegmentMember.objects.bulk_create([SegmentMember(segment=segment, customer=c) for c in customers])
    services.email_template_create(
        actor=marketer, name="新品通知", subject="{{ customer.name }}：新品上市",
        html_body='<p>{{ contact.name }}您好</p><p><a href="{{ unsubscribe_url }}">退订</a></p>',
        text_body="{{ contact.name }}您好 退订：{{ unsubscribe_url }}")

    page = page_for("mkt")
    page.goto(f"{live_server.url}/marketing/email/campaigns/new/")
    page.fill("#id_name", "十二月新品")
    page.select_option("#id_template", label="新品通知")
    page.select_option("#id_segment", label="广州重点客户")
    page.click("form.record-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("十二月新品")
    page.click("#send-now")
    page.locator("#confirm-dialog button[value=ok]").click()
    expect(page.locator("#send-progress")).to_have_attribute("data-status", "finished")
    expect(page.locator("#stat-delivered")).to_have_text("2")

    [message] = smtp.wait_for("li.na@huada.example")
    assert message["Subject"] == "华达电子0有限公司：新品上市"
    link = re.search(r'href="([^"]+/m/u/[^"]+)"', message.get_body(("html",)).get_content()).group(1)
    visitor = page.context.browser.new_context().new_page()
    visitor.goto(link)
    visitor.click("#confirm-unsubscribe")
    expect(visitor.locator("#unsubscribed")).to_be_visible()

    second = services.email_send_create(actor=marketer, name="第二次", template=EmailTemplate.objects.get(),
                                        segment=segment)
    services.email_send_schedule(actor=marketer, send=second)
    smtp.wait_for("zhou.bo@hengtai.example", count=2)
    assert len(smtp.to("li.na@huada.example")) == 1
    assert Recipient.objects.get(send=second, address="li.na@huada.example").state == RecipientState.SUPPRESSED
    assert not page.js_errors
