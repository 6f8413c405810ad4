"""Coupons and promotions on quotes (MKT-3, SAL-10): applied to a draft quote within the
approval rules, carried into a new version and into the order the quote becomes, with the
coupon's use moving along (never used twice)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.approvals.models import ApprovalPolicy, ApprovalStep, ApproverKind
from guanxi.approvals.services import latest_for
from guanxi.core.errors import Conflict
from guanxi.customers.services import customer_create
from guanxi.marketing.models.loyalty import Coupon, CouponRedemption, Promotion
from guanxi.marketing.services import loyalty as services
from guanxi.sales import services as sales
from guanxi.sales.models import Order, OrderStatus, Quote, QuoteStatus


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州报价优惠客户有限公司")


def draft_quote(actor, customer, price="1000.00"):
    return sales.quote_create(actor=actor, customer=customer, lines=[
        {"description": "商品", "quantity": Decimal("1"), "unit_price": Decimal(price), "tax_rate": Decimal("0")}])


def reload(quote):
    return Quote.objects.get(pk=quote.pk)


def test_a_coupon_on_a_quote_takes_its_use(seller, customer):
    """MKT-3: a single-use coupon on a quote takes ¥50 off the quote and its one use: an order
    cannot have it too; the same coupon twice on the quote is refused."""
    Coupon.objects.create(code="Q50", name="报价立减", value=Decimal("50"), min_order=Decimal("500"))
    quote = draft_quote(seller, customer)
    redemption = services.coupon_apply(actor=seller, document=quote, code="q50")
    quote = reload(quote)
    assert (quote.adjustment_total, quote.total) == (Decimal("50.00"), Decimal("950.00"))
    assert redemption.quote_id == quote.pk and redemption.order_id is None
    with pytest.raises(Conflict):
        services.coupon_apply(actor=seller, document=quote, code="Q50")
    order = sales.order_create(actor=seller, customer=customer, lines=[
        {"description": "商品", "quantity": Decimal("1"), "unit_price": Decimal("1000"), "tax_rate": Decimal("0")}])
    with pytest.raises(Conflict):
        services.coupon_apply(actor=seller, document=order, code="Q50")
    assert CouponRedemption.objects.count() == 1


def test_promotions_on_a_quote_apply_once(seller, customer):
    """MKT-3: 满1000减100 applies to a quote of ¥1,000 once however often it is asked."""
    today = timezone.localdate()
    Promotion.objects.create(name="满1000减100", threshold=Decimal("1000"), amount_off=Decimal("100"),
                             valid_from=today, valid_until=today)
    quote = draft_quote(seller, customer)
    services.promotions_apply(actor=seller, document=quote)
    services.promotions_apply(actor=seller, document=quote)
    assert reload(quote).total == Decimal("900.00")


def test_the_order_from_a_quote_keeps_its_coupon_and_promotion(seller, customer):
    """MKT-3, SAL-3: accepting the quote makes an order with the same adjustments and total;
    the coupon's use moves to the order; nothing is counted twice."""
    today = timezone.localdate()
    Coupon.objects.create(code="KEEP", name="保留", value=Decimal("30"))
    Promotion.objects.create(name="满1000减20", threshold=Decimal("1000"), amount_off=Decimal("20"),
                             valid_from=today, valid_until=today)
    quote = draft_quote(seller, customer)
    services.coupon_apply(actor=seller, document=quote, code="KEEP")
    services.promotions_apply(actor=seller, document=quote)
    quote = sales.quote_submit(actor=seller, quote=reload(quote))
    order = sales.quote_accept(actor=seller, quote=quote)
    assert order.total == reload(quote).total == Decimal("950.00")
    assert sorted((a.kind, a.amount) for a in order.adjustments.all()) == [
        ("coupon", Decimal("30.00")), ("promotion", Decimal("20.00"))]
    redemption = CouponRedemption.objects.get()
    assert (redemption.order_id, redemption.quote_id) == (order.pk, quote.pk)
    services.promotions_apply(actor=seller, document=order)  # the promotion is on the order already
    with pytest.raises(Conflict):
        services.coupon_apply(actor=seller, document=order, code="KEEP")
    assert Order.objects.get(pk=order.pk).total == Decimal("950.00")
    assert sales.quote_accept(actor=seller, quote=quote).pk == order.pk  # accepted twice: one order


def test_a_new_version_carries_the_adjustments(seller, customer):
    """MKT-3: version 2 of a quote keeps its coupon (the use moves along) and promotion; asking
    for the promotions again adds nothing."""
    today = timezone.localdate()
    Coupon.objects.create(code="V2", name="新版", value=Decimal("40"))
    Promotion.objects.create(name="满1000减10", threshold=Decimal("1000"), amount_off=Decimal("10"),
                             valid_from=today, valid_until=today)
    quote = draft_quote(seller, customer)
    services.coupon_apply(actor=seller, document=quote, code="V2")
    services.promotions_apply(actor=seller, document=quote)
    second = sales.quote_new_version(actor=seller, quote=quote)
    services.promotions_apply(actor=seller, document=second)
    second = reload(second)
    assert (second.adjustment_total, second.total) == (Decimal("50.00"), Decimal("950.00"))
    assert CouponRedemption.objects.get().quote_id == second.pk
    with pytest.raises(Conflict):
        services.coupon_apply(actor=seller, document=second, code="V2")


