"""The demo data of the capture part: an event with registrations, a waiting list and
check-ins; referral codes for the signed customers; department forms."""

from guanxi.customers.services import customer_create
from guanxi.marketing import demo_capture
from guanxi.marketing.models import (
    DepartmentReport,
    FormResponse,
    MarketingForm,
    Referral,
    ReferralCode,
)
from guanxi.testing.sales import confirmed_order


def test_demo_builds_once(demo_org):
    zhuwei = demo_org["zhuwei"]
    signed = customer_create(actor=zhuwei, name="北京已签约有限公司")
    confirmed_order(zhuwei, signed)
    customer_create(actor=zhuwei, name="北京未签约有限公司")
    demo_capture.build()
    demo_capture.build()  # a second run adds nothing
    assert list(ReferralCode.objects.values_list("customer", flat=True)) == [signed.pk]
    event = MarketingForm.objects.get()
    statuses = sorted(FormResponse.objects.filter(form=event).values_list("status", flat=True))
    assert statuses.count("attended") == 4 and statuses.count("registered") == 6 and statuses.count("waiting") == 2
    assert Referral.objects.count() == 3
    assert DepartmentReport.objects.count() == 2
