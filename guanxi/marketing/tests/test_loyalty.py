"""Loyalty (MKT-6, MKT-3, SAL-10): points rules with worked numbers, the append-only and
idempotent ledger, reversal, expiry, tiers, redemption, coupons, promotions, price precedence."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.approvals.models import ApprovalPolicy, ApprovalStep, ApproverKind
from guanxi.approvals.services import latest_for
from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.core.models import PickItem
from guanxi.customers.services import customer_create
from guanxi.finance import services as finance
from guanxi.marketing import demo_loyalty
from guanxi.marketing.models.loyalty import (
    AppendOnly,
    Coupon,
    CouponRedemption,
    LoyaltySettings,
    Member,
    MemberTier,
    PointsKind,
    PointsMovement,
    Promotion,
)
from guanxi.marketing.selectors import loyalty as selectors
from guanxi.marketing.services import loyalty as services
from guanxi.marketing.tasks_loyalty import loyalty_nightly
from guanxi.sales import services as sales
from guanxi.sales.models import Order, OrderStatus, PriceList, PriceListItem, Product


@pytest.fixture
def manager(demo_org):
    """The Guangzhou general manager: marketing and sales, the whole company."""
    return demo_org["linhui"]


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州会员客户有限公司")


@pytest.fixture
def tiers(db):
    return [MemberTier.objects.create(name="普通", position=0),
            MemberTier.objects.create(name="银卡", position=1, min_points=500, multiplier=Decimal("1.5")),
            MemberTier.objects.create(name="金卡", position=2, min_points=5000, min_spend=Decimal("100000"),
                                      multiplier=Decimal("2"))]


@pytest.fixture
def member(manager, customer, tiers):
    return services.member_enroll(actor=manager, customer=customer)


def receive(actor, customer, amount, capture, on=None):
    with capture(execute=True):
        return finance.receipt_record(actor=actor, customer=customer, amount=Decimal(amount), allocate=None,
                                      received_on=on)


def balance_law(member):
    member.refresh_from_db()
    assert member.balance == sum(PointsMovement.objects.filter(member=member).values_list("points", flat=True))


# --- the rules, with worked numbers ---------------------------------------------------------
def test_worked_numbers():
    """MKT-6: 1 point per ¥10 received, rounded down: ¥1,234.56 → 123 points; ×1.5 → 185."""
    rules = LoyaltySettings()
    assert services.points_for_amount(Decimal("1234.56"), rules) == 123
    assert services.points_for_amount(Decimal("1234.56"), rules, Decimal("1.5")) == 185
    assert services.points_for_amount(Decimal("9.99"), rules) == 0
    assert rules.point_value * 123 == Decimal("12.3")


def test_expiry_date_is_end_of_the_12th_month():
    """MKT-6: points earned on 15 Jan 2026 expire on 31 Jan 2027; 29 Feb → end of Feb."""
    assert services.expiry_date(datetime.date(2026, 1, 15), 12) == datetime.date(2027, 1, 31)
    assert services.expiry_date(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert services.expiry_date(datetime.date(2026, 12, 1), 1) == datetime.date(2027, 1, 31)


def test_a_receipt_earns_points_once(cashier, member, customer, django_capture_on_commit_callbacks):
    """MKT-6: ¥1,234.56 received earns 123 points, once: replaying the signal or the
    nightly catch-up does nothing more."""
    receipt = receive(cashier, customer, "1234.56", django_capture_on_commit_callbacks)
    member.refresh_from_db()
    assert member.balance == 123 and member.number.startswith("VIP")
    earned = PointsMovement.objects.get(member=member)
    assert (earned.kind, earned.points, earned.amount) == (PointsKind.EARN, 123, Decimal("1234.56"))
    assert services.points_earn_for_receipt(receipt) == earned
    assert services.points_catch_up(days=7) == 0
    member.refresh_from_db()
    assert member.balance == 123 and PointsMovement.objects.filter(member=member).count() == 1


def test_catch_up_earns_what_a_lost_signal_missed(cashier, member, customer):
    """MKT-6: a receipt whose signal was lost (no on-commit run) earns at the nightly catch-up."""
    receipt = finance.receipt_record(actor=cashier, customer=customer, amount=Decimal("500"), allocate=None)
    assert Member.objects.get(pk=member.pk).balance == 0
    assert services.points_catch_up(days=7) == 1
    assert services.points_catch_up(days=7) == 0
    assert Member.objects.get(pk=member.pk).balance == 50
    finance.receipt_reverse(actor=cashier, receipt=receipt, reason="退票")  # its signal lost too
    assert services.points_catch_up(days=7) == 1
    assert services.points_catch_up(days=7) == 0
    assert Member.objects.get(pk=member.pk).balance == 0


def test_a_non_member_earns_nothing(cashier, customer, django_capture_on_commit_callbacks):
    receive(cashier, customer, "1000", django_capture_on_commit_callbacks)
    assert not PointsMovement.objects.exists()


def test_a_reversal_takes_the_points_back_even_below_zero(cashier, member, customer, manager,
                                                          django_capture_on_commit_callbacks):
    """MKT-6: a reversed receipt takes back what it earned, once; after a redemption the
    balance may go negative (a debt of points), and nothing can then be redeemed."""
    receipt = receive(cashier, customer, "1000", django_capture_on_commit_callbacks)
    services.points_redeem_gift(actor=manager, member=member, points=80, reason="保温杯")
    with django_capture_on_commit_callbacks(execute=True):
        finance.receipt_reverse(actor=cashier, receipt=receipt, reason="退票")
    assert services.points_reverse_for_receipt(receipt) is not None  # replay: the same movement
    member.refresh_from_db()
    assert member.balance == 100 - 80 - 100 == -80
    assert PointsMovement.objects.filter(kind=PointsKind.REVERSE).count() == 1
    with pytest.raises(Conflict):
        services.points_redeem_gift(actor=manager, member=member, points=1, reason="笔")
    balance_law(member)


def test_movements_are_append_only(cashier, member, customer, django_capture_on_commit_callbacks):
    """MKT-6: a movement cannot be changed or deleted."""
    receive(cashier, customer, "100", django_capture_on_commit_callbacks)
    movement = PointsMovement.objects.get()
    movement.points = 999
    with pytest.raises(AppendOnly):
        movement.save()
    with pytest.raises(AppendOnly):
        movement.delete()
    assert PointsMovement.objects.get().points == 10


def test_expiry_is_fifo_and_once_a_day(manager, member):
    """MKT-6: points expire at the end of the 12th month, oldest first: redemptions use
    the oldest points, so only what is left of an expired batch expires; a re-run does nothing."""
    old, new = datetime.date(2025, 1, 10), datetime.date(2025, 6, 10)
    services._post(member, kind=PointsKind.EARN, points=100, key="t:1", actor=None,
                   expires_on=services.expiry_date(old, 12))
    services._post(member, kind=PointsKind.EARN, points=50, key="t:2", actor=None,
                   expires_on=services.expiry_date(new, 12))
    services.points_redeem_gift(actor=manager, member=member, points=30, reason="礼品")
    assert services.points_expire(member, datetime.date(2026, 1, 30)) is None
    first = services.points_expire(member, datetime.date(2026, 1, 31))
    assert first.points == -70
    assert services.points_expire(member, datetime.date(2026, 1, 31)) is None  # re-run: nothing more
    assert services.points_expire(member, datetime.date(2026, 2, 1)) is None
    second = services.points_expire(member, datetime.date(2026, 6, 30))
    assert second.points == -50 and first.points == -70
    assert PointsMovement.objects.filter(kind=PointsKind.EXPIRE).count() == 2
    member.refresh_from_db()
    assert member.balance == 0
    balance_law(member)


def test_tier_moves_up_on_earning_and_the_multiplier_applies(cashier, member, customer, tiers,
                                                             django_capture_on_commit_callbacks):
    """MKT-6: 500 points in 12 months make a 银卡 member; then receipts earn ×1.5."""
    assert member.tier == tiers[0]
    receive(cashier, customer, "5000", django_capture_on_commit_callbacks)
    member.refresh_from_db()
    assert member.tier == tiers[1]
    receive(cashier, customer, "100", django_capture_on_commit_callbacks)
    assert PointsMovement.objects.order_by("-pk").first().points == 15
    # a year on, nothing earned in the window: the nightly recompute moves the member down
    PointsMovement.objects.filter(member=member).update(created_at=timezone.now() - datetime.timedelta(days=400))
    assert services.tiers_recompute_all() == 1
    member.refresh_from_db()
    assert member.tier == tiers[0]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["earn", "redeem", "reverse", "expire", "adjust"]),
                                st.integers(min_value=1, max_value=400)), max_size=25))
def test_balance_equals_the_sum_of_movements(member, manager, steps):
    """MKT-6: after any sequence of earn/redeem/reverse/expire/adjust, the cached balance
    equals Σ movements, and no redemption took the balance below zero."""
    member = Member.objects.get(pk=member.pk)
    start = PointsMovement.objects.count()
    earned: list[PointsMovement] = []
    day = datetime.date(2025, 1, 1)
    for index, (action, n) in enumerate(steps):
        key = f"h:{start}:{index}"
        if action == "earn":
            earned.append(services._post(member, kind=PointsKind.EARN, points=n, key=key, actor=None,
                                         expires_on=services.expiry_date(day, 12)))
        elif action == "reverse" and earned:
            original = earned.pop(0)
            services._post(member, kind=PointsKind.REVERSE, points=-original.points, key=f"{key}:r",
                           actor=None, expires_on=original.expires_on)
        elif action == "redeem":
            before = Member.objects.get(pk=member.pk).balance
            try:
                services.points_redeem_gift(actor=manager, member=member, points=n, reason="礼品")
            except Conflict:
                assert n > before
        elif action == "expire":
            services.points_expire(member, day + datetime.timedelta(days=30 * n))
        elif action == "adjust":
            services.points_adjust(actor=manager, member=member, points=n, reason="补偿")
        balance_law(member)


# --- redemption on an order -------------------------------------------------------------------
def draft_order(actor, customer, price="1000.00"):
    return sales.order_create(actor=actor, customer=customer, lines=[
        {"description": "商品", "quantity": Decimal("1"), "unit_price": Decimal(price), "tax_rate": Decimal("0")}])


def test_redeem_points_on_an_order(seller, manager, member, customer):
    """MKT-6: 200 points (a point worth ¥0.1) take ¥20.00 off the order, once per key;
    more than the balance is refused and changes nothing."""
    services._post(member, kind=PointsKind.EARN, points=300, key="t:e", actor=None,
                   expires_on=datetime.date(2099, 1, 31))
    order = draft_order(seller, customer)
    movement = services.points_redeem_for_order(actor=manager, member=member, order=order, points=200,
                                                idempotency_key="abc")
    again = services.points_redeem_for_order(actor=manager, member=member, order=order, points=200,
                                             idempotency_key="abc")
    assert again == movement
    order.refresh_from_db()
    assert order.adjustment_total == Decimal("20.00") and order.total == Decimal("980.00")
    with pytest.raises(Conflict):
        services.points_redeem_for_order(actor=manager, member=member, order=order, points=101)
    member.refresh_from_db()
    assert member.balance == 100
    assert Order.objects.get(pk=order.pk).total == Decimal("980.00")


def test_cancelling_the_order_gives_the_points_back(seller, manager, member, customer):
    """MKT-6: points redeemed on an order come back when the order is cancelled."""
    services._post(member, kind=PointsKind.EARN, points=300, key="t:e", actor=None,
                   expires_on=datetime.date(2099, 1, 31))
    order = draft_order(seller, customer)
    services.points_redeem_for_order(actor=manager, member=member, order=order, points=100)
    sales.order_cancel(actor=seller, order=order, reason="客户取消")
    member.refresh_from_db()
    assert member.balance == 300
    balance_law(member)


@pytest.mark.django_db(transaction=True)
def test_two_redemptions_racing_cannot_overdraw(demo_org):
    """MKT-6: two redemptions of 80 against a balance of 100, at the same time: one wins."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    manager = demo_org["linhui"]
    customer = customer_create(actor=demo_org["liuyang"], name="并发会员客户")
    member = services.member_enroll(actor=manager, customer=customer)
    with transaction.atomic():
        services._post(member, kind=PointsKind.EARN, points=100, key="race:e", actor=None,
                       expires_on=datetime.date(2099, 1, 31))
    results, barrier = [], threading.Barrier(2)

    def redeem(i):
        try:
            barrier.wait()
            services.points_redeem_gift(actor=manager, member=member, points=80, reason=f"礼品{i}")
            results.append("ok")
        except Conflict:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "refused"]
    assert Member.objects.get(pk=member.pk).balance == 20


