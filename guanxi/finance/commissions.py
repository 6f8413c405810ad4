"""Commissions and pay (SAL-9): rules with tiers turn a salesperson's month into
commission; finance enters salaries; a statement per person and month puts the two
together with the expenses they claimed. Salespeople read their own statements.

Tiers: each tier has a threshold and a rate. *Progressive*: every part of the basis is
paid at the rate of the band it falls in (0–100,000 at 2 %, the rest at 3 %).
*Step*: the whole basis at the rate of the highest threshold reached.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.core.money import clean_amount
from guanxi.core.periods import add_months, month_start
from guanxi.core.permissions import ensure
from guanxi.core.services import service, validated_save
from guanxi.org.models import User
from guanxi.org.scopes import can_see, record_in_scope, scoped
from guanxi.sales.models import (
    ZERO,
    CommissionBasis,
    CommissionMethod,
    CommissionRule,
    CommissionStatement,
    CommissionTier,
    Order,
    SalaryEntry,
    StatementStatus,
)
from guanxi.sales.targets import COUNTED_ORDERS

from .models import Receipt
from .selectors import expenses_total_of

CENT = Decimal("0.01")


def commission_for(amount, tiers, method):
    """The commission on ``amount`` for tiers [(threshold, rate %)], rounded to the fen."""
    if amount <= 0 or not tiers:
        return ZERO
    tiers = sorted((Decimal(t), Decimal(r)) for t, r in tiers)
    if method == CommissionMethod.STEP:
        rate = ZERO
        for threshold, tier_rate in tiers:
            if amount >= threshold:
                rate = tier_rate
        return (amount * rate / 100).quantize(CENT, ROUND_HALF_UP)
    total = ZERO
    for index, (threshold, rate) in enumerate(tiers):
        upper = tiers[index + 1][0] if index + 1 < len(tiers) else None
        if amount <= threshold:
            break
        band = (min(amount, upper) if upper is not None else amount) - threshold
        total += band * rate / 100
    return total.quantize(CENT, ROUND_HALF_UP)


# --- rules ---------------------------------------------------------------------------
@service
def commission_rule_save(*, actor, name, tiers, basis=CommissionBasis.RECEIVED, method=CommissionMethod.PROGRESSIVE,
                         branch=None, is_active=True, rule=None):
    """Create or change a rule; ``tiers`` is [(threshold, rate %)], the first from 0."""
    ensure(actor, "sales.commissions")
    cleaned, errors = [], []
    for index, (threshold, rate) in enumerate(tiers, start=1):
        try:
            threshold, rate = Decimal(str(threshold)), Decimal(str(rate))
        except ArithmeticError:
            errors.append({"field": f"tiers.{index}", "message": _("Enter numbers.")})
            continue
        if threshold < 0 or not 0 <= rate <= 100:
            errors.append({"field": f"tiers.{index}", "message": _("Thresholds from 0; rates from 0 to 100 %.")})
        cleaned.append((threshold.quantize(CENT), rate.quantize(CENT)))
    if not cleaned and not errors:
        errors.append({"field": "tiers", "message": _("Give at least one tier.")})
    if len({t for t, _r in cleaned}) != len(cleaned):
        errors.append({"field": "tiers", "message": _("Each threshold once, please.")})
    if errors:
        raise ValidationFailed(errors=errors)
    rule = CommissionRule.objects.select_for_update().get(pk=rule.pk) if rule else CommissionRule()
    if is_active:  # the new active rule replaces the old one of the same branch
        CommissionRule.objects.filter(branch=branch, is_active=True).exclude(pk=rule.pk).update(is_active=False)
    rule.name, rule.branch, rule.basis, rule.method, rule.is_active = name, branch, basis, method, is_active
    validated_save(rule)
    CommissionTier.objects.filter(rule=rule).delete()
    CommissionTier.objects.bulk_create([CommissionTier(rule=rule, threshold=t, rate_percent=r) for t, r in cleaned])
    return rule


def rule_for(branch_id):
    rules = CommissionRule.objects.filter(is_active=True).prefetch_related("tiers")
    return rules.filter(branch_id=branch_id).first() or rules.filter(branch__isnull=True).first()


# --- salaries (entered by finance) ---------------------------------------------------------
@service
def salary_set(*, actor, user, month, base_salary=ZERO, allowance=ZERO, bonus=ZERO, deductions=ZERO, notes=""):
    ensure(actor, "sales.commissions")
    month = month_start(month)
    entry = SalaryEntry.objects.select_for_update().filter(user=user, month=month).first() or SalaryEntry(
        user=user, month=month, branch_id=user.branch_id, entered_by=actor)
    if entry.branch_id is None:
        raise ValidationFailed(_("This person belongs to no branch."), field="user")
    for field, value in (("base_salary", base_salary), ("allowance", allowance), ("bonus", bonus),
                         ("deductions", deductions)):
        setattr(entry, field, clean_amount(value if value not in (None, "") else "0", field=field, allow_zero=True))
    entry.notes, entry.entered_by = (notes or "")[:300], actor
    validated_save(entry)
    if not can_see(actor, entry):
        raise NotFound()
    statement = CommissionStatement.objects.filter(user=user, month=month, status=StatementStatus.DRAFT).first()
    if statement is not None:
        _fill(statement)
    return entry


# --- statements ----------------------------------------------------------------------------
def basis_of(user, month, basis):
    """The amount a person's commission is computed on for a month (all their records:
    the statement is the company's, not the viewer's)."""
    start, end = month_start(month), add_months(month, 1)
    if basis == CommissionBasis.ORDERED:
        total = Order.objects.filter(owner=user, status__in=COUNTED_ORDERS, order_date__gte=start,
                                     order_date__lt=end).aggregate(t=Sum("total"))["t"]
    else:
        total = Receipt.objects.filter(owner=user, received_on__gte=start, received_on__lt=end).aggregate(
            t=Sum("amount"))["t"]
    return total or ZERO


def expenses_of(user, month):
    """The person's approved expenses of the month (FIN-3)."""
    return expenses_total_of(user, month_start(month), add_months(month, 1))


