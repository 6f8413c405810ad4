"""Writes of loyalty (MKT-6, MKT-3): member cards, the points ledger, tiers, coupons and
promotions. Rules (docs/marketing.md "Loyalty, price lists and coupons"):

- Earn: points = ⌊amount received ÷ yuan per point × tier multiplier⌋ (rounded down, so
  ¥1,234.56 at ¥10 a point earns 123); once per receipt (source key ``receipt:<id>``).
- A reversed receipt takes back exactly what it earned (``receipt-reversal:<id>``), even
  when the balance goes below zero: a negative balance is a debt of points that later
  earnings repay; nothing can be redeemed while it lasts.
- Points expire at the end of the ``expiry_months``-th month after the month they were
  earned in, oldest first (FIFO); redemptions use the oldest points first.
- Every posting locks the member's card, writes one movement and moves the cached balance
  in the same transaction, so the balance always equals the sum of the movements and two
  redemptions racing cannot overdraw.
"""

from __future__ import annotations

import calendar
import datetime
import uuid
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.money import fen
from guanxi.core.numbering import next_number
from guanxi.core.permissions import ensure
from guanxi.core.services import service, validated_save
from guanxi.finance.models import Receipt, ReceiptKind
from guanxi.org.scopes import ensure_in_scope
from guanxi.sales.models import AdjustmentKind, Order, OrderStatus, Quote, QuoteStatus
from guanxi.sales.services import adjustment_add, adjustment_key

from ..models.loyalty import (
    Coupon,
    CouponKind,
    CouponRedemption,
    LoyaltySettings,
    Member,
    MemberTier,
    PointsKind,
    PointsMovement,
    Promotion,
    PromotionKind,
)

if TYPE_CHECKING:
    from guanxi.customers.models import Customer
    from guanxi.org.models import Branch, User

ZERO = Decimal("0")
# Postings made by the system (signals, nightly jobs) name no person.
SYSTEM = None


def expiry_date(earned_on: datetime.date, months: int) -> datetime.date:
    """The last day of the ``months``-th month after the month of ``earned_on``."""
    month_index = earned_on.year * 12 + earned_on.month - 1 + months
    year, month = divmod(month_index, 12)
    return datetime.date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def points_for_amount(amount: Decimal, rules: LoyaltySettings, multiplier: Decimal = Decimal("1")) -> int:
    """Points earned on ``amount`` received: rounded down to a whole point."""
    if amount <= 0:
        return 0
    return int((amount / rules.yuan_per_point * multiplier).to_integral_value(rounding=ROUND_FLOOR))


def _rules(member: Member) -> LoyaltySettings:
    return LoyaltySettings.for_branch(member.customer.branch_id)


def _post(member: Member, *, kind: str, points: int, key: str, actor: User | None, amount: Decimal = ZERO,
          expires_on: datetime.date | None = None, reason: str = "", order: Order | None = None,
          overdraw: bool = True) -> PointsMovement:
    """Append one movement (once per ``key``) and move the cached balance with it.

    The card is locked first, so postings to one member run one after the other; with
    ``overdraw=False`` a posting that would take the balance below zero is refused."""
    locked = Member.objects.select_for_update().get(pk=member.pk)
    existing = PointsMovement.objects.filter(source_key=key).first()
    if existing is not None:
        return existing
    if not overdraw and points < 0 and locked.balance + points < 0:
        raise Conflict(_("Not enough points: the balance is %(balance)s.") % {"balance": locked.balance},
                       field="points")
    try:
        with transaction.atomic():
            movement = PointsMovement.objects.create(
                member=locked, kind=kind, points=points, amount=amount, source_key=key, expires_on=expires_on,
                reason=reason[:200], order=order, created_by=actor)
    except IntegrityError:  # the same key posted by a racing transaction that committed first
        return PointsMovement.objects.get(source_key=key)
    Member.objects.filter(pk=locked.pk).update(balance=F("balance") + points)
    member.balance = locked.balance + points
    return movement