# --- coupons and promotions ----------------------------------------------------------------
def test_a_single_use_coupon_is_used_once(seller, customer, demo_org):
    """MKT-3: a single-use coupon takes ¥50 off the first order; the second is refused."""
    Coupon.objects.create(code="WELCOME50", name="新客立减", value=Decimal("50"), min_order=Decimal("500"))
    first, second = draft_order(seller, customer), draft_order(seller, customer)
    services.coupon_apply(actor=seller, document=first, code="welcome50")
    first.refresh_from_db()
    assert first.total == Decimal("950.00")
    with pytest.raises(Conflict):
        services.coupon_apply(actor=seller, document=second, code="WELCOME50")
    assert CouponRedemption.objects.count() == 1
    assert Order.objects.get(pk=second.pk).total == Decimal("1000.00")


def test_coupon_rules(seller, customer):
    """MKT-3: minimum order, validity, per-customer limit, percent off."""
    Coupon.objects.create(code="MIN", name="满额", value=Decimal("50"), min_order=Decimal("2000"))
    Coupon.objects.create(code="OLD", name="过期", value=Decimal("50"), valid_until=datetime.date(2020, 1, 1))
    Coupon.objects.create(code="PCT", name="九折", kind="percent", value=Decimal("10"), max_uses=None,
                          per_customer_limit=1)
    order = draft_order(seller, customer)
    for code in ("MIN", "OLD", "NONE"):
        with pytest.raises(ValidationFailed):
            services.coupon_apply(actor=seller, document=order, code=code)
    services.coupon_apply(actor=seller, document=order, code="PCT")
    assert Order.objects.get(pk=order.pk).total == Decimal("900.00")
    with pytest.raises(Conflict):
        services.coupon_apply(actor=seller, document=draft_order(seller, customer), code="PCT")


