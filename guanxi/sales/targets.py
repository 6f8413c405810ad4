"""Targets (SAL-8): yearly and monthly order-amount and new-customer targets for
branches, departments and people, and how far each has got.

Completion counts confirmed orders by order date, money received by the date received
(net of reversals) and customers by the day they were entered, for the target's
people: a person; everyone in a department or the departments below it; a branch's
records. Figures are read through the viewer's scope like every report.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.core.money import clean_amount
from guanxi.core.permissions import ensure
from guanxi.core.services import service, validated_save
from guanxi.customers.models import Customer
from guanxi.org.models import User
from guanxi.org.scopes import can_see, scoped

from .models import ZERO, Order, OrderStatus, Target, TargetLevel

COUNTED_ORDERS = [OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.COMPLETED]


def subject_key(level, subject):
    return f"{level}:{subject.pk}"


def _subject_fields(level, subject):
    if level == TargetLevel.BRANCH:
        return {"branch": subject, "department": None, "user": None}
    if level == TargetLevel.DEPARTMENT:
        return {"branch_id": subject.branch_id, "department": subject, "user": None}
    if level == TargetLevel.PERSON:
        if not subject.branch_id:
            raise ValidationFailed(_("This person belongs to no branch."), field="subject")
        return {"branch_id": subject.branch_id, "department_id": subject.department_id, "user": subject}
    raise ValidationFailed(_("Choose branch, department or person."), field="level")


def _clean(amount, new_customers):
    amount = clean_amount(amount if amount not in (None, "") else "0", allow_zero=True)
    try:
        customers = int(new_customers or 0)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number of customers."), field="new_customers")
    if customers < 0 or customers > 1_000_000:
        raise ValidationFailed(_("Enter a whole number of customers."), field="new_customers")
    return amount, customers


def _put(actor, level, subject, year, month, amount, new_customers):
    key = subject_key(level, subject)
    target = Target.objects.select_for_update().filter(subject_key=key, year=year, month=month).first()
    if target is None:
        target = Target(subject_key=key, year=year, month=month, level=level, set_by=actor,
                        **_subject_fields(level, subject))
    target.amount, target.new_customers, target.set_by = amount, new_customers, actor
    try:
        with transaction.atomic():
            validated_save(target)
    except IntegrityError:
        raise Conflict(_("Someone set this target at the same moment; reload and try again."))
    if not can_see(actor, target):
        raise NotFound()  # outside the actor's scope: the whole service rolls back
    return target


@service
def targets_set_year(*, actor, level, subject, year, amount, new_customers=0, months=None):
    """Set a subject's target for a year and, optionally, per month (``months``: twelve
    (amount, new customers) pairs; empty pairs split the year evenly)."""
    ensure(actor, "sales.targets")
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed(_("Choose a year between 2000 and 2100."), field="year")
    amount, new_customers = _clean(amount, new_customers)
    yearly = _put(actor, level, subject, year, 0, amount, new_customers)
    if months is not None:
        if len(months) != 12:
            raise ValidationFailed(_("Give twelve months."), field="months")
        errors = []
        for index, (month_amount, month_customers) in enumerate(months, start=1):
            if month_amount in (None, "") and month_customers in (None, ""):
                month_amount = (amount / 12).quantize(Decimal("0.01"))
                month_customers = new_customers // 12 + (1 if index <= new_customers % 12 else 0)
            try:
                _put(actor, level, subject, year, index, *_clean(month_amount, month_customers))
            except ValidationFailed as exc:
                errors += [{"field": f"months.{index}.{e['field']}", "message": e["message"]} for e in exc.errors]
        if errors:
            raise ValidationFailed(errors=errors)
    return yearly


def targets_visible_to(user):
    return scoped(Target.objects.select_related("branch", "department", "user"), user)


@dataclass
class Progress:
    target: Target
    ordered: Decimal = ZERO
    received: Decimal = ZERO
    new_customers: int = 0

    @staticmethod
    def _percent(done, goal):
        return round(float(done) / float(goal) * 100, 1) if goal else None

    @property
    def amount_percent(self):
        return self._percent(self.ordered, self.target.amount)

    @property
    def received_percent(self):
        return self._percent(self.received, self.target.amount)

    @property
    def customers_percent(self):
        return self._percent(self.new_customers, self.target.new_customers)


def _month(value):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.month


def _monthly(queryset, key, date_field, aggregate):
    found = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in (queryset.annotate(m=TruncMonth(date_field)).order_by().values(key, "m")
                .annotate(v=aggregate)):
        found[row[key]][_month(row["m"])] += row["v"] or 0
    return found


# Money received is kept by finance, which sits above sales: it tells us where to read it
# (``register_received_source`` in FinanceConfig.ready) rather than sales importing it.
_received_source = None


def register_received_source(queryset, date_field, amount_field):
    """``queryset(user, start, end)``: the scoped movements of money received in [start, end)
    with ``owner_id`` and ``branch_id``; ``date_field`` dates them, ``amount_field`` sums."""
    global _received_source
    _received_source = (queryset, date_field, amount_field)


def _received_monthly(source, user, start, end, key):
    if source is None:  # finance not installed: nothing received
        return defaultdict(lambda: defaultdict(lambda: ZERO))
    queryset, date_field, amount_field = source
    return _monthly(queryset(user, start, end), key, date_field, Sum(amount_field))


def progress_for(user, targets, year):
    """Completion of ``targets`` (all of one year) as the user may see it: six grouped
    queries whatever the number of targets."""
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    start_at = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    end_at = timezone.make_aware(datetime.datetime.combine(end, datetime.time.min))
    orders = scoped(Order.objects.filter(status__in=COUNTED_ORDERS, order_date__gte=start, order_date__lt=end), user)
    received = _received_source
    customers = scoped(Customer.objects.filter(created_at__gte=start_at, created_at__lt=end_at,
                                               owner__isnull=False), user, extra=False)
    by = {
        ("ordered", "owner"): _monthly(orders, "owner_id", "order_date", Sum("total")),
        ("ordered", "branch"): _monthly(orders, "branch_id", "order_date", Sum("total")),
        ("received", "owner"): _received_monthly(received, user, start, end, "owner_id"),
        ("received", "branch"): _received_monthly(received, user, start, end, "branch_id"),
        ("customers", "owner"): _monthly(customers, "owner_id", "created_at", Count("pk")),
        ("customers", "branch"): _monthly(customers, "branch_id", "created_at", Count("pk")),
    }
    department_paths = {t.department.path for t in targets if t.department_id and t.level == TargetLevel.DEPARTMENT}
    members = defaultdict(set)
    if department_paths:
        for pk, path in User.objects.filter(department__isnull=False).values_list("pk", "department__path"):
            for root in department_paths:
                if path.startswith(root):
                    members[root].add(pk)
    result = []
    for target in targets:
        months = [target.month] if target.month else list(range(1, 13))
        if target.level == TargetLevel.BRANCH:
            side, keys = "branch", [target.branch_id]
        elif target.level == TargetLevel.DEPARTMENT:
            side, keys = "owner", members.get(target.department.path, set())
        else:
            side, keys = "owner", [target.user_id]

        def total(metric, side=side, keys=keys, months=months):
            table = by[(metric, side)]
            return sum((table[k][m] for k in keys for m in months if k in table), ZERO)

        result.append(Progress(target=target, ordered=total("ordered"), received=total("received"),
                               new_customers=int(total("customers"))))
    return result