# --- members and tiers ------------------------------------------------------------------
@service
def member_enroll(*, actor: User, customer: Customer, tier: MemberTier | None = None) -> Member:
    """Make a customer a member: a card number from the numbering of ``marketing.member``."""
    ensure(actor, "marketing.create")
    ensure_in_scope(actor, customer)
    if Member.objects.filter(customer=customer).exists():
        raise Conflict(_("This customer is a member already."))
    member = Member(customer=customer, number=next_number("marketing.member"),
                    tier=tier or MemberTier.objects.order_by("position", "pk").first())
    try:
        with transaction.atomic():
            validated_save(member)
    except IntegrityError as exc:
        raise Conflict(_("This customer is a member already.")) from exc
    return member


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=365)


def member_tier_recompute(member: Member) -> bool:
    """Put the member in the best tier their last 12 months reach; True when it moved."""
    totals = PointsMovement.objects.filter(
        member=member, kind__in=[PointsKind.EARN, PointsKind.REVERSE], expires_on__isnull=False,
        created_at__gte=_window_start()).aggregate(points=Sum("points"), spend=Sum("amount", filter=Q(kind="earn")),
                                                   back=Sum("amount", filter=Q(kind="reverse")))
    points = totals["points"] or 0
    spend = (totals["spend"] or ZERO) - (totals["back"] or ZERO)
    best = None
    for tier in MemberTier.objects.order_by("position", "pk"):
        base = not tier.min_points and not tier.min_spend
        if base or (tier.min_points and points >= tier.min_points) or (tier.min_spend and spend >= tier.min_spend):
            best = tier
    if best is not None and best.pk != member.tier_id:
        Member.objects.filter(pk=member.pk).update(tier=best, updated_at=timezone.now())
        member.tier = best
        return True
    return False


def tiers_recompute_all() -> int:
    """Nightly: tiers move down as well as up as the 12-month window moves on."""
    moved = 0
    for member in Member.objects.filter(is_active=True).iterator():
        with transaction.atomic():
            moved += member_tier_recompute(member)
    return moved


# --- earning from money received (finance.signals) ----------------------------------------
def points_earn_for_receipt(receipt: Receipt) -> PointsMovement | None:
    """Earn the points of one receipt of a member's customer, once (replays do nothing)."""
    member = Member.objects.select_related("customer", "tier").filter(customer_id=receipt.customer_id,
                                                                      is_active=True).first()
    if member is None or receipt.kind != ReceiptKind.RECEIPT or receipt.amount <= 0:
        return None
    with transaction.atomic():
        rules = _rules(member)
        points = points_for_amount(receipt.amount, rules, member.tier.multiplier if member.tier else Decimal("1"))
        if points <= 0:
            return None
        movement = _post(member, kind=PointsKind.EARN, points=points, key=f"receipt:{receipt.pk}", actor=SYSTEM,
                         amount=receipt.amount, expires_on=expiry_date(receipt.received_on, rules.expiry_months),
                         reason=_("Receipt %(number)s") % {"number": receipt.number})
        member_tier_recompute(member)
    return movement


def points_reverse_for_receipt(receipt: Receipt) -> PointsMovement | None:
    """Take back what a reversed receipt earned, once; the balance may go below zero."""
    earned = PointsMovement.objects.filter(source_key=f"receipt:{receipt.pk}").select_related("member").first()
    if earned is None:
        return None
    with transaction.atomic():
        movement = _post(earned.member, kind=PointsKind.REVERSE, points=-earned.points,
                         key=f"receipt-reversal:{receipt.pk}", actor=SYSTEM, amount=earned.amount,
                         expires_on=earned.expires_on,
                         reason=_("Receipt %(number)s reversed") % {"number": receipt.number})
        member_tier_recompute(earned.member)
    return movement


