"""SAL-1…5: leads, opportunities, quotes, orders and shipping notes (services)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.approvals.models import ApprovalPolicy, ApprovalStep, ApproverKind
from guanxi.approvals.services import approval_decide, latest_for
from guanxi.core import picklists
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.models import Notification
from guanxi.core.money import line_totals
from guanxi.customers.services import DuplicateFound, customer_create
from guanxi.sales import services
from guanxi.sales.models import (
    LeadStatus,
    Order,
    OrderLine,
    OrderStatus,
    PriceList,
    PriceListItem,
    Product,
    QuoteStatus,
    SalesSettings,
    StageKind,
)


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州华达电子有限公司")


@pytest.fixture
def products(db):
    return [
        Product.objects.create(sku="GX-100", name="工业显示器", list_price=Decimal("2999.00")),
        Product.objects.create(sku="GX-200", name="控制模块", list_price=Decimal("458.50"), tax_rate=Decimal("0.09")),
    ]


def test_line_totals_round_each_amount_half_up_to_the_fen():
    """SAL-3: one documented rounding rule, in Decimal."""
    totals = line_totals(Decimal("3"), Decimal("19.99"), Decimal("12.5"), Decimal("0.13"))
    assert totals == {"subtotal": Decimal("59.97"), "discount": Decimal("7.50"), "tax": Decimal("6.82"),
                      "total": Decimal("59.29")}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.tuples(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("9999"), places=3),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("99999"), places=2),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2),
), min_size=1, max_size=8))
def test_an_orders_total_equals_the_sum_of_its_lines(seller, customer, lines):
    """Acceptance: an order's total equals the sum of its lines, for any lines."""
    order = services.order_create(actor=seller, customer=customer, lines=[
        {"description": f"行{i}", "quantity": q, "unit_price": p, "discount_percent": d}
        for i, (q, p, d) in enumerate(lines)])
    stored = list(OrderLine.objects.filter(order=order))
    assert order.total == sum((line.total for line in stored), Decimal("0"))
    assert order.subtotal - order.discount_total + order.tax_total == order.total
    assert all(isinstance(line.total, Decimal) for line in stored)


def test_price_lists_by_customer_level(seller, customer, products):
    """SAL-10: a price list per customer level; the list price otherwise."""

    vip = picklists.items("customers.level").get(code="vip")
    price_list = PriceList.objects.create(name="VIP价", level=vip)
    PriceListItem.objects.create(price_list=price_list, product=products[0], price=Decimal("2699.00"))
    assert services.price_for(customer, products[0]) == Decimal("2999.00")
    customer.level = vip
    customer.save()
    assert services.price_for(customer, products[0]) == Decimal("2699.00")
    quote = services.quote_create(actor=seller, customer=customer, lines=[{"product": products[0], "quantity": 1}])
    assert quote.lines.get().unit_price == Decimal("2699.00")


def test_lead_converts_to_customer_contact_and_opportunity_once(seller, demo_org):
    """SAL-1: conversion goes through the duplicate check and happens once."""
    lead = services.lead_create(actor=seller, company="深圳恒通物流有限公司", name="陈经理", mobile="13800138000")
    lead = services.lead_convert(actor=seller, lead=lead, amount=Decimal("120000"))
    assert lead.status == LeadStatus.CONVERTED and lead.customer.name == "深圳恒通物流有限公司"
    assert lead.customer.contacts.get().name == "陈经理"
    assert lead.opportunity.amount == Decimal("120000") and lead.opportunity.owner == seller
    with pytest.raises(Conflict):
        services.lead_convert(actor=seller, lead=lead)
    duplicate = services.lead_create(actor=demo_org["zhuwei"], company="深圳恒通物流有限责任公司")

    with pytest.raises(DuplicateFound):
        services.lead_convert(actor=demo_org["zhuwei"], lead=duplicate)


def test_opportunity_stages_history_and_lost_reason(seller, customer):
    """SAL-2: stage moves are recorded; a lost opportunity needs a reason; winning marks
    the customer as a customer with a deal."""

    opportunity = services.opportunity_create(actor=seller, customer=customer, name="显示器项目",
                                              amount=Decimal("80000"))
    stages = list(opportunity.pipeline.stages.order_by("position"))
    services.opportunity_move(actor=seller, opportunity=opportunity, stage=stages[2])
    lost = next(s for s in stages if s.kind == StageKind.LOST)
    with pytest.raises(ValidationFailed):
        services.opportunity_move(actor=seller, opportunity=opportunity, stage=lost)
    won = next(s for s in stages if s.kind == StageKind.WON)
    services.opportunity_move(actor=seller, opportunity=opportunity, stage=won)
    assert [c.to_stage.position for c in opportunity.stage_changes.order_by("created_at")] == [0, 2, 4]
    customer.refresh_from_db()
    assert customer.category == "customer" and customer.last_deal_at is not None
    other = services.opportunity_create(actor=seller, customer=customer, name="丢掉的")
    services.opportunity_move(actor=seller, opportunity=other, stage=lost,
                              lost_reason=picklists.items("sales.lost_reason").first())
    other.refresh_from_db()
    assert other.closed_at is not None


