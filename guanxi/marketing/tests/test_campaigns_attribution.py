"""Campaigns and their return (MKT-2): first and last touch, the window, reversed receipts,
lead conversion, costs, scope."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.periods import Period
from guanxi.customers.services import customer_create
from guanxi.finance import expenses
from guanxi.finance import services as finance
from guanxi.finance.models import Expense, ExpenseCategory, ExpenseStatus
from guanxi.marketing.attribution import TouchModel, outcomes_by_campaign
from guanxi.marketing.models import CampaignTouch, TouchSource
from guanxi.marketing.selectors import campaigns as selectors
from guanxi.marketing.services import campaigns as services
from guanxi.sales.models import Lead
from guanxi.sales.services import lead_convert, lead_create
from guanxi.testing.sales import confirmed_order

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 30)


def ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def make_campaign(actor, code, **fields):
    today = timezone.localdate()
    data = {"name": code.upper(), "starts_on": today - datetime.timedelta(days=200),
            "ends_on": today + datetime.timedelta(days=30), "budget": Decimal("5000"), **fields}
    return services.campaign_create(actor=actor, code=code, **data)


@pytest.fixture
def world(demo_org):
    """Given a customer of a Guangzhou salesperson reached by three campaigns: C 300 days
    ago (outside the 180-day window), A 100 days ago, B 30 days ago; then an order of
    ¥1,000 today, ¥600 received and ¥400 received then reversed."""
    boss, seller, cashier = demo_org["linhui"], demo_org["liuyang"], demo_org["zhouhong"]
    a, b, c = (make_campaign(boss, code) for code in ("expo-a", "mail-b", "old-c"))
    customer = customer_create(actor=seller, name="广州华达贸易有限公司", mobile="13800138000")
    for campaign, days in ((c, 300), (a, 100), (b, 30)):
        services.touch_record(campaign=campaign, source=TouchSource.EXPLICIT, customer=customer,
                              touched_at=ago(days))
    order = confirmed_order(seller, customer, ((1, "1000.00"),))
    finance.receipt_record(actor=cashier, customer=customer, amount=Decimal("600"), allocate=None)
    bounced = finance.receipt_record(actor=cashier, customer=customer, amount=Decimal("400"), allocate=None)
    finance.receipt_reverse(actor=cashier, receipt=bounced, reason="退票")
    return {"a": a, "b": b, "c": c, "customer": customer, "order": order, "boss": boss, "seller": seller,
            "cashier": cashier, **demo_org}


def test_first_and_last_touch_worked_example(world):
    """MKT-2: under first touch the order and the money go to A (C is outside the window),
    under last touch to B; the reversed ¥400 counts under neither."""
    boss, a, b, c = world["boss"], world["a"], world["b"], world["c"]
    period = selectors.all_time()
    first = outcomes_by_campaign(boss, period, TouchModel.FIRST)
    last = outcomes_by_campaign(boss, period, TouchModel.LAST)
    assert first[a.pk].orders == 1 and first[a.pk].order_amount == Decimal("1000.00")
    assert first[a.pk].received == Decimal("600.00") and first[a.pk].receipts == 1
    assert b.pk not in first and c.pk not in first
    assert last[b.pk].received == Decimal("600.00") and last[b.pk].orders == 1
    assert a.pk not in last and c.pk not in last


@override_settings(GUANXI_ATTRIBUTION_WINDOW_DAYS=60)
def test_window_setting_narrows_what_is_credited(world):
    """MKT-2: with a 60-day window only B (30 days before) is in reach, for both models."""
    boss = world["boss"]
    for model in TouchModel.values:
        found = outcomes_by_campaign(boss, selectors.all_time(), model)
        assert set(found) == {world["b"].pk}
        assert found[world["b"].pk].received == Decimal("600.00")


def test_receipt_reversed_later_drops_out(world):
    """MKT-2: a receipt counted today stops counting once it is reversed."""
    result = selectors.campaign_return(world["boss"], world["b"], TouchModel.LAST)
    assert result.outcomes.received == Decimal("600.00")
    standing = world["customer"].receipts.get(amount=Decimal("600"))
    finance.receipt_reverse(actor=world["cashier"], receipt=standing, reason="错账")
    result = selectors.campaign_return(world["boss"], world["b"], TouchModel.LAST)
    assert result.outcomes.received == Decimal("0.00") and result.outcomes.receipts == 0


def test_return_is_receipts_minus_approved_linked_expenses(world):
    """MKT-2: cost = approved expenses linked to the campaign (a draft does not count);
    return = receipts − cost, ROI in %; the budget is shown apart."""
    boss, b = world["boss"], world["b"]
    category = ExpenseCategory.objects.filter(is_active=True).first()
    approved = expenses.expense_create(actor=boss, category=category, amount=Decimal("200"), description="邮件群发")
    draft = expenses.expense_create(actor=boss, category=category, amount=Decimal("999"), description="草稿")
    Expense.objects.filter(pk=approved.pk).update(status=ExpenseStatus.APPROVED)
    services.campaign_expense_link(actor=boss, campaign=b, expense=approved)
    services.campaign_expense_link(actor=boss, campaign=b, expense=draft)
    services.campaign_expense_link(actor=boss, campaign=b, expense=approved)  # twice: still one link
    result = selectors.campaign_return(boss, b, TouchModel.LAST)
    assert result.cost == Decimal("200.00")
    assert result.net == Decimal("400.00")
    assert result.roi == Decimal("200.0")
    assert result.budget == Decimal("5000.00")
    with pytest.raises(Conflict):
        services.campaign_expense_link(actor=boss, campaign=world["a"], expense=approved)


def test_campaign_returns_one_query_per_kind(world, django_assert_max_num_queries):
    """MKT-2: the comparison is set-based: a fixed number of queries for any number of campaigns."""
    for i in range(5):
        make_campaign(world["boss"], f"extra-{i}")
    today = timezone.localdate()
    with django_assert_max_num_queries(8):
        rows = selectors.campaign_returns(world["boss"], Period(today - datetime.timedelta(days=365),
                                                                today + datetime.timedelta(days=1)))
    assert {row.campaign.code for row in rows} >= {"expo-a", "mail-b", "old-c", "extra-0"}
    by_code = {row.campaign.code: row for row in rows}
    assert by_code["mail-b"].outcomes.received == Decimal("600.00")


def test_returns_count_only_what_the_viewer_may_see(world):
    """MKT-2, ORG-3: a Beijing campaign that touched the Guangzhou customer shows the Beijing
    manager none of that customer's money; the general manager sees it."""
    beijing = make_campaign(world["majun"], "bj-expo")
    services.touch_record(campaign=beijing, source=TouchSource.EXPLICIT, customer=world["customer"],
                          touched_at=ago(5))
    mine = selectors.campaign_return(world["majun"], beijing, TouchModel.LAST)
    assert mine.outcomes.received == Decimal("0.00") and mine.outcomes.orders == 0
    assert selectors.campaign_return(world["boss"], beijing, TouchModel.LAST).outcomes.received == Decimal("600.00")
    assert beijing.pk in {row.campaign.pk for row in selectors.campaign_returns(world["majun"],
                                                                                 selectors.all_time())}
    assert world["a"].pk not in {row.campaign.pk for row in selectors.campaign_returns(world["majun"],
                                                                                        selectors.all_time())}
    assert list(selectors.campaign_touches(world["majun"], beijing)) == []


