"""Money statistics (FIN-6, FIN-7) and profit (FIN-8, FIN-9).

Definitions (docs/finance.md):
- Money in / out of a period = receipts / payments dated in it, net of reversals.
- Expenses of a period = approved expenses dated in it.
- **Revenue is cash received** (收付实现制): receipts net of reversals. Invoiced revenue
  depends on when invoices happen to be issued and would count money that may never
  arrive; finance here steers by cash, and the receivable position shows the rest.
- Operating profit = revenue − payments to suppliers − expenses, per month, for the
  headquarters and each branch (a record's branch).
- Receivable position = receivables dated up to the end of the period: amount, received
  and remaining, per branch.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, F, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from guanxi.core.models import PickItem
from guanxi.core.periods import month_start, month_starts
from guanxi.org.models import Branch, Department, User
from guanxi.org.scopes import scoped

from .models import (
    Expense,
    ExpenseCategory,
    ExpenseStatus,
    Payment,
    Receipt,
    Receivable,
    ReceivableStatus,
)

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)
SIDES = {"in": (Receipt, "received_on"), "out": (Payment, "paid_on")}


def _month(value):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return month_start(value)


def _labels(group, keys):
    if group in ("owner", "person"):
        return dict(User.objects.filter(pk__in=keys).values_list("pk", "display_name"))
    if group == "branch":
        return dict(Branch.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group == "department":
        return dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group in ("category", "item"):
        return {c.pk: str(c) for c in ExpenseCategory.objects.filter(pk__in=keys).select_related("parent")}
    if group == "method":
        return {p.pk: p.name for p in PickItem.objects.filter(pk__in=keys)}
    return {}


def _grouped(queryset, group, date_field, amount="amount"):
    """[(label, total)] of ``queryset`` grouped by a field, the month or the year."""
    if group in ("month", "year"):
        rows = defaultdict(lambda: ZERO)
        for item in queryset.annotate(m=TruncMonth(date_field)).order_by().values("m").annotate(t=Sum(amount)):
            month = _month(item["m"])
            rows[month.strftime("%Y-%m") if group == "month" else str(month.year)] += item["t"] or ZERO
        return sorted(rows.items())
    if group == "category":  # an item counts in its category; a category without items in itself
        merged = defaultdict(lambda: ZERO)
        for item in queryset.order_by().values("category_id", "category__parent_id").annotate(t=Sum(amount)):
            merged[item["category__parent_id"] or item["category_id"]] += item["t"] or ZERO
        values = [{"k": k, "t": t} for k, t in merged.items()]
    else:
        key = {"method": "method_id", "owner": "owner_id", "person": "owner_id", "branch": "branch_id",
               "department": "department_id", "item": "category_id"}[group]
        values = [{"k": v[key], "t": v["t"]} for v in queryset.order_by().values(key).annotate(
            t=Coalesce(Sum(amount), Value(ZERO), output_field=MONEY))]
    labels = _labels(group, [v["k"] for v in values if v["k"] is not None])
    return sorted(((labels.get(v["k"], "—"), v["t"]) for v in values), key=lambda r: -r[1])


def money_by(user, *, side, start, end, group):
    """Receipts (``in``) or payments (``out``) in [start, end) per method, person, branch, month or year."""
    model, date_field = SIDES[side]
    queryset = scoped(model.objects.filter(**{f"{date_field}__gte": start, f"{date_field}__lt": end}), user)
    return _grouped(queryset, group, date_field)


def expenses_by(user, *, start, end, group):
    """Approved expenses in [start, end) per category, item, month, person, department or branch."""
    queryset = scoped(Expense.objects.filter(status=ExpenseStatus.APPROVED, spent_on__gte=start, spent_on__lt=end),
                      user)
    return _grouped(queryset, group, "spent_on")


@dataclass
class ProfitRow:
    month: datetime.date
    revenue: Decimal = ZERO
    purchases: Decimal = ZERO
    expenses: Decimal = ZERO

    @property
    def profit(self):
        return self.revenue - self.purchases - self.expenses


@dataclass
class ProfitTable:
    branch: object
    months: list = field(default_factory=list)

    def total(self, name):
        return sum((getattr(row, name) for row in self.months), ZERO)

    @property
    def revenue(self):
        return self.total("revenue")

    @property
    def purchases(self):
        return self.total("purchases")

    @property
    def expenses(self):
        return self.total("expenses")

    @property
    def profit(self):
        return self.revenue - self.purchases - self.expenses


def _by_branch_month(queryset, date_field, amount="amount"):
    found = defaultdict(lambda: ZERO)
    for item in (queryset.annotate(m=TruncMonth(date_field)).order_by().values("branch_id", "m")
                 .annotate(t=Sum(amount))):
        found[(item["branch_id"], _month(item["m"]))] += item["t"] or ZERO
    return found


def profit(user, *, start, end):
    """Per branch (headquarters first) and month: revenue, purchases, expenses, operating
    profit; plus the whole company as the user sees it."""

    months = month_starts(start, end)
    revenue = _by_branch_month(scoped(Receipt.objects.filter(received_on__gte=start, received_on__lt=end), user),
                               "received_on")
    purchases = _by_branch_month(scoped(Payment.objects.filter(paid_on__gte=start, paid_on__lt=end), user),
                                 "paid_on")
    expenses = _by_branch_month(scoped(Expense.objects.filter(status=ExpenseStatus.APPROVED, spent_on__gte=start,
                                                              spent_on__lt=end), user), "spent_on")
    branch_ids = {key[0] for table in (revenue, purchases, expenses) for key in table}
    branches = list(Branch.objects.filter(pk__in=branch_ids).order_by("-is_headquarters", "name"))
    tables = []
    for branch in branches:
        tables.append(ProfitTable(branch=branch, months=[ProfitRow(
            month=m, revenue=revenue[(branch.pk, m)], purchases=purchases[(branch.pk, m)],
            expenses=expenses[(branch.pk, m)]) for m in months]))
    whole = ProfitTable(branch=None, months=[ProfitRow(
        month=m, revenue=sum((t.months[i].revenue for t in tables), ZERO),
        purchases=sum((t.months[i].purchases for t in tables), ZERO),
        expenses=sum((t.months[i].expenses for t in tables), ZERO)) for i, m in enumerate(months)])
    return tables, whole


def receivable_position(user, *, end):
    """Per branch: receivables dated before ``end``: amount, received, remaining (today)."""
    rows = (scoped(Receivable.objects.filter(issued_on__lt=end).exclude(status=ReceivableStatus.CANCELLED), user)
            .order_by().values("branch_id").annotate(
                total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY),
                settled=Coalesce(Sum("allocated"), Value(ZERO), output_field=MONEY),
                left=Coalesce(Sum(F("amount") - F("allocated")), Value(ZERO), output_field=MONEY)))
    names = dict(Branch.objects.values_list("pk", "name"))
    return sorted(({"branch": names.get(r["branch_id"], "—"), "amount": r["total"], "received": r["settled"],
                    "remaining": r["left"]} for r in rows), key=lambda r: r["branch"])