def points_catch_up(days: int = 7) -> int:
    """Earn what members' receipts of the last ``days`` days have not earned yet, and take
    back what reversed receipts earned (the nightly job, after a signal was lost);
    idempotent like the signals."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    receipts = (Receipt.objects.filter(kind=ReceiptKind.RECEIPT, received_on__gte=since, reversed_by__isnull=True,
                                       customer__member__is_active=True)
                .exclude(pk__in=_earned_receipt_ids()).order_by("pk"))
    earned = sum(points_earn_for_receipt(receipt) is not None for receipt in receipts)
    taken_back = _receipt_ids(PointsKind.REVERSE, "receipt-reversal:")
    reversed_receipts = Receipt.objects.filter(pk__in=_earned_receipt_ids(), reversed_by__isnull=False).exclude(
        pk__in=taken_back)
    return earned + sum(points_reverse_for_receipt(receipt) is not None for receipt in reversed_receipts)


def _receipt_ids(kind: str, prefix: str) -> list[int]:
    keys = PointsMovement.objects.filter(kind=kind, source_key__startswith=prefix,
                                         created_at__gte=timezone.now() - datetime.timedelta(days=60))
    return [int(key.partition(":")[2]) for key in keys.values_list("source_key", flat=True)]


def _earned_receipt_ids() -> list[int]:
    return _receipt_ids(PointsKind.EARN, "receipt:")


# --- redeeming, adjusting, expiring ------------------------------------------------------
def _whole_points(points: Any) -> int:
    text = str(points).strip()
    if isinstance(points, bool) or not text.lstrip("-").isdigit() or len(text) > 9:
        raise ValidationFailed(_("Enter a whole number of points."), field="points")
    return int(text)


def _check_points(points: Any) -> int:
    value = _whole_points(points)
    if value <= 0:
        raise ValidationFailed(_("Enter a whole number of points greater than zero."), field="points")
    return value


def _redeem_key(member: Member, idempotency_key: str | None) -> str:
    return f"redeem:{member.pk}:{(idempotency_key or uuid.uuid4().hex)[:60]}"


@service
def points_redeem_for_order(*, actor: User, member: Member, order: Order, points: Any,
                            idempotency_key: str | None = None) -> PointsMovement:
    """Redeem points for money off a draft order of the member's customer (a point is
    worth ``point_value``); within the balance, once per ``idempotency_key``."""
    ensure(actor, "marketing.edit")
    ensure_in_scope(actor, member)
    ensure_in_scope(actor, order)
    points = _check_points(points)
    key = _redeem_key(member, idempotency_key)
    done = PointsMovement.objects.filter(source_key=key).first()
    if done is not None:
        return done
    if order.customer_id != member.customer_id:
        raise ValidationFailed(_("The order is for another customer."), field="order")
    if order.status != OrderStatus.DRAFT:
        raise Conflict(_("Points can be redeemed only on a draft order."))
    value = fen(points * _rules(member).point_value)
    movement = _post(member, kind=PointsKind.REDEEM, points=-points, key=key, actor=actor, amount=value,
                     order=order, overdraw=False, reason=_("Order %(number)s") % {"number": order.number})
    adjustment_add(actor=actor, document=order, kind=AdjustmentKind.POINTS, amount=value,
                   source=f"points:{movement.pk}", label=_("%(points)s points redeemed") % {"points": points})
    return movement


@service
def points_redeem_gift(*, actor: User, member: Member, points: Any, reason: str,
                       idempotency_key: str | None = None) -> PointsMovement:
    """Redeem points for a gift (the reason says which), within the balance."""
    ensure(actor, "marketing.edit")
    ensure_in_scope(actor, member)
    points = _check_points(points)
    if not (reason or "").strip():
        raise ValidationFailed(_("Say what the points are redeemed for."), field="reason")
    return _post(member, kind=PointsKind.REDEEM, points=-points, key=_redeem_key(member, idempotency_key),
                 actor=actor, overdraw=False, reason=reason.strip(),
                 amount=fen(points * _rules(member).point_value))


@service
def points_adjust(*, actor: User, member: Member, points: Any, reason: str) -> PointsMovement:
    """Add (a goodwill gift; it expires like earned points) or take away points, with a reason."""
    ensure(actor, "marketing.manage")
    ensure_in_scope(actor, member)
    value = _whole_points(points)
    if value == 0:
        raise ValidationFailed(_("Enter a number of points other than zero."), field="points")
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why the points are adjusted."), field="reason")
    expires_on = expiry_date(timezone.localdate(), _rules(member).expiry_months) if value > 0 else None
    return _post(member, kind=PointsKind.ADJUST, points=value, key=f"adjust:{member.pk}:{uuid.uuid4().hex}",
                 actor=actor, expires_on=expires_on, reason=reason.strip(), overdraw=False)


def points_expire(member: Member, today: datetime.date) -> PointsMovement | None:
    """Write the expiry of the points due by ``today`` (FIFO), once per member and day.

    Points that should have expired = earned batches due by today (earnings, gifts, less
    their reversals) − what was used (redemptions, deductions, less refunds), at least 0;
    the movement is what of that has not expired yet, never more than the balance."""
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        movements = PointsMovement.objects.filter(member=locked)
        totals = movements.aggregate(
            due=Sum("points", filter=Q(expires_on__lte=today) & ~Q(kind=PointsKind.EXPIRE)),
            used=Sum("points", filter=Q(expires_on__isnull=True) & ~Q(kind=PointsKind.EXPIRE)),
            expired=Sum("points", filter=Q(kind=PointsKind.EXPIRE)))
        should = max(0, (totals["due"] or 0) + (totals["used"] or 0))
        todo = min(should + (totals["expired"] or 0), locked.balance)
        if todo <= 0:
            return None
        return _post(locked, kind=PointsKind.EXPIRE, points=-todo, key=f"expire:{locked.pk}:{today.isoformat()}",
                     actor=SYSTEM, reason=_("Expired on %(day)s") % {"day": today.isoformat()})


def points_expire_all(today: datetime.date | None = None) -> int:
    """The nightly job: expire what is due for every member with points."""
    today = today or timezone.localdate()
    return sum(points_expire(member, today) is not None
               for member in Member.objects.filter(balance__gt=0).iterator())


def points_refund_for_cancelled_order(order: Order) -> int:
    """An order was cancelled: the points redeemed on it come back (once)."""
    refunded = 0
    for movement in PointsMovement.objects.filter(order=order, kind=PointsKind.REDEEM).select_related("member"):
        _post(movement.member, kind=PointsKind.REVERSE, points=-movement.points, key=f"refund:{movement.pk}",
              actor=SYSTEM, amount=movement.amount, order=order,
              reason=_("Order %(number)s cancelled") % {"number": order.number})
        refunded += 1
    return refunded


# --- coupons and promotions on quotes and orders (MKT-3) -------------------------------------
def _lines_total(document: Quote | Order) -> Decimal:
    return sum((line.total for line in document.lines.all()), ZERO)


def _valid_on(record: Any, day: datetime.date) -> bool:
    return (record.is_active and (record.valid_from is None or record.valid_from <= day)
            and (record.valid_until is None or record.valid_until >= day))


def _document_link(document: Quote | Order) -> dict[str, Any]:
    return {"quote": document} if isinstance(document, Quote) else {"order": document}


def _check_adjustable(document: Quote | Order) -> None:
    if isinstance(document, Quote):
        if document.status not in (QuoteStatus.DRAFT, QuoteStatus.APPROVED):
            raise Conflict(_("Coupons and promotions can be used only on a quote that may still change; "
                             "make a new version instead."))
    elif document.status != OrderStatus.DRAFT:
        raise Conflict(_("Coupons can be used only on a draft order."))


def _already_used_on(coupon: Coupon, document: Quote | Order) -> bool:
    """A quote's use passes to its order (``coupon_use_follows_quote``), so one lookup serves both."""
    return CouponRedemption.objects.filter(coupon=coupon, **_document_link(document)).exists()