def test_form_lead_is_credited_and_its_touches_follow_the_customer(demo_org):
    """MKT-5, MKT-2: a lead from the campaign's form carries a touch with its UTM; when it is
    converted the touches reach the new customer, whose opportunity is credited."""
    boss = demo_org["linhui"]
    campaign = make_campaign(boss, "sy-2026", owner=demo_org["liuyang"])
    lead = services.lead_from_form(campaign=campaign, data={"company": "深圳新源电子", "name": "王先生",
                                                            "phone": "13900139000"},
                                   utm={"utm_source": "baidu", "utm_medium": "cpc", "utm_campaign": "sy-2026",
                                        "evil": "x" * 500})
    assert lead.owner == demo_org["liuyang"]
    touch = CampaignTouch.objects.get(lead=lead)
    assert touch.source == TouchSource.FORM and touch.utm == {"utm_source": "baidu", "utm_medium": "cpc",
                                                              "utm_campaign": "sy-2026"}
    assert outcomes_by_campaign(boss, selectors.all_time(), TouchModel.FIRST)[campaign.pk].leads == 1
    lead_convert(actor=demo_org["liuyang"], lead=lead, amount=Decimal("3000"))
    touch.refresh_from_db()
    assert touch.customer_id == Lead.objects.get(pk=lead.pk).customer_id
    found = outcomes_by_campaign(boss, selectors.all_time(), TouchModel.LAST)[campaign.pk]
    assert found.opportunities == 1 and found.opportunity_amount == Decimal("3000.00")


