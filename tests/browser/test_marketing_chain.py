"""The marketing chain in one browser story (issue 13 acceptance, MKT-1…MKT-6).

One customer goes through every link: the dynamic segment that finds it, the campaign
e-mail it receives (real SMTP server), the campaign form its buyer sends from that mail,
the lead converted into that same customer, the order and its receipt in the campaign's
return, the loyalty points the receipt earned and their redemption. The pieces are tested
one by one in test_marketing_segments/_email/_campaigns/_loyalty/_audience; this checks
that they fit together."""

import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.customers.models import Customer
from guanxi.customers.services import contact_create, customer_create
from guanxi.finance import services as finance
from guanxi.marketing.models import (
    CampaignTouch,
    EmailTemplate,
    Recipient,
    RecipientState,
    Segment,
    TouchSource,
)
from guanxi.marketing.models.loyalty import Member, MemberTier, PointsMovement
from guanxi.marketing.services import email as email_services
from guanxi.marketing.services import loyalty
from guanxi.marketing.services.campaigns import campaign_create
from guanxi.org import demo as org_demo
from guanxi.org.models import Role
from guanxi.sales import services as sales
from guanxi.sales.models import Lead, LeadStatus
from guanxi.testing.sales import confirmed_order

from .test_marketing_segments import _wait_until_htmx_binds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOSHAN, HUADA, BEIJING = "佛山宏达机电有限公司", "广州华达电子有限公司", "北京丙科技有限公司"


@pytest.fixture
def demo(transactional_db):
    """The demo organisation; 黄丽 works as a marketing specialist; three customers of 刘洋
    rated A, two of them in Guangdong (province 44), each with a contact's e-mail; a member
    tier for the loyalty programme."""
    people = org_demo.build()
    people["huangli"].roles.set([Role.objects.get(code="marketing_specialist")])
    seller = people["liuyang"]
    for name, province, contact, address in [(FOSHAN, "44", "何经理", "he@hongda.example"),
                                             (HUADA, "44", "李娜", "li.na@huada.example"),
                                             (BEIJING, "11", "赵强", "zhao@bj.example")]:
        customer = customer_create(actor=seller, name=name)
        Customer.objects.filter(pk=customer.pk).update(value_tier="A", province=province)
        contact_create(actor=seller, customer=customer, name=contact, email=address)
    if not MemberTier.objects.exists():
        MemberTier.objects.create(name="普通会员", position=0)
    return people