def test_promotions_apply_once(seller, customer):
    """MKT-3: 满1000减100 applies to an order of ¥1,000, once however often it is asked."""
    today = timezone.localdate()
    Promotion.objects.create(name="满1000减100", threshold=Decimal("1000"), amount_off=Decimal("100"),
                             valid_from=today, valid_until=today)
    order = draft_order(seller, customer)
    services.promotions_apply(actor=seller, document=order)
    services.promotions_apply(actor=seller, document=order)
    assert Order.objects.get(pk=order.pk).total == Decimal("900.00")


def test_a_coupon_beyond_the_discount_limit_needs_approval(seller, customer):
    """MKT-3: a coupon of 20 % against a 10 % limit sends the order to discount approval."""
    policy = ApprovalPolicy.objects.create(doc_type="sales.quote_discount", name="折扣审批")
    ApprovalStep.objects.create(policy=policy, position=1, name="经理", approver_kind=ApproverKind.MANAGER)
    Coupon.objects.create(code="BIG", name="大额", value=Decimal("200"))
    order = draft_order(seller, customer)
    services.coupon_apply(actor=seller, document=order, code="BIG")
    order = sales.order_confirm(actor=seller, order=order)
    assert order.status == OrderStatus.PENDING_APPROVAL
    assert latest_for("sales.order_discount", order.pk).status == "pending"