def test_touch_record_is_idempotent(demo_org):
    """MKT-2: the e-mail part may report one click twice: one touch."""
    campaign = make_campaign(demo_org["linhui"], "news-1")
    customer = customer_create(actor=demo_org["liuyang"], name="杭州百川科技")
    first, created = services.touch_record(campaign=campaign, source=TouchSource.EMAIL, customer=customer,
                                           key="email-click:42")
    again, created_again = services.touch_record(campaign=campaign, source=TouchSource.EMAIL, customer=customer,
                                                 key="email-click:42")
    assert created and not created_again and first.pk == again.pk
    assert CampaignTouch.objects.filter(campaign=campaign).count() == 1
    with pytest.raises(ValidationFailed):
        services.touch_record(campaign=campaign, source="nonsense", customer=customer)


def test_explicit_link_of_a_lead_credits_it(demo_org):
    """MKT-2: "this lead came from that campaign" credits the lead, however late it is said."""
    boss = demo_org["linhui"]
    campaign = make_campaign(boss, "dealer-conf")
    lead = lead_create(actor=demo_org["liuyang"], company="佛山宏图机械")
    Lead.objects.filter(pk=lead.pk).update(created_at=ago(20))
    lead.refresh_from_db()
    services.touch_link(actor=boss, campaign=campaign, lead=lead)
    services.touch_link(actor=boss, campaign=campaign, lead=lead)
    assert CampaignTouch.objects.filter(campaign=campaign).count() == 1
    assert outcomes_by_campaign(boss, selectors.all_time(), TouchModel.LAST)[campaign.pk].leads == 1


def test_bad_input_is_refused_and_changes_nothing(demo_org):
    """MKT-2: a bad code, a budget with three decimals, an unknown channel, dates reversed:
    every error at once, nothing saved."""
    boss = demo_org["linhui"]
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as caught:
        services.campaign_create(actor=boss, code="bad code!", name="x", starts_on=today,
                                 ends_on=today - datetime.timedelta(days=1), budget=Decimal("1.005"),
                                 channels=["telepathy"])
    fields = {error["field"] for error in caught.value.errors}
    assert fields == {"code", "budget", "channels", "ends_on"}
    assert not selectors.campaigns_visible_to(boss).exists()
    make_campaign(boss, "dup")
    with pytest.raises(ValidationFailed):
        make_campaign(boss, "DUP")


def test_status_moves_through_the_table(demo_org):
    """MKT-2: planned → running → finished; a finished campaign cannot change or restart;
    cancelling needs a reason."""
    boss = demo_org["linhui"]
    campaign = make_campaign(boss, "flow")
    with pytest.raises(ValidationFailed):
        services.campaign_move(actor=boss, campaign=campaign, to="cancelled")
    campaign = services.campaign_move(actor=boss, campaign=campaign, to="running")
    campaign = services.campaign_move(actor=boss, campaign=campaign, to="finished")
    assert campaign.status == "finished"
    with pytest.raises(Conflict):
        services.campaign_move(actor=boss, campaign=campaign, to="running")
    with pytest.raises(Conflict):
        services.campaign_update(actor=boss, campaign=campaign, name="changed")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(st.integers(min_value=0, max_value=400).filter(lambda days: days not in (180, 181)),
                       min_size=1, max_size=3, unique=True))
def test_law_first_and_last_touch_split_the_same_money(world, offsets):
    """MKT-2 (a law): whatever the touches, first and last touch credit the same total — the
    standing receipt when a touch is in the window, nothing otherwise — to the campaign of
    the earliest and the latest touch in the window respectively."""
    boss, customer = world["boss"], world["customer"]
    CampaignTouch.objects.filter(customer=customer).delete()
    campaigns = [world["a"], world["b"], world["c"]]
    for campaign, days in zip(campaigns, offsets, strict=False):
        services.touch_record(campaign=campaign, source=TouchSource.EXPLICIT, customer=customer,
                              touched_at=ago(days) - datetime.timedelta(minutes=1))
    in_window = [(days, campaign.pk) for campaign, days in zip(campaigns, offsets, strict=False) if days <= 179]
    first = outcomes_by_campaign(boss, selectors.all_time(), TouchModel.FIRST)
    last = outcomes_by_campaign(boss, selectors.all_time(), TouchModel.LAST)
    total = Decimal("600.00") if in_window else Decimal("0")
    assert sum((o.received for o in first.values()), Decimal("0")) == total
    assert sum((o.received for o in last.values()), Decimal("0")) == total
    if in_window:
        assert first[max(in_window)[1]].received == total  # the most days ago: the first touch
        assert last[min(in_window)[1]].received == total