def test_a_coupon_changes_an_approved_quote_back_to_draft(seller, customer):
    """MKT-3: a coupon on a submitted quote means submitting it again; a sent quote refuses it."""
    Coupon.objects.create(code="LATE", name="后加", value=Decimal("10"), max_uses=None, per_customer_limit=5)
    quote = sales.quote_submit(actor=seller, quote=draft_quote(seller, customer))
    assert quote.status == QuoteStatus.APPROVED
    services.coupon_apply(actor=seller, document=quote, code="LATE")
    assert reload(quote).status == QuoteStatus.DRAFT
    sent = sales.quote_mark_sent(actor=seller, quote=sales.quote_submit(actor=seller, quote=draft_quote(
        seller, customer)))
    with pytest.raises(Conflict):
        services.coupon_apply(actor=seller, document=sent, code="LATE")
    assert reload(sent).adjustment_total == Decimal("0")


def test_a_large_coupon_on_a_quote_is_approved_once(seller, customer):
    """MKT-3, SAL-3: a 20 % coupon on a quote (limit 10 %) goes to discount approval; once
    approved and accepted, the order confirms without asking again."""
    policy = ApprovalPolicy.objects.create(doc_type="sales.quote_discount", name="折扣审批")
    ApprovalStep.objects.create(policy=policy, position=1, name="经理", approver_kind=ApproverKind.MANAGER)
    Coupon.objects.create(code="BIGQ", name="大额", value=Decimal("200"))
    quote = draft_quote(seller, customer)
    services.coupon_apply(actor=seller, document=quote, code="BIGQ")
    quote = sales.quote_submit(actor=seller, quote=reload(quote))
    assert quote.status == QuoteStatus.PENDING_APPROVAL
    assert latest_for("sales.quote_discount", quote.pk).status == "pending"
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.APPROVED)  # decided by the manager
    order = sales.quote_accept(actor=seller, quote=reload(quote))
    assert sales.order_confirm(actor=seller, order=order).status == OrderStatus.CONFIRMED


def test_quote_page_applies_a_coupon(client_for, seller, customer):
    """MKT-3: the quote page's panel takes a coupon code (POST) and shows what was taken off."""
    Coupon.objects.create(code="PAGE", name="页面", value=Decimal("25"), valid_until=datetime.date(2099, 1, 1))
    quote = draft_quote(seller, customer)
    client = client_for(seller)
    page = client.get(quote.get_absolute_url()).content.decode()
    assert 'id="coupon-form"' in page and f"/marketing/quotes/{quote.pk}/coupon/" in page
    response = client.post(f"/marketing/quotes/{quote.pk}/coupon/", {"code": "page"})
    assert response.status_code == 302
    assert reload(quote).total == Decimal("975.00")
    page = client.get(quote.get_absolute_url()).content.decode()
    assert "PAGE" in page and 'id="adjustment-total"' in page
    assert client.post(f"/marketing/quotes/{quote.pk}/promotions/").status_code == 302


def test_api_applies_coupons_and_promotions_to_quotes_and_orders(api_for, seller, customer, demo_org):
    """MKT-3 API: POST /quotes/{id}/apply-coupon and /apply-promotions (and the same on
    orders) answer the document with its adjustments; a bad code is 422 and changes nothing;
    a service agent (no sales edit) is refused."""
    today = timezone.localdate()
    Coupon.objects.create(code="API20", name="接口", value=Decimal("20"))
    Promotion.objects.create(name="满1000减10", threshold=Decimal("1000"), amount_off=Decimal("10"),
                             valid_from=today, valid_until=today)
    quote = draft_quote(seller, customer)
    client, headers = api_for(seller)
    bad = client.post(f"/api/v1/quotes/{quote.pk}/apply-coupon", {"code": "NOPE"}, content_type="application/json",
                      headers=headers)
    assert bad.status_code == 422 and reload(quote).adjustment_total == Decimal("0")
    done = client.post(f"/api/v1/quotes/{quote.pk}/apply-coupon", {"code": "api20"},
                       content_type="application/json", headers=headers)
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["adjustment_total"] == "20.00" and body["total"] == "980.00"
    [adjustment] = body["adjustments"]
    assert (adjustment["kind"], adjustment["amount"]) == ("coupon", "20.00") and "API20" in adjustment["label"]
    done = client.post(f"/api/v1/quotes/{quote.pk}/apply-promotions", headers=headers)
    assert done.status_code == 200 and done.json()["total"] == "970.00"
    order = sales.order_create(actor=seller, customer=customer, lines=[
        {"description": "商品", "quantity": Decimal("1"), "unit_price": Decimal("1000"), "tax_rate": Decimal("0")}])
    done = client.post(f"/api/v1/orders/{order.pk}/apply-promotions", headers=headers)
    assert done.status_code == 200 and done.json()["adjustment_total"] == "10.00"
    listed = client.get("/api/v1/quotes", headers=headers).json()["items"]
    assert any(item["id"] == quote.pk and len(item["adjustments"]) == 2 for item in listed)
    other, other_headers = api_for(demo_org["jiangwei"])  # a service agent
    refused = other.post(f"/api/v1/orders/{order.pk}/apply-coupon", {"code": "API20"},
                     content_type="application/json", headers=other_headers)
    assert refused.status_code in (403, 404)