def test_a_small_coupon_needs_no_approval(seller, customer):
    """MKT-3: ¥50 off ¥1,000 (5 %) is within the 10 % limit: the order confirms at once."""
    Coupon.objects.create(code="SMALL", name="小额", value=Decimal("50"))
    order = draft_order(seller, customer)
    services.coupon_apply(actor=seller, document=order, code="SMALL")
    assert sales.order_confirm(actor=seller, order=order).status == OrderStatus.CONFIRMED


# --- price precedence (SAL-10, MKT-3) --------------------------------------------------------
def test_price_precedence_customer_then_tier_then_level(seller, manager, customer, tiers):
    """SAL-10: the customer's own list beats the member tier's, which beats the level's,
    which beats the list price; a list out of its validity does not count."""
    product = Product.objects.create(sku="P-1", name="净水器", list_price=Decimal("100"))
    level = PickItem.objects.filter(list_key="customers.level").first() or PickItem.objects.create(
        list_key="customers.level", code="vip", name_zh="VIP", name_en="VIP")
    customer.level = level
    customer.save()
    assert sales.price_for(customer, product) == Decimal("100")
    level_list = sales.price_list_save(actor=manager, name="VIP价", level=level, items=[(product, Decimal("90"))])
    assert sales.price_for(customer, product) == Decimal("90")
    tier_list = sales.price_list_save(actor=manager, name="会员价", items=[(product, Decimal("85"))])
    MemberTier.objects.filter(pk=tiers[0].pk).update(price_list=tier_list)
    services.member_enroll(actor=manager, customer=customer)
    assert sales.price_for(customer, product) == Decimal("85")
    own = sales.price_list_save(actor=manager, name="一客一价", customer=customer, items=[(product, Decimal("80"))])
    assert sales.price_for(customer, product) == Decimal("80")
    sales.price_list_save(actor=manager, price_list=own, valid_until=datetime.date(2020, 1, 1))
    assert sales.price_for(customer, product) == Decimal("85")
    order = sales.order_create(actor=seller, customer=customer, lines=[{"product": product, "quantity": 1}])
    assert order.lines.get().unit_price == Decimal("85")
    assert level_list.pk and PriceListItem.objects.count() == 3