def test_segment_mail_form_lead_receipt_return_and_points(demo, smtp, settings, live_server, page_for, artifacts):
    """MKT-1…MKT-6, issue 13 acceptance: a dynamic segment built in the rule builder finds
    two Guangdong A customers; the campaign's e-mail to it arrives at the SMTP server; the
    buyer of 佛山宏达 follows the mail's link to the campaign's form (UTM values) and sends
    it, then unsubscribes, and a second send skips that address; the lead is converted into
    that same customer, whose order is confirmed and paid; the campaign's return shows the
    receipt; the receipt earned 佛山宏达 loyalty points, some of which are redeemed on a new
    order, and the balance equals the ledger's sum."""
    settings.GUANXI_SITE_URL = live_server.url
    settings.GUANXI_WEBFORM_MIN_SECONDS = 0
    marketer, seller, manager = demo["huangli"], demo["liuyang"], demo["linhui"]
    foshan = Customer.objects.get(name=FOSHAN)
    member = loyalty.member_enroll(actor=manager, customer=foshan)
    today = timezone.localdate()
    campaign = campaign_create(actor=manager, code="expo-2026", name="2026 广州工业博览会", starts_on=today,
                               ends_on=today, budget=Decimal("20000"), channels=["exhibition"], owner=seller)
    form_link = f"{live_server.url}/marketing/f/expo-2026/?utm_source=newsletter&utm_medium=email&utm_campaign=expo-2026"
    email_services.email_template_create(
        actor=marketer, name="博览会邀请", subject="{{ customer.name }}：博览会邀请",
        html_body=f'<p>{{{{ contact.name }}}}您好</p><p><a href="{form_link}">预约洽谈</a></p>'
                  '<p><a href="{{ unsubscribe_url }}">退订</a></p>',
        text_body="{{ contact.name }}您好 退订：{{ unsubscribe_url }}")

    # MKT-3 — Given a marketing specialist in the rule builder
    page = page_for("huangli")
    page.goto(f"{live_server.url}/marketing/segments/new/")
    page.fill("#id_name", "广东 A 级客户")
    _wait_until_htmx_binds(page, "#field-0")
    # When she asks for A customers in Guangdong
    page.select_option("#field-0", "value_tier")
    page.select_option("select[name=value-0]", "A")
    expect(page.locator("#segment-preview .preview-count")).to_have_attribute("data-count", "3")
    page.click("#add-condition")
    _wait_until_htmx_binds(page, "#field-1")
    page.select_option("#field-1", "province")
    page.select_option("select[name=value-1]", "44")
    # Then the live count finds the two of them, and the saved (dynamic) segment lists them
    expect(page.locator("#segment-preview .preview-count")).to_have_attribute("data-count", "2")
    page.click("#segment-form button[type=submit]")
    expect(page.locator("#segment-count")).to_have_text("2")
    expect(page.locator("table.segment-members")).to_contain_text(FOSHAN)
    segment = Segment.objects.get(name="广东 A 级客户")
    assert segment.kind == "dynamic"

    # MKT-4 — When she sends the campaign's e-mail to the segment (the worker runs eagerly)
    page.goto(f"{live_server.url}/marketing/email/campaigns/new/")
    page.fill("#id_name", "博览会邀请函")
    page.select_option("#id_template", label="博览会邀请")
    page.select_option("#id_segment", str(segment.pk))
    page.select_option("#id_campaign", str(campaign.pk))
    page.click("form.record-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("博览会邀请函")
    page.click("#send-now")
    page.locator("#confirm-dialog button[value=ok]").click()
    expect(page.locator("#send-progress")).to_have_attribute("data-status", "finished")
    expect(page.locator("#stat-delivered")).to_have_text("2")
    page.screenshot(path=str(artifacts / "marketing-chain-send.png"), full_page=True)
    # Then the mail arrives at the SMTP server (and nothing for Beijing)
    [message] = smtp.wait_for("he@hongda.example")
    assert message["Subject"].strip() == f"{FOSHAN}：博览会邀请"  # a long subject is folded: " =?utf-8?…"
    assert not smtp.to("zhao@bj.example")
    html = message.get_body(("html",)).get_content()
    [click_link] = re.findall(r'href="([^"]+/m/c/[^"]+)"', html)
    unsubscribe_link = re.search(r'href="([^"]+/m/u/[^"]+)"', html).group(1)

    # MKT-5 — When the buyer follows the mail's link to the campaign's form and sends it
    visitor = page_for()
    visitor.goto(click_link)
    expect(visitor).to_have_url(re.compile(r"/marketing/f/expo-2026/\?utm_source=newsletter"))
    visitor.fill("#id_company", FOSHAN)
    visitor.fill("#id_name", "何经理")
    visitor.fill("#id_phone", "13912345678")
    visitor.click("#public-form button[type=submit]")
    expect(visitor.locator("#form-thanks")).to_be_visible()
    # Then a lead of the campaign's owner carries the form's touch with the link's UTM values
    lead = Lead.objects.get(company=FOSHAN)
    assert lead.owner == seller
    form_touch = CampaignTouch.objects.get(lead=lead)
    assert form_touch.campaign == campaign and form_touch.utm["utm_source"] == "newsletter"
    # and the click in the mail is the campaign's e-mail touch of the customer
    assert CampaignTouch.objects.filter(campaign=campaign, customer=foshan, source=TouchSource.EMAIL).exists()

    # MKT-4 — When the buyer unsubscribes through the mail's link
    visitor.goto(unsubscribe_link)
    visitor.click("#confirm-unsubscribe")
    expect(visitor.locator("#unsubscribed")).to_be_visible()
    assert not visitor.js_errors
    # Then a second send to the segment reaches 华达 only
    second = email_services.email_send_create(actor=marketer, name="博览会提醒", template=EmailTemplate.objects.get(),
                                              segment=segment, campaign=campaign)
    email_services.email_send_schedule(actor=marketer, send=second)
    smtp.wait_for("li.na@huada.example", count=2)
    assert len(smtp.to("he@hongda.example")) == 1
    assert Recipient.objects.get(send=second, address="he@hongda.example").state == RecipientState.SUPPRESSED

    # MKT-2 — When the salesperson converts the lead into that same customer (the lead page
    # converts into a new customer only: the service links the existing one)
    lead = sales.lead_convert(actor=seller, lead=lead, opportunity_name="宏达机电显示屏项目", amount=Decimal("50000"),
                              existing_customer=foshan)
    assert lead.status == LeadStatus.CONVERTED and lead.customer == foshan
    # and its order is confirmed and paid
    confirmed_order(seller, foshan, ((1, "48000.00"),))
    receipt = finance.receipt_record(actor=demo["zhouhong"], customer=foshan, amount=Decimal("48000"))
    # Then the campaign's return shows the receipt
    boss = page_for("linhui")
    boss.goto(f"{live_server.url}{campaign.get_absolute_url()}?model=last")
    expect(boss.locator("#return-received")).to_contain_text("48,000.00")
    boss.screenshot(path=str(artifacts / "marketing-chain-return.png"), full_page=True)
    boss.click("#return-received a")
    expect(boss.locator("#outcomes")).to_contain_text(receipt.number)

    # MKT-6 — Then the receipt earned 佛山宏达 points (one per 10 yuan by default)
    member.refresh_from_db()
    earned = member.balance
    assert earned == 4800
    boss.goto(f"{live_server.url}/marketing/members/{member.pk}/")
    expect(boss.locator("#points-balance")).to_have_text(str(earned))
    # When 100 points are redeemed on a new order in the browser
    order = sales.order_create(actor=seller, customer=foshan, lines=[
        {"description": "显示屏支架", "quantity": Decimal("1"), "unit_price": Decimal("1000"), "tax_rate": Decimal("0")}])
    boss.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    boss.fill("#points-form input[name=points]", "100")
    boss.click("#points-form button[type=submit]")
    boss.locator("#confirm-dialog button[value=ok]").click()
    expect(boss.locator("#adjustment-total")).to_contain_text("10.00")
    # Then the member page shows the rest, and the balance is the ledger's sum
    boss.goto(f"{live_server.url}/marketing/members/{member.pk}/")
    expect(boss.locator("#points-balance")).to_have_text(str(earned - 100))
    expect(boss.locator("#ledger tbody tr")).to_have_count(2)
    boss.screenshot(path=str(artifacts / "marketing-chain-points.png"), full_page=True)
    member = Member.objects.get(pk=member.pk)
    assert member.balance == PointsMovement.objects.filter(member=member).aggregate(s=Sum("points"))["s"]
    assert not page.js_errors and not boss.js_errors, (page.js_errors, boss.js_errors)
