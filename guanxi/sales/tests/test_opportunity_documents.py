"""SAL-2 / SAL-3: quotes and orders made from an opportunity stay linked to it, winning
follows the branch's rule (quote accepted / order confirmed / never), and a lost
opportunity always says why, in its history."""

from decimal import Decimal

import pytest

from guanxi.core import picklists
from guanxi.core.errors import ValidationFailed
from guanxi.customers.services import customer_create
from guanxi.sales import services
from guanxi.sales.configuration import sales_settings_save
from guanxi.sales.models import (
    Opportunity,
    Order,
    Quote,
    SalesSettings,
    StageChange,
    StageKind,
    WinOn,
)
from guanxi.sales.tests.test_sales_api import Api


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州商机客户有限公司")


@pytest.fixture
def opportunity(seller, customer):
    return services.opportunity_create(actor=seller, customer=customer, name="产线改造", amount=Decimal("5000"))


def _quote(seller, opportunity):
    return services.quote_create(actor=seller, customer=opportunity.customer, opportunity=opportunity, lines=[
        {"description": "改造", "quantity": Decimal("1"), "unit_price": Decimal("5000")}])


def _set_rule(seller, rule):
    SalesSettings.objects.update_or_create(branch=seller.branch, defaults={"win_opportunity_on": rule})


def _kind(opportunity):
    return Opportunity.objects.select_related("stage").get(pk=opportunity.pk).stage.kind


@pytest.mark.parametrize(("rule", "after_accept", "after_confirm"), [
    (WinOn.QUOTE_ACCEPTED, StageKind.WON, StageKind.WON),
    (WinOn.ORDER_CONFIRMED, StageKind.OPEN, StageKind.WON),
    (WinOn.NEVER, StageKind.OPEN, StageKind.OPEN),
])
def test_the_opportunity_is_won_by_the_branchs_rule(seller, opportunity, rule, after_accept, after_confirm):
    """SAL-2: accepting the quote or confirming the order wins the linked opportunity, as the branch says."""
    _set_rule(seller, rule)
    quote = services.quote_submit(actor=seller, quote=_quote(seller, opportunity))
    order = services.quote_accept(actor=seller, quote=quote)
    assert order.opportunity_id == opportunity.pk
    assert _kind(opportunity) == after_accept
    services.order_confirm(actor=seller, order=order)
    assert _kind(opportunity) == after_confirm
    wins = StageChange.objects.filter(opportunity=opportunity, to_stage__kind=StageKind.WON).count()
    assert wins == (0 if rule == WinOn.NEVER else 1)


def test_the_default_rule_wins_on_order_confirmed(seller, opportunity):
    """SAL-2: without a branch rule, the confirmed order wins the opportunity."""
    assert SalesSettings.for_branch(seller.branch_id).win_opportunity_on == WinOn.ORDER_CONFIRMED
    order = services.order_create(actor=seller, customer=opportunity.customer, opportunity=opportunity, lines=[
        {"description": "改造", "quantity": Decimal("1"), "unit_price": Decimal("100")}])
    services.order_confirm(actor=seller, order=order)
    assert _kind(opportunity) == StageKind.WON


def test_the_rule_is_set_on_the_settings_page(seller, demo_org, client_for):
    """SAL-2: the sales settings page sets the rule per branch; a bad value is refused."""
    client = client_for(demo_org["wangjianguo"])
    branch = seller.branch
    page = client.get("/sales/settings/").content.decode()
    assert f'name="win_{branch.pk}"' in page
    client.post("/sales/settings/", {"threshold_default": "500000", "discount_default": "10", "days_default": "3",
                                     "win_default": "order_confirmed", f"threshold_{branch.pk}": "500000",
                                     f"discount_{branch.pk}": "10", f"days_{branch.pk}": "3",
                                     f"win_{branch.pk}": "never"})
    assert SalesSettings.for_branch(branch.pk).win_opportunity_on == WinOn.NEVER
    with pytest.raises(ValidationFailed):
        sales_settings_save(actor=demo_org["wangjianguo"], branch=branch, large_deal_threshold="1",
                            discount_limit_percent="1", delivery_reminder_days="1", win_opportunity_on="sometimes")
    assert SalesSettings.for_branch(branch.pk).win_opportunity_on == WinOn.NEVER