def _fill(statement):
    rule = rule_for(statement.branch_id)
    tiers = [(t.threshold, t.rate_percent) for t in rule.tiers.all()] if rule else []
    statement.rule = rule
    statement.rule_snapshot = {"name": rule.name, "basis": rule.basis, "method": rule.method,
                               "tiers": [[str(t), str(r)] for t, r in tiers]} if rule else {}
    statement.basis_amount = basis_of(statement.user, statement.month, rule.basis) if rule else ZERO
    statement.commission = commission_for(statement.basis_amount, tiers, rule.method) if rule else ZERO
    salary = SalaryEntry.objects.filter(user=statement.user, month=statement.month).first()
    for field in ("base_salary", "allowance", "bonus", "deductions"):
        setattr(statement, field, getattr(salary, field) if salary else ZERO)
    statement.expenses = expenses_of(statement.user, statement.month)
    statement.save()
    return statement


def salespeople():
    return [u for u in User.objects.filter(is_active=True, branch__isnull=False).prefetch_related("roles")
            .order_by("pk") if u.has_module_perm("sales.create")]


def _generate(month, people):
    month = month_start(month)
    made = []
    for user in people:
        with transaction.atomic():
            statement, _created = CommissionStatement.objects.select_for_update().get_or_create(
                user=user, month=month, defaults={"branch_id": user.branch_id})
            if statement.is_draft:
                made.append(_fill(statement))
    return made


@service
def statements_generate(*, actor, month):
    """(Re)compute the drafts of a month for the salespeople in the actor's scope;
    confirmed statements are never changed. Running it twice changes nothing more."""
    ensure(actor, "sales.commissions")
    if month_start(month) > month_start(timezone.localdate()):
        raise ValidationFailed(_("That month has not begun."), field="month")
    return _generate(month, [u for u in salespeople() if record_in_scope(actor, u.pk, u.branch_id)])


def statements_generate_all(month):
    """The monthly job: drafts for every salesperson (no actor: the system)."""
    return _generate(month, salespeople())


@service
def statement_confirm(*, actor, statement):
    ensure(actor, "sales.commissions")
    statement = CommissionStatement.objects.select_for_update().get(pk=statement.pk)
    if not can_see(actor, statement):
        raise NotFound()
    if not statement.is_draft:
        raise Conflict(_("This statement was confirmed already."))
    _fill(statement)
    statement.status = StatementStatus.CONFIRMED
    statement.confirmed_by = actor
    statement.confirmed_at = timezone.now()
    statement.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    return statement


def statements_visible_to(user):
    return scoped(CommissionStatement.objects.select_related("user", "branch"), user)
