"""Demo targets, commission rules, salaries and statements: built after the demo money
(finance), because commissions are computed on the money received."""

import random
from decimal import Decimal

from django.utils import timezone

from guanxi.core.periods import add_months, month_start
from guanxi.org.models import Branch, Department, User
from guanxi.sales.models import CommissionStatement, Target, TargetLevel
from guanxi.sales.targets import targets_set_year

from . import commissions


def build(stdout=None, seed=20261201):
    if Target.objects.exists():
        return
    rng = random.Random(seed)
    chairman = User.objects.get(username="chenzhiqiang")
    _targets_and_pay(rng, commissions.salespeople(), chairman)
    if stdout is not None:
        stdout.write(f"Demo targets and pay: {Target.objects.count()} targets, "
                     f"{CommissionStatement.objects.count()} commission statements.")


def _targets_and_pay(rng, sellers, chairman):
    """This year's targets (company → branch → department → person, by month), a
    commission rule per company and one for Shanghai, salaries and statements for the
    last three months."""


    year = timezone.localdate().year
    months = [(None, None)] * 12
    for branch in Branch.objects.all():
        targets_set_year(actor=chairman, level=TargetLevel.BRANCH, subject=branch, year=year,
                         amount=Decimal(rng.randrange(30, 80)) * 100000, new_customers=rng.randrange(60, 200),
                         months=months)
    for department in Department.objects.filter(kind="sales"):
        targets_set_year(actor=chairman, level=TargetLevel.DEPARTMENT, subject=department, year=year,
                         amount=Decimal(rng.randrange(10, 40)) * 100000, new_customers=rng.randrange(30, 90),
                         months=months)
    for seller in sellers:
        targets_set_year(actor=chairman, level=TargetLevel.PERSON, subject=seller, year=year,
                         amount=Decimal(rng.randrange(8, 30)) * 100000, new_customers=rng.randrange(10, 40),
                         months=months)
    commissions.commission_rule_save(actor=chairman, name="公司标准提成", tiers=[
        ("0", "2"), ("100000", "3"), ("300000", "4")])
    shanghai = Branch.objects.filter(code="sh").first()
    if shanghai is not None:
        commissions.commission_rule_save(actor=chairman, name="上海阶梯提成", branch=shanghai, method="step",
                                         tiers=[("0", "1.5"), ("200000", "3")])
    this_month = month_start(timezone.localdate())
    for back in (3, 2, 1):
        month = add_months(this_month, -back)
        for seller in sellers:
            commissions.salary_set(actor=chairman, user=seller, month=month,
                                   base_salary=Decimal(rng.choice([4500, 5000, 6000, 7500])),
                                   allowance=Decimal(rng.choice([300, 500, 800])),
                                   bonus=Decimal(rng.choice([0, 0, 500, 1000])), deductions=Decimal("0"))
        for statement in commissions.statements_generate(actor=chairman, month=month):
            if back > 1:
                commissions.statement_confirm(actor=chairman, statement=statement)
