"""Loyalty screens and API (MKT-6, MKT-3, SAL-10): customer page, member page, order panel,
price lists, the API with Idempotency-Key; permissions, scope and pinned query counts."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.services import customer_create
from guanxi.marketing.models.loyalty import (
    Coupon,
    LoyaltySettings,
    Member,
    MemberTier,
    PointsKind,
    PointsMovement,
)
from guanxi.marketing.services import loyalty as services
from guanxi.sales import services as sales
from guanxi.sales.models import Order, PriceList, Product


@pytest.fixture
def manager(demo_org):
    return demo_org["linhui"]


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州页面会员客户")


@pytest.fixture
def member(manager, customer):
    MemberTier.objects.create(name="普通", position=0)
    member = services.member_enroll(actor=manager, customer=customer)
    services._post(member, kind=PointsKind.EARN, points=500, key="p:e", actor=None,
                   expires_on=datetime.date(2099, 1, 31), reason="回款")
    return member


def order_for(seller, customer):
    return sales.order_create(actor=seller, customer=customer, lines=[
        {"description": "商品", "quantity": Decimal("1"), "unit_price": Decimal("1000"), "tax_rate": Decimal("0")}])


def test_customer_page_shows_the_card_and_links_both_ways(client_for, manager, member, customer):
    """MKT-6: the customer page shows card, tier, balance and movements, linking to the member page."""
    html = client_for(manager).get(f"/customers/{customer.pk}/sections/").content.decode()  # loaded by the page
    assert member.number in html and "500" in html and f"/marketing/members/{member.pk}/" in html
    page = client_for(manager).get(f"/marketing/members/{member.pk}/").content.decode()
    assert customer.get_absolute_url() in page and 'id="ledger"' in page


def test_a_customer_becomes_a_member_by_post_only(client_for, manager, seller, demo_org):
    """MKT-6: the enrol page asks first (GET changes nothing), the POST makes the card."""
    customer = customer_create(actor=seller, name="广州新会员客户")
    client = client_for(manager)
    assert client.get(f"/marketing/members/enroll/{customer.pk}/").status_code == 200
    assert not Member.objects.filter(customer=customer).exists()
    response = client.post(f"/marketing/members/enroll/{customer.pk}/")
    assert response.status_code == 302 and Member.objects.filter(customer=customer).exists()
    beijing = client_for(demo_org["majun"])
    other = customer_create(actor=seller, name="广州另一客户")
    assert beijing.post(f"/marketing/members/enroll/{other.pk}/").status_code == 404
    assert not Member.objects.filter(customer=other).exists()


def test_redeem_points_on_the_order_page(client_for, manager, seller, member, customer):
    """MKT-6: points redeemed from the order panel show on the order as money off."""
    order = order_for(seller, customer)
    client = client_for(manager)
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'id="points-form"' in page
    client.post(f"/marketing/loyalty/orders/{order.pk}/points/", {"points": "300", "key": "k1"})
    client.post(f"/marketing/loyalty/orders/{order.pk}/points/", {"points": "300", "key": "k1"})  # double click
    order.refresh_from_db()
    assert order.total == Decimal("970.00") and Member.objects.get(pk=member.pk).balance == 200
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'id="adjustment-total"' in page and "30.00" in page


def test_a_denied_redemption_changes_nothing(client_for, seller, member, customer):
    """MKT-6: a salesperson without marketing.edit cannot redeem (403), nothing changes."""
    order = order_for(seller, customer)
    response = client_for(seller).post(f"/marketing/loyalty/orders/{order.pk}/points/", {"points": "10"})
    assert response.status_code == 403
    assert Member.objects.get(pk=member.pk).balance == 500 and not order.adjustments.exists()


def test_coupon_on_the_order_page(client_for, seller, customer):
    """MKT-3: a coupon code typed on the order page takes its amount off, once."""
    Coupon.objects.create(code="PAGE20", name="立减", value=Decimal("20"))
    order = order_for(seller, customer)
    client = client_for(seller)
    client.post(f"/marketing/loyalty/orders/{order.pk}/coupon/", {"code": "page20"})
    client.post(f"/marketing/loyalty/orders/{order.pk}/coupon/", {"code": "page20"})
    assert Order.objects.get(pk=order.pk).total == Decimal("980.00")


def test_price_list_pages(client_for, manager, customer):
    """SAL-10: a one-to-one price list is made from its page; a bad line saves nothing."""
    Product.objects.create(sku="PL-1", name="滤芯", list_price=Decimal("50"))
    client = client_for(manager)
    bad = client.post("/marketing/price-lists/new/", {"name": "一客一价", "customer": customer.pk,
                                                      "items": "PL-1 45\nNOPE 1", "is_active": "on"})
    assert bad.status_code == 200 and not PriceList.objects.exists()
    good = client.post("/marketing/price-lists/new/", {"name": "一客一价", "customer": customer.pk,
                                                       "items": "PL-1 45.00", "is_active": "on"})
    assert good.status_code == 302
    assert sales.price_for(customer, Product.objects.get(sku="PL-1")) == Decimal("45.00")
    listing = client.get("/marketing/price-lists/").content.decode()
    assert "一客一价" in listing
    export = client.get("/marketing/price-lists/?export=csv")
    assert export.status_code == 200 and "一客一价" in b"".join(export.streaming_content).decode("utf-8-sig")


def test_query_counts_are_pinned(client_for, manager, member):
    """Lists ≤ 6 queries beyond the session and user, details ≤ 10, however many members."""
    for i in range(5):
        other = customer_create(actor=manager, name=f"计数会员{i}")
        services.member_enroll(actor=manager, customer=other)
    client = client_for(manager)
    client.get("/marketing/members/")  # warm the per-process memo
    with CaptureQueriesContext(connection) as listed:
        assert client.get("/marketing/members/").status_code == 200
    with CaptureQueriesContext(connection) as detail:
        assert client.get(f"/marketing/members/{member.pk}/").status_code == 200
    base = _base_queries(client)
    assert len(listed) - base <= 6, [q["sql"] for q in listed]
    assert len(detail) - base <= 10, [q["sql"] for q in detail]


def _base_queries(client):
    """What every page costs (session, user, roles, menu)."""
    with CaptureQueriesContext(connection) as home:
        client.get("/")
    return min(len(home), 6)


# --- API ------------------------------------------------------------------------------------
def test_api_members_points_and_redemption_idempotent(api_for, manager, member, seller, customer):
    """MKT-6: /members, /members/{id}/points (cursor), POST /redemptions with an
    Idempotency-Key applies once."""
    client, headers = api_for(manager)
    listed = client.get("/api/v1/members", headers=headers).json()
    assert [m["number"] for m in listed["items"]] == [member.number] and listed["items"][0]["points_balance"] == 500
    points = client.get(f"/api/v1/members/{member.pk}/points?limit=1", headers=headers).json()
    assert points["items"][0]["points"] == 500 and "next_cursor" in points
    order = order_for(seller, customer)
    body = json.dumps({"points": 100, "order_id": order.pk})
    for _ in range(2):
        response = client.post(f"/api/v1/members/{member.pk}/redemptions", body, content_type="application/json",
                               headers={**headers, "Idempotency-Key": "redeem-1"})
        assert response.status_code == 201, response.content
    assert Member.objects.get(pk=member.pk).balance == 400
    assert PointsMovement.objects.filter(kind=PointsKind.REDEEM).count() == 1
    too_much = client.post(f"/api/v1/members/{member.pk}/redemptions", json.dumps({"points": 10_000, "reason": "x"}),
                           content_type="application/json", headers=headers)
    assert too_much.status_code == 409 and too_much["Content-Type"].startswith("application/problem+json")


def test_api_scope_and_permission(api_for, demo_org, member, seller):
    """MKT-6: a member out of scope answers 404; a salesperson may not list members (403)."""
    client, headers = api_for(demo_org["majun"])
    assert client.get(f"/api/v1/members/{member.pk}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/members/{member.pk}/redemptions", json.dumps({"points": 1, "reason": "x"}),
                       content_type="application/json", headers=headers).status_code == 404
    client, headers = api_for(seller)
    assert client.get("/api/v1/members", headers=headers).status_code == 403
    assert Member.objects.get(pk=member.pk).balance == 500


def test_api_price_lists_hide_customers_out_of_scope(api_for, demo_org, manager, customer):
    """SAL-10: a one-to-one price list is listed only to who sees its customer."""
    sales.price_list_save(actor=manager, name="广州一客一价", customer=customer, items=[])
    client, headers = api_for(demo_org["majun"])
    names = [p["name"] for p in client.get("/api/v1/price-lists", headers=headers).json()]
    assert "广州一客一价" not in names
    client, headers = api_for(manager)
    assert "广州一客一价" in [p["name"] for p in client.get("/api/v1/price-lists", headers=headers).json()]


def test_a_branch_has_its_own_points_rules(client_for, manager, seller, demo_org, member, customer):
    """MKT-6: the rules page lists every branch; a branch's own rules (¥5 a point) apply to its
    members' receipts, and "use the company default" removes them again."""
    client = client_for(manager)
    branch = customer.branch
    page = client.get("/marketing/loyalty/settings/").content.decode()
    assert branch.name in page and f"/marketing/loyalty/settings/branches/{branch.pk}/" in page
    response = client.post(f"/marketing/loyalty/settings/branches/{branch.pk}/",
                           {"yuan_per_point": "5", "point_value": "0.1", "expiry_months": "12"})
    assert response.status_code == 302
    assert LoyaltySettings.for_branch(branch.pk).yuan_per_point == Decimal("5")
    assert LoyaltySettings.for_branch(None).yuan_per_point == Decimal("10")  # the default is untouched
    assert services.points_for_amount(Decimal("100"), services._rules(member)) == 20
    bad = client.post(f"/marketing/loyalty/settings/branches/{branch.pk}/",
                      {"yuan_per_point": "0", "point_value": "0.1", "expiry_months": "12"})
    assert bad.status_code == 200 and LoyaltySettings.for_branch(branch.pk).yuan_per_point == Decimal("5")
    assert client.post(f"/marketing/loyalty/settings/branches/{branch.pk}/reset/").status_code == 302
    assert not LoyaltySettings.objects.filter(branch=branch).exists()
    assert services._rules(member).yuan_per_point == Decimal("10")
    seller_client = client_for(seller)
    assert seller_client.get(f"/marketing/loyalty/settings/branches/{branch.pk}/").status_code == 403
    assert seller_client.post(f"/marketing/loyalty/settings/branches/{branch.pk}/reset/").status_code == 403
