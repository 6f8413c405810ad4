"""API: targets (SAL-8), commission-statements (SAL-9) and the sales reports (SAL-2, SAL-7, SAL-11)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from guanxi.customers.services import customer_create
from guanxi.finance import commissions
from guanxi.finance import services as finance
from guanxi.sales.models import CommissionStatement, Target
from guanxi.testing.sales import confirmed_order, opportunity_through

YEAR = timezone.localdate().year
MONTH = timezone.localdate().strftime("%Y-%m")


def test_set_and_read_targets_with_completion(seller, demo_org, api_for):
    """SAL-8: POST a year with months; GET shows completion as decimal strings; scope and 422."""
    client, headers = api_for(demo_org["wangjianguo"])
    body = {"level": "person", "subject_id": seller.pk, "year": YEAR, "amount": "120000.00", "new_customers": 12,
            "months": [{}] * 12}
    created = client.post("/api/v1/targets", body, content_type="application/json", headers=headers)
    assert created.status_code == 201, created.content
    assert created.json()["amount"] == "120000.00" and created.json()["month"] == 0
    confirmed_order(seller, customer_create(actor=seller, name="接口目标客户"), ((1, "30000.00"),))
    listed = client.get(f"/api/v1/targets?year={YEAR}&month=0", headers=headers).json()["items"]
    assert listed[0]["ordered"] == "30000.00" and listed[0]["amount_percent"] == 25.0
    assert len(client.get(f"/api/v1/targets?year={YEAR}", headers=headers).json()["items"]) == 13
    outside = dict(body, subject_id=demo_org["zhuwei"].pk)
    assert client.post("/api/v1/targets", outside, content_type="application/json",
                       headers=headers).status_code == 404
    for bad in (dict(body, amount="-1"), dict(body, year=1900), dict(body, months=[{}] * 3),
                dict(body, owner_id=1), dict(body, level="galaxy")):
        assert client.post("/api/v1/targets", bad, content_type="application/json",
                           headers=headers).status_code in (400, 422)
    assert Target.objects.count() == 13
    own, own_headers = api_for(seller)
    assert own.post("/api/v1/targets", body, content_type="application/json", headers=own_headers).status_code == 403
    assert [t["user_id"] for t in own.get(f"/api/v1/targets?year={YEAR}&month=0",
                                          headers=own_headers).json()["items"]] == [seller.pk]


def test_commission_statements_own_or_by_finance(seller, demo_org, api_for):
    """SAL-9: finance computes and confirms; a salesperson reads only their own."""
    head = demo_org["zhouhong"]
    commissions.commission_rule_save(actor=head, name="标准", tiers=[("0", "5")])
    customer = customer_create(actor=seller, name="接口提成客户")
    finance.receipt_record(actor=head, customer=customer, amount="10000", allocate=None)
    client, headers = api_for(head)
    made = client.post("/api/v1/commission-statements", {"month": MONTH}, content_type="application/json",
                       headers=headers)
    assert made.status_code == 200
    mine = next(s for s in made.json() if s["user_id"] == seller.pk)
    assert mine["commission"] == "500.00" and mine["basis_amount"] == "10000.00" and mine["month"] == MONTH
    colleague = CommissionStatement.objects.exclude(user=seller).first()
    own, own_headers = api_for(seller)
    assert [s["user_id"] for s in own.get("/api/v1/commission-statements", headers=own_headers).json()["items"]] == [
        seller.pk]
    assert own.get(f"/api/v1/commission-statements/{colleague.pk}", headers=own_headers).status_code == 404
    assert own.post("/api/v1/commission-statements", {"month": MONTH}, content_type="application/json",
                    headers=own_headers).status_code == 403
    confirm = client.post(f"/api/v1/commission-statements/{mine['id']}/confirm", headers=headers)
    assert confirm.status_code == 200 and confirm.json()["status"] == "confirmed"
    again = client.post(f"/api/v1/commission-statements/{mine['id']}/confirm", headers=headers)
    assert again.status_code == 409 and again["Content-Type"].startswith("application/problem+json")
    future = (timezone.localdate() + datetime.timedelta(days=62)).strftime("%Y-%m")
    assert client.post("/api/v1/commission-statements", {"month": future}, content_type="application/json",
                       headers=headers).status_code == 422


def test_reports(seller, demo_org, api_for):
    """SAL-2, SAL-7, SAL-11 over the API, scoped like the screens."""
    customer = customer_create(actor=seller, name="接口报表客户")
    opportunity_through(seller, customer, [1, 4], amount=Decimal("50000"))
    opportunity_through(seller, customer, [1], amount=Decimal("40000"), expected_close_on=timezone.localdate())
    client, headers = api_for(demo_org["wangjianguo"])
    funnel = client.get("/api/v1/reports/funnel?group=person", headers=headers).json()
    assert funnel["summary"]["won_count"] == 1 and funnel["summary"]["won_amount"] == "50000.00"
    assert funnel["stages"][0]["reached"] == 2
    forecast = client.get("/api/v1/reports/forecast?months=3", headers=headers).json()
    assert forecast["months"][0]["weighted"] == "10000.00" and len(forecast["months"]) == 3
    performance = client.get("/api/v1/reports/performance", headers=headers).json()
    assert performance[0]["key"] == seller.pk and performance[0]["won_amount"] == "50000.00"
    bad = client.get("/api/v1/reports/performance?start=2026-05-01&end=2026-01-01", headers=headers)
    assert bad.status_code == 422
    own, own_headers = api_for(seller)
    assert own.get("/api/v1/reports/funnel", headers=own_headers).status_code == 403