@service
def coupon_apply(*, actor: User, document: Quote | Order, code: str) -> CouponRedemption:
    """Use a coupon on a draft quote or order: valid, above its minimum, within its uses in
    all and per customer. The coupon row is locked and each use takes a unique number, so a
    single-use coupon is used once however many documents race for it. A quote's use passes
    to its next version and to the order it becomes (``quote_versioned``, ``quote_accepted``)."""
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, document)
    coupon = Coupon.objects.select_for_update().filter(code__iexact=(code or "").strip()).first()
    if coupon is None or not _valid_on(coupon, timezone.localdate()):
        raise ValidationFailed(_("No valid coupon has this code."), field="code")
    document = type(document).objects.get(pk=document.pk)
    _check_adjustable(document)
    if _already_used_on(coupon, document):
        raise Conflict(_("This coupon is on the document already."), field="code")
    lines_total = _lines_total(document)
    if lines_total < coupon.min_order:
        raise ValidationFailed(_("The coupon needs an order of at least ¥%(amount)s.") % {"amount": coupon.min_order},
                               field="code")
    used = coupon.redemptions.count()
    if coupon.max_uses is not None and used >= coupon.max_uses:
        raise Conflict(_("This coupon has been used up."), field="code")
    if coupon.redemptions.filter(customer_id=document.customer_id).count() >= coupon.per_customer_limit:
        raise Conflict(_("This customer has used this coupon as often as it allows."), field="code")
    discount = coupon.value if coupon.kind == CouponKind.AMOUNT else fen(lines_total * coupon.value / 100)
    discount = min(discount, document.total)
    if discount <= 0:
        raise Conflict(_("Nothing is left to take off this document."), field="code")
    last = coupon.redemptions.aggregate(last=Max("use_number"))["last"] or 0
    try:
        with transaction.atomic():
            redemption = CouponRedemption.objects.create(coupon=coupon, use_number=last + 1,
                                                         customer_id=document.customer_id, discount=discount,
                                                         created_by=actor, **_document_link(document))
    except IntegrityError as exc:
        raise Conflict(_("This coupon has been used up."), field="code") from exc
    adjustment_add(actor=actor, document=document, kind=AdjustmentKind.COUPON, amount=discount,
                   source=f"coupon:{coupon.pk}", label=_("Coupon %(code)s") % {"code": coupon.code})
    return redemption


