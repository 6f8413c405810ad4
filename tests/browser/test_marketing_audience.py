"""Marketing capture in a real browser (MKT-1, MKT-5).

The story: a visitor opens the Beijing launch event's public form from a WeChat campaign
link that a signed customer shared (UTM and ``?ref=`` in the address), registers, and is
thanked; the branch manager finds the registration with its lead, campaign touch and
referral on the form's page and on the referrer's page, checks the visitor in, and opens
the target-group page, which draws its chart.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.customers.services import customer_create
from guanxi.marketing.models import Campaign, CampaignTouch, FormResponse, Referral, ReferralCode
from guanxi.marketing.services import capture as services
from guanxi.org import demo as org_demo
from guanxi.testing.sales import confirmed_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return org_demo.build()


def test_visitor_registers_through_a_referral_link(demo, page_for, live_server, settings):
    settings.GUANXI_WEBFORM_MIN_SECONDS = 0
    manager, seller = demo["majun"], demo["zhuwei"]
    referrer = customer_create(actor=seller, name="北京老朋友科技有限公司", industry=None)
    confirmed_order(seller, referrer)
    code = ReferralCode.objects.get(customer=referrer).code
    today = timezone.localdate()
    campaign = Campaign.objects.create(code="launch-2027", name="新品发布会推广", starts_on=today, ends_on=today,
                                       owner=manager, branch_id=manager.branch_id)
    event = services.marketing_form_create(
        actor=manager, kind="event", name="新品发布会", slug="launch", campaign=campaign, capacity=100,
        event_starts_at=timezone.now() + datetime.timedelta(days=10), event_place="北京国际会议中心", is_active=True,
        fields=[{"name": "name", "label": "姓名", "type": "text", "required": True},
                {"name": "company", "label": "公司", "type": "text", "required": True},
                {"name": "mobile", "label": "手机", "type": "phone", "required": True},
                {"name": "consent", "label": "我同意接收活动通知", "type": "consent", "required": True}])

    # Given a visitor on the link a customer shared in WeChat
    visitor = page_for(None, width=390, height=844)  # a phone
    visitor.goto(f"{live_server.url}/marketing/capture/e/launch/?utm_source=wechat&utm_medium=social&ref={code}")
    expect(visitor.locator("h1")).to_have_text("新品发布会")
    # When they register
    visitor.fill("#id_name", "高明")
    visitor.fill("#id_company", "北京高明贸易有限公司")
    visitor.fill("#id_mobile", "139 1234 5678")
    visitor.check("#id_consent")
    visitor.click("button[type=submit]")
    # Then they are thanked, and the lead carries the campaign touch and the referrer
    expect(visitor.locator("#form-thanks")).to_be_visible()
    registration = FormResponse.objects.get(form=event)
    assert registration.status == "registered" and registration.lead.company == "北京高明贸易有限公司"
    touch = CampaignTouch.objects.get(lead=registration.lead)
    assert touch.campaign == campaign and touch.utm["utm_source"] == "wechat"
    assert Referral.objects.get(lead=registration.lead).code.customer == referrer
    assert not visitor.js_errors

    # The manager sees it on the form's page and checks the visitor in at the door
    page = page_for("majun")
    page.goto(f"{live_server.url}{event.get_absolute_url()}")
    row = page.locator("#responses tbody tr", has_text="高明")
    expect(row).to_contain_text("北京高明贸易有限公司")
    expect(row).to_contain_text("wechat")
    expect(row).to_contain_text(code)
    # (the new strings read in English until the integrator merges the catalogues)
    row.get_by_role("button", name=re.compile("签到|Check in")).click()
    expect(page.locator("#responses tbody tr", has_text="高明")).to_contain_text(re.compile("已到场|Attended"))
    # The referrer's page lists the referred lead
    page.goto(f"{live_server.url}/marketing/referrals/{referrer.pk}/")
    expect(page.locator("#referral-code")).to_have_text(code)
    expect(page.locator("#referrals")).to_contain_text("北京高明贸易有限公司")
    # The target-group page draws its chart
    page.goto(f"{live_server.url}/marketing/target-groups/?dimension=industry")
    expect(page.locator("#audience-chart svg")).to_be_visible()
    expect(page.locator("#audience-table tbody tr")).to_have_count(1)  # the referrer: industry not given
    assert not page.js_errors
