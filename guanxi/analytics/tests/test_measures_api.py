"""ANA-3, ANA-4, ANA-6, ANA-7 in the API: /api/v1/analytics/10c, cohorts, regions and
scorecards answer the page's figures, scoped, behind analytics.view."""

import datetime
from decimal import Decimal

from guanxi.analytics.scorecards import scorecard_save
from guanxi.customers.models import Customer
from guanxi.sales.models import Order


def _world(demo_org):
    for index, name in enumerate(("liuyang", "zhuwei")):
        seller = demo_org[name]
        customer = Customer.objects.create(name=f"接口客户{index}", owner=seller, branch=seller.branch,
                                           province="44" if index == 0 else "11")
        for month in (1, 2, 3):
            Order.objects.create(number=f"API-{index}-{month}", customer=customer, owner=seller, branch=seller.branch,
                                 status="confirmed", order_date=datetime.date(2026, month, 5), total=Decimal("1000"),
                                 subtotal=Decimal("1000"))


def test_api_tenc_cohorts_regions_and_scores(demo_org, api_for):
    """ANA-4, ANA-6, ANA-7: the API gives the cohorts, regions and scores; a branch head sees only his branch."""
    _world(demo_org)
    client, headers = api_for(demo_org["chenzhiqiang"])
    period = "start=2026-01-01&end=2026-03-31"
    cohorts = client.get(f"/api/v1/analytics/cohorts?{period}", headers=headers).json()
    assert cohorts == [{"month": "2026-01", "size": 2, "active": [2, 2, 2] + cohorts[0]["active"][3:],
                        "retention": cohorts[0]["retention"]}]
    assert cohorts[0]["retention"][:3] == ["100.00", "100.00", "100.00"]
    tab = client.get(f"/api/v1/analytics/10c/performance?{period}", headers=headers)
    assert tab.status_code == 200 and tab.json()[0]["definition"]
    regions = client.get(f"/api/v1/analytics/regions?{period}", headers=headers).json()
    assert {r["code"]: r["sales"] for r in regions} == {"44": "3000.00", "11": "3000.00"}
    assert {r["name_en"] for r in regions} == {"Guangdong", "Beijing"}
    assert client.get(f"/api/v1/analytics/regions?{period}&province=99", headers=headers).status_code == 422
    card = scorecard_save(actor=demo_org["chenzhiqiang"], name="考核", level="branch",
                          indicators=[("sales", "100", "2000")])
    scores = client.get(f"/api/v1/analytics/scorecards/{card.pk}/scores?{period}", headers=headers).json()
    assert [s["score"] for s in scores["scores"]] == ["150.00", "150.00"]  # 3000 / 2000, capped at 150 %
    head_client, head_headers = api_for(demo_org["majun"])
    mine = head_client.get(f"/api/v1/analytics/regions?{period}", headers=head_headers).json()
    assert [r["code"] for r in mine] == ["11"]
    seller_client, seller_headers = api_for(demo_org["liuyang"])
    assert seller_client.get(f"/api/v1/analytics/regions?{period}", headers=seller_headers).status_code == 403