def test_a_quote_started_from_the_opportunity_page_is_linked_and_both_pages_show_it(seller, opportunity,
                                                                                    client_for):
    """SAL-3: "New quote" on the opportunity links the quote; the quote page links back; the
    opportunity page lists its quotes and orders."""
    client = client_for(seller)
    page = client.get(f"/sales/opportunities/{opportunity.pk}/").content.decode()
    new_quote = f"/sales/quotes/new/?customer={opportunity.customer_id}&amp;opportunity={opportunity.pk}"
    assert new_quote in page
    form = client.get(new_quote.replace("&amp;", "&")).content.decode()
    assert f'name="opportunity" value="{opportunity.pk}"' in form
    response = client.post("/sales/quotes/new/", {"customer": opportunity.customer_id, "opportunity": opportunity.pk,
                                                  "description_1": "改造", "quantity_1": "1", "price_1": "5000"})
    assert response.status_code == 302, response.content.decode()[:1000]
    quote = Quote.objects.get()
    assert quote.opportunity_id == opportunity.pk
    assert opportunity.get_absolute_url() in client.get(quote.get_absolute_url()).content.decode()
    services.quote_submit(actor=seller, quote=quote)
    order = services.quote_accept(actor=seller, quote=quote)
    assert opportunity.get_absolute_url() in client.get(order.get_absolute_url()).content.decode()
    page = client.get(f"/sales/opportunities/{opportunity.pk}/").content.decode()
    assert quote.get_absolute_url() in page and order.get_absolute_url() in page


def test_an_opportunity_of_another_customer_is_not_linked(seller, opportunity, client_for):
    """SAL-3: the opportunity must be the quote's customer's; else a form error and nothing saved."""
    other = customer_create(actor=seller, name="别的客户有限公司")
    response = client_for(seller).post("/sales/quotes/new/", {
        "customer": other.pk, "opportunity": opportunity.pk, "description_1": "改造", "quantity_1": "1",
        "price_1": "10"})
    assert response.status_code == 200 and not Quote.objects.exists()


def test_lost_needs_a_reason_every_time_and_the_history_keeps_it(seller, opportunity):
    """SAL-2: lost without a reason is refused (also when lost before); the reason is in the history row."""
    stages = {s.kind: s for s in opportunity.pipeline.stages.order_by("-position")}
    first_open = opportunity.pipeline.stages.order_by("position").first()
    price = picklists.items("sales.lost_reason").get(code="price")
    services.opportunity_move(actor=seller, opportunity=opportunity, stage=stages[StageKind.LOST], lost_reason=price)
    change = StageChange.objects.filter(opportunity=opportunity).latest("pk")
    assert change.reason == str(price.name)
    services.opportunity_move(actor=seller, opportunity=opportunity, stage=first_open)
    with pytest.raises(ValidationFailed):
        services.opportunity_move(actor=seller, opportunity=opportunity, stage=stages[StageKind.LOST])
    assert _kind(opportunity) == StageKind.OPEN


def test_lost_through_the_api_needs_a_reason(seller, opportunity):
    """SAL-2 (API): 422 without lost_reason; with it the history row carries the reason."""
    api = Api(seller)
    lost = opportunity.pipeline.stages.get(kind=StageKind.LOST)
    refused = api.post(f"/api/v1/opportunities/{opportunity.pk}/move", {"stage_id": lost.pk})
    assert refused.status_code == 422
    moved = api.post(f"/api/v1/opportunities/{opportunity.pk}/move", {"stage_id": lost.pk,
                                                                      "lost_reason": "competitor"})
    assert moved.status_code == 200 and moved.json()["lost_reason"] == "competitor"
    assert StageChange.objects.filter(opportunity=opportunity).latest("pk").reason


def test_orders_listed_on_the_opportunity(seller, opportunity):
    """SAL-2: an order made directly for the opportunity is linked."""
    order = services.order_create(actor=seller, customer=opportunity.customer, opportunity=opportunity, lines=[
        {"description": "改造", "quantity": Decimal("1"), "unit_price": Decimal("100")}])
    assert list(Order.objects.filter(opportunity=opportunity)) == [order]
