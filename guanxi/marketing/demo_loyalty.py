"""Demo loyalty data (MKT-6, MKT-3): tiers, the points rules, members among the demo
customers with points from their receipts, coupons and a promotion."""

import datetime
from decimal import Decimal

from django.utils import timezone

from guanxi.core.models import PickItem
from guanxi.core.money import fen
from guanxi.customers.models import Customer
from guanxi.finance.models import Receipt, ReceiptKind
from guanxi.org.models import Branch, User
from guanxi.sales import services as sales
from guanxi.sales.models import PriceList, Product, Quote, QuoteStatus

from .models.loyalty import Coupon, LoyaltySettings, Member, MemberTier, Promotion
from .services import loyalty as services

TIERS = [("普通会员", 0, 0, "0", "1", "积分累计"), ("银卡会员", 1, 1000, "10000", "1.2", "积分1.2倍，生日礼"),
         ("金卡会员", 2, 5000, "50000", "1.5", "积分1.5倍，会员价，专属客服"),
         ("钻石会员", 3, 20000, "200000", "2", "积分2倍，会员价，优先发货")]


def build(stdout=None, members=40):
    if MemberTier.objects.exists():
        return
    for name, position, points, spend, multiplier, benefits in TIERS:
        MemberTier.objects.create(name=name, position=position, min_points=points, min_spend=Decimal(spend),
                                  multiplier=Decimal(multiplier), benefits=benefits)
    LoyaltySettings.objects.get_or_create(branch=None)
    shenzhen = Branch.objects.filter(code="sz").first()
    if shenzhen is not None:  # a branch with rules of its own: a point for every ¥8 received
        LoyaltySettings.objects.get_or_create(branch=shenzhen, defaults={"yuan_per_point": Decimal("8")})
    today = timezone.localdate()
    Coupon.objects.create(code="WELCOME100", name="新会员立减100元", value=Decimal("100"), min_order=Decimal("1000"),
                          max_uses=None, per_customer_limit=1, valid_until=today + datetime.timedelta(days=90))
    Coupon.objects.create(code="VIP95", name="会员95折", kind="percent", value=Decimal("5"), max_uses=200,
                          per_customer_limit=3, valid_until=today + datetime.timedelta(days=180))
    Promotion.objects.create(name="满10000减500", threshold=Decimal("10000"), amount_off=Decimal("500"),
                             valid_from=today - datetime.timedelta(days=7), valid_until=today + datetime.timedelta(days=30))
    actor = User.objects.filter(username="linhui").first()
    if actor is None:
        return
    products = list(Product.objects.filter(is_active=True).order_by("pk")[:12])
    member_prices = sales.price_list_save(actor=actor, name="金卡/钻石会员价", items=[
        (p, fen(p.list_price * Decimal("0.95"))) for p in products])
    MemberTier.objects.filter(position__gte=2).update(price_list=member_prices)
    vip = PickItem.objects.filter(list_key="customers.level", code="vip").first()
    if vip is not None and not PriceList.objects.filter(level=vip).exists():
        sales.price_list_save(actor=actor, name="VIP客户价", level=vip, items=[
            (p, fen(p.list_price * Decimal("0.97"))) for p in products])
    customer_ids = list(Receipt.objects.filter(kind=ReceiptKind.RECEIPT).values_list("customer_id", flat=True)
                        .distinct().order_by("customer_id")[:members])
    for index, customer in enumerate(Customer.objects.filter(pk__in=customer_ids).order_by("pk")):
        member = services.member_enroll(actor=actor, customer=customer)
        Member.objects.filter(pk=member.pk).update(joined_on=today - datetime.timedelta(days=400))
        if index < 3 and products:  # one-to-one prices for a few key customers
            sales.price_list_save(actor=actor, name=f"{customer.name}协议价", customer=customer, items=[
                (p, fen(p.list_price * Decimal("0.9"))) for p in products[:4]])
    earned = 0
    for receipt in Receipt.objects.filter(customer_id__in=customer_ids, kind=ReceiptKind.RECEIPT).order_by("pk"):
        earned += services.points_earn_for_receipt(receipt) is not None
        if hasattr(receipt, "reversed_by"):
            services.points_reverse_for_receipt(receipt)
    services.points_expire_all(today)
    _coupon_on_a_quote(customer_ids)
    services.tiers_recompute_all()
    if stdout is not None:
        stdout.write(f"Demo loyalty: {len(customer_ids)} members, {earned} receipts earned points.")


def _coupon_on_a_quote(customer_ids):
    """A member's submitted quote with the 5 % member coupon, for its owner to show."""
    quote = (Quote.objects.filter(customer_id__in=customer_ids, status=QuoteStatus.APPROVED, total__gte=1000)
             .select_related("owner").order_by("pk").first())
    if quote is not None:
        services.coupon_apply(actor=quote.owner, document=quote, code="VIP95")
        sales.quote_submit(actor=quote.owner, quote=quote)  # changed: submitted again