def coupon_use_follows_quote(*, previous: Quote, quote: Quote | None = None, order: Order | None = None) -> None:
    """A quote's coupon uses pass to its next version, or are kept by the order it became."""
    if quote is not None:
        CouponRedemption.objects.filter(quote=previous).update(quote=quote)
    elif order is not None:
        CouponRedemption.objects.filter(quote=previous, order__isnull=True).update(order=order)


def promotion_discount(promotion: Promotion, document: Quote | Order) -> Decimal:
    """What one promotion takes off a quote or an order (0 when it does not apply)."""
    if promotion.kind == PromotionKind.THRESHOLD:
        return promotion.amount_off if _lines_total(document) >= promotion.threshold else ZERO
    in_category = sum((line.total for line in document.lines.select_related("product")
                       if line.product is not None and line.product.category_id == promotion.category_id), ZERO)
    return fen(in_category * promotion.percent_off / 100)


def _promotion_day(document: Quote | Order) -> datetime.date:
    return document.order_date if isinstance(document, Order) else timezone.localdate()


@service
def promotions_apply(*, actor: User, document: Quote | Order) -> list[Any]:
    """Apply to a draft quote or order every promotion running on its date (each once; an
    order made from a quote keeps the quote's and gets no second one)."""
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, document)
    document = type(document).objects.get(pk=document.pk)
    _check_adjustable(document)
    day = _promotion_day(document)
    applied = []
    for promotion in Promotion.objects.filter(is_active=True, valid_from__lte=day,
                                              valid_until__gte=day).order_by("pk"):
        source = f"promotion:{promotion.pk}"
        if document.adjustments.filter(key=adjustment_key(document, source)).exists():
            continue
        discount = min(promotion_discount(promotion, document), type(document).objects.get(pk=document.pk).total)
        if discount > 0:
            applied.append(adjustment_add(
                actor=actor, document=document, kind=AdjustmentKind.PROMOTION, amount=discount, source=source,
                label=_("Promotion: %(name)s") % {"name": promotion.name}))
    return applied


# --- configuration -----------------------------------------------------------------------
@service
def loyalty_branch_rules_reset(*, actor: User, branch: Branch) -> int:
    """The branch uses the company's points rules again (its own are removed)."""
    ensure(actor, "marketing.manage")
    deleted, _rows = LoyaltySettings.objects.filter(branch=branch).delete()
    return deleted


@service
def loyalty_config_save(*, actor: User, record: Any) -> Any:
    """Save a tier, points rules, coupon or promotion (configuration: marketing.manage)."""
    ensure(actor, "marketing.manage")
    if isinstance(record, Coupon):
        record.code = record.code.strip().upper()
    try:
        with transaction.atomic():
            return validated_save(record)
    except IntegrityError as exc:
        raise Conflict(_("This name or code is used already.")) from exc