def test_a_price_list_is_for_a_level_or_a_customer(manager, customer):
    level = PickItem.objects.create(list_key="customers.level", code="key2", name_zh="重点", name_en="Key")
    with pytest.raises(ValidationFailed):
        sales.price_list_save(actor=manager, name="两者", level=level, customer=customer, items=[])
    assert not PriceList.objects.exists()


# --- scope ----------------------------------------------------------------------------------
def test_members_of_another_branch_are_out_of_scope(demo_org, member, customer):
    """MKT-6: the Beijing manager neither sees nor redeems a Guangzhou member (404)."""
    beijing = demo_org["majun"]
    assert not selectors.members_visible_to(beijing).filter(pk=member.pk).exists()
    with pytest.raises(NotFound):
        services.points_redeem_gift(actor=beijing, member=member, points=1, reason="x")
    with pytest.raises(NotFound):
        services.member_enroll(actor=beijing, customer=customer)
    assert not PointsMovement.objects.exists()


def test_the_nightly_job_is_idempotent(cashier, member, customer):
    """MKT-6: the nightly job earns a missed receipt once; a second run does nothing."""
    finance.receipt_record(actor=cashier, customer=customer, amount=Decimal("250"), allocate=None)
    assert loyalty_nightly() == {"earned": 1, "expired": 0, "tiers_moved": 0}
    assert loyalty_nightly() == {"earned": 0, "expired": 0, "tiers_moved": 0}
    assert Member.objects.get(pk=member.pk).balance == 25


def test_demo_makes_members_with_points_from_their_receipts(seller, cashier, customer, demo_org):
    """MKT-6, MKT-3 demo: customers with receipts become members and earn their receipts'
    points; Shenzhen has points rules of its own; a member's submitted quote has a coupon."""
    Product.objects.create(sku="D-1", name="演示产品", list_price=Decimal("100"))
    finance.receipt_record(actor=cashier, customer=customer, amount=Decimal("1234.56"), allocate=None)
    quote = sales.quote_submit(actor=seller, quote=sales.quote_create(actor=seller, customer=customer, lines=[
        {"description": "商品", "quantity": Decimal("1"), "unit_price": Decimal("2000"), "tax_rate": Decimal("0")}]))
    demo_loyalty.build()
    member = Member.objects.get(customer=customer)
    assert member.balance == 123 and MemberTier.objects.count() == 4
    assert sales.price_for(customer, Product.objects.get(sku="D-1")) == Decimal("90.00")  # its own list
    assert LoyaltySettings.for_branch(demo_org["xiejun"].branch_id).yuan_per_point == Decimal("8")
    quote.refresh_from_db()
    assert (quote.adjustment_total, quote.total, quote.status) == (Decimal("100.00"), Decimal("1900.00"), "approved")
    demo_loyalty.build()  # a second run adds nothing
    assert Member.objects.count() == 1 and PointsMovement.objects.count() == 1