def test_large_deal_alert(seller, customer, demo_org):
    """ACT-5: managers hear of a deal above the branch's threshold."""
    SalesSettings.objects.create(branch=seller.branch, large_deal_threshold=Decimal("100000"))
    services.opportunity_create(actor=seller, customer=customer, name="小单", amount=Decimal("5000"))
    assert not Notification.objects.filter(kind="sales.large_deal").exists()
    services.opportunity_create(actor=seller, customer=customer, name="大单", amount=Decimal("800000"))
    alerted = set(Notification.objects.filter(kind="sales.large_deal").values_list("recipient__username",
                                                                                      flat=True))
    assert {"linhui", "wangjianguo"} <= alerted and "liuyang" not in alerted and "majun" not in alerted


def test_quote_with_a_big_discount_needs_approval_and_accepting_twice_makes_one_order(seller, customer, products,
                                                                                        demo_org):
    policy = ApprovalPolicy.objects.create(doc_type="sales.quote_discount", name="折扣")
    ApprovalStep.objects.create(policy=policy, position=1, name="经理", approver_kind=ApproverKind.MANAGER)
    quote = services.quote_create(actor=seller, customer=customer, lines=[
        {"product": products[0], "quantity": 2, "discount_percent": Decimal("25")},
        {"product": products[1], "quantity": 10}])
    quote = services.quote_submit(actor=seller, quote=quote)
    assert quote.status == QuoteStatus.PENDING_APPROVAL
    with pytest.raises(Conflict):
        services.quote_accept(actor=seller, quote=quote)
    approval_decide(actor=demo_org["wangjianguo"], request=latest_for("sales.quote_discount", quote.pk),
                    approve=True)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED
    first = services.quote_accept(actor=seller, quote=quote)
    second = services.quote_accept(actor=seller, quote=quote)
    assert first.pk == second.pk and Order.objects.filter(quote=quote).count() == 1
    assert first.total == quote.total and first.lines.count() == 2
    assert first.number.startswith("SO-") and quote.number.startswith("QT-")


def test_the_database_allows_one_order_per_quote(seller, customer, products):
    quote = services.quote_create(actor=seller, customer=customer, lines=[{"product": products[0], "quantity": 1}])
    services.quote_submit(actor=seller, quote=quote)
    order = services.quote_accept(actor=seller, quote=quote)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(number="SO-X", customer=customer, quote=quote, owner=seller, branch=seller.branch)
    assert order.quote_id == quote.pk


def test_quote_versions(seller, customer, products):
    quote = services.quote_create(actor=seller, customer=customer, lines=[{"product": products[0], "quantity": 1}])
    second = services.quote_new_version(actor=seller, quote=quote)
    quote.refresh_from_db()
    assert (second.number, second.version, quote.status) == (quote.number, 2, QuoteStatus.SUPERSEDED)
    assert second.total == quote.total


def _confirmed_order(seller, customer, products):
    order = services.order_create(actor=seller, customer=customer, lines=[
        {"product": products[0], "quantity": 5}, {"product": products[1], "quantity": 3}])
    return services.order_confirm(actor=seller, order=order)


def test_partial_shipments_track_the_remainder_and_never_exceed_the_order(seller, customer, products, demo_org):
    """SAL-5: shipped quantity never exceeds ordered; remainders are tracked."""
    order = _confirmed_order(seller, customer, products)
    assistant = demo_org["huangli"]  # the sales assistant makes the shipping notes
    assert order.status == OrderStatus.CONFIRMED  # no contract policy: approved at once
    lines = list(order.lines.order_by("position"))
    services.shipment_create(actor=assistant, order=order, quantities={lines[0].pk: 2})
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_SHIPPED
    with pytest.raises(ValidationFailed):
        services.shipment_create(actor=assistant, order=order, quantities={lines[0].pk: 4})
    services.shipment_create(actor=assistant, order=order, quantities={lines[0].pk: 3, lines[1].pk: 3})
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert [line.remaining for line in order.lines.order_by("position")] == [0, 0]
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.filter(pk=lines[0].pk).update(shipped_quantity=Decimal("6"))


def test_bad_lines_are_refused_and_nothing_is_saved(seller, customer, products):
    with pytest.raises(ValidationFailed) as caught:
        services.order_create(actor=seller, customer=customer, lines=[
            {"product": products[0], "quantity": Decimal("-1")},
            {"product": products[1], "quantity": 1, "discount_percent": Decimal("120")},
        ])
    assert {e["field"] for e in caught.value.errors} == {"lines.1.quantity", "lines.2.discount_percent"}
    assert not Order.objects.exists()


def test_contract_approval_before_confirmation(seller, customer, products, demo_org):
    policy = ApprovalPolicy.objects.create(doc_type="sales.contract", name="合同审批")
    ApprovalStep.objects.create(policy=policy, position=1, name="经理", approver_kind=ApproverKind.MANAGER)
    order = _confirmed_order(seller, customer, products)
    assert order.status == OrderStatus.PENDING_APPROVAL
    approval_decide(actor=demo_org["wangjianguo"], request=latest_for("sales.contract", order.pk), approve=False,
                    comment="价格再谈")
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT
