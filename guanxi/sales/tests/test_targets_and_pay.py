"""SAL-8 targets, SAL-9 commissions and pay, SAL-6 delivery reminders."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from guanxi.core.models import Notification
from guanxi.core.periods import add_months, month_start
from guanxi.customers.services import customer_create
from guanxi.finance import commissions
from guanxi.finance import services as finance
from guanxi.sales.deliveries import deliveries_due, send_delivery_reminders
from guanxi.sales.models import (
    CommissionMethod,
    CommissionStatement,
    SalaryEntry,
    StatementStatus,
    Target,
    TargetLevel,
)
from guanxi.sales.targets import progress_for, targets_set_year, targets_visible_to
from guanxi.testing.sales import confirmed_order

TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州目标客户有限公司")


# --- targets (SAL-8) -------------------------------------------------------------------
def test_a_year_split_into_months_and_completion_from_orders_receipts_and_customers(seller, customer, demo_org):
    """SAL-8: yearly and monthly targets; completion from orders, receipts and new customers."""
    manager = demo_org["wangjianguo"]
    targets_set_year(actor=manager, level=TargetLevel.PERSON, subject=seller, year=YEAR, amount="120000",
                     new_customers=12, months=[(None, None)] * 12)
    months = Target.objects.filter(user=seller, year=YEAR).exclude(month=0).order_by("month")
    assert [t.amount for t in months] == [Decimal("10000.00")] * 12 and sum(t.new_customers for t in months) == 12
    confirmed_order(seller, customer, ((2, "15000.00"),), order_date=TODAY)
    finance.receipt_record(actor=demo_org["zhouhong"], customer=customer, amount="8000", allocate="oldest")
    yearly = targets_visible_to(manager).get(user=seller, year=YEAR, month=0)
    [progress] = progress_for(manager, [yearly], YEAR)
    assert progress.ordered == Decimal("30000.00") and progress.received == Decimal("8000.00")
    assert progress.new_customers == 1 and progress.amount_percent == 25.0
    this_month = targets_visible_to(manager).get(user=seller, year=YEAR, month=TODAY.month)
    [monthly] = progress_for(manager, [this_month], YEAR)
    assert monthly.ordered == Decimal("30000.00") and monthly.amount_percent == 300.0


def test_department_and_branch_targets_count_their_people(seller, customer, demo_org):
    """SAL-8: a department's target counts its people and the departments below it; a branch its records."""
    chairman = demo_org["chenzhiqiang"]
    key_account = demo_org["liyang"]  # 大客户组, below 销售部
    other = customer_create(actor=key_account, name="大客户组的客户")
    confirmed_order(seller, customer, ((1, "1000.00"),))
    confirmed_order(key_account, other, ((1, "500.00"),))
    confirmed_order(demo_org["zhuwei"], customer_create(actor=demo_org["zhuwei"], name="北京的客户"),
                    ((1, "70.00"),))
    sales_department = seller.department
    targets_set_year(actor=chairman, level=TargetLevel.DEPARTMENT, subject=sales_department, year=YEAR,
                     amount="10000")
    targets_set_year(actor=chairman, level=TargetLevel.BRANCH, subject=seller.branch, year=YEAR, amount="10000")
    rows = {p.target.level: p for p in progress_for(chairman, list(Target.objects.filter(year=YEAR)), YEAR)}
    assert rows["department"].ordered == Decimal("1500.00")
    assert rows["branch"].ordered == Decimal("1500.00")


def test_targets_outside_ones_scope_are_refused_and_nothing_changes(seller, demo_org):
    """SAL-8 + ORG-3: a department manager cannot set a Beijing person's target; a salesperson none."""
    with pytest.raises(NotFound):
        targets_set_year(actor=demo_org["wangjianguo"], level=TargetLevel.PERSON, subject=demo_org["zhuwei"],
                         year=YEAR, amount="1")
    with pytest.raises(Forbidden):
        targets_set_year(actor=seller, level=TargetLevel.PERSON, subject=seller, year=YEAR, amount="1")
    with pytest.raises(ValidationFailed):
        targets_set_year(actor=demo_org["wangjianguo"], level=TargetLevel.PERSON, subject=seller, year=YEAR,
                         amount="-5")
    with pytest.raises(ValidationFailed):
        targets_set_year(actor=demo_org["wangjianguo"], level=TargetLevel.PERSON, subject=seller, year=YEAR,
                         amount="100", months=[("abc", None)] + [(None, None)] * 11)
    assert not Target.objects.exists()


def test_target_visibility(seller, demo_org):
    """ORG-3: own target for the salesperson; department targets for the department tree's managers."""
    chairman = demo_org["chenzhiqiang"]
    targets_set_year(actor=chairman, level=TargetLevel.PERSON, subject=seller, year=YEAR, amount="1")
    targets_set_year(actor=chairman, level=TargetLevel.PERSON, subject=demo_org["zhuwei"], year=YEAR, amount="1")
    targets_set_year(actor=chairman, level=TargetLevel.DEPARTMENT, subject=seller.department, year=YEAR, amount="1")
    targets_set_year(actor=chairman, level=TargetLevel.BRANCH, subject=demo_org["zhuwei"].branch, year=YEAR,
                     amount="1")
    assert {t.subject_key for t in targets_visible_to(seller)} == {f"person:{seller.pk}"}
    assert {t.subject_key for t in targets_visible_to(demo_org["wangjianguo"])} == {
        f"person:{seller.pk}", f"department:{seller.department_id}"}
    assert {t.subject_key for t in targets_visible_to(demo_org["majun"])} == {
        f"person:{demo_org['zhuwei'].pk}", f"branch:{demo_org['zhuwei'].branch_id}"}
    assert targets_visible_to(chairman).count() == 4


def test_target_pages(seller, customer, demo_org, client_for):
    """SAL-8: the list shows progress bars; the form sets a year by month; out-of-scope subjects are not offered."""
    manager = client_for(demo_org["wangjianguo"])
    form = manager.get("/sales/targets/set/?level=person")
    assert form.status_code == 200 and seller.display_name in form.content.decode()
    assert demo_org["zhuwei"].display_name not in form.content.decode()
    post = {"level": "person", "subject_pick": seller.pk, "year": YEAR, "amount": "60000", "new_customers": "6",
            "monthly": "1", **{f"month_amount_{m}": "5000" for m in range(1, 13)}}
    response = manager.post("/sales/targets/set/", post)
    assert response.status_code == 302
    assert Target.objects.filter(user=seller, year=YEAR).count() == 13
    confirmed_order(seller, customer, ((1, "30000.00"),))
    page = manager.get(f"/sales/targets/?year={YEAR}").content.decode()
    assert '<progress class="bar' in page and "50.0%" in page
    own = client_for(seller).get(f"/sales/targets/?year={YEAR}")
    assert own.status_code == 200 and "50.0%" in own.content.decode()
    assert client_for(seller).get("/sales/targets/set/").status_code == 403
    yearly = Target.objects.get(user=seller, year=YEAR, month=0)
    assert client_for(demo_org["zhuwei"]).get(f"/sales/targets/{yearly.pk}/").status_code == 404
    detail = manager.get(f"/sales/targets/{yearly.pk}/").content.decode()
    assert detail.count('<progress class="bar') >= 13


# --- commissions (SAL-9) ---------------------------------------------------------------
TIERS = [(Decimal("0"), Decimal("2")), (Decimal("100000"), Decimal("3")), (Decimal("300000"), Decimal("5"))]


def test_commission_tiers_progressive_and_step():
    """SAL-9: progressive bands and the step method, to the fen."""
    assert commissions.commission_for(Decimal("50000"), TIERS, CommissionMethod.PROGRESSIVE) == Decimal("1000.00")
    assert commissions.commission_for(Decimal("150000"), TIERS, CommissionMethod.PROGRESSIVE) == Decimal("3500.00")
    assert commissions.commission_for(Decimal("400000"), TIERS, CommissionMethod.PROGRESSIVE) == Decimal("13000.00")
    assert commissions.commission_for(Decimal("150000"), TIERS, CommissionMethod.STEP) == Decimal("4500.00")
    assert commissions.commission_for(Decimal("0"), TIERS, CommissionMethod.STEP) == Decimal("0")


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10_000_000, places=2), st.decimals(min_value=0, max_value=10_000_000,
                                                                               places=2))
def test_progressive_commission_never_falls_as_sales_rise(a, b):
    """SAL-9: more sales never earn less, and never more than the top rate allows."""
    low, high = sorted((a, b))
    lower = commissions.commission_for(low, TIERS, CommissionMethod.PROGRESSIVE)
    higher = commissions.commission_for(high, TIERS, CommissionMethod.PROGRESSIVE)
    assert lower <= higher <= (high * Decimal("0.05")).quantize(Decimal("0.01")) + Decimal("0.01")


def test_statements_from_receipts_with_salary_and_confirmation(seller, customer, demo_org):
    """SAL-9: a month's statement: received basis × rule, salary from finance; confirmed ones never change."""
    finance_head = demo_org["zhouhong"]
    commissions.commission_rule_save(actor=finance_head, name="标准提成", tiers=TIERS)
    month = month_start(TODAY)
    finance.receipt_record(actor=finance_head, customer=customer, amount="150000", allocate=None)
    commissions.salary_set(actor=finance_head, user=seller, month=month, base_salary="6000", allowance="500",
                           deductions="300")
    made = commissions.statements_generate(actor=finance_head, month=month)
    statement = CommissionStatement.objects.get(user=seller, month=month)
    assert statement in made and statement.basis_amount == Decimal("150000.00")
    assert statement.commission == Decimal("3500.00") and statement.total_pay == Decimal("9700.00")
    again = commissions.statements_generate(actor=finance_head, month=month)
    assert CommissionStatement.objects.filter(user=seller).count() == 1 and len(again) == len(made)
    commissions.statement_confirm(actor=finance_head, statement=statement)
    finance.receipt_record(actor=finance_head, customer=customer, amount="100000", allocate=None)
    commissions.statements_generate(actor=finance_head, month=month)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CONFIRMED and statement.commission == Decimal("3500.00")
    with pytest.raises(Conflict):
        commissions.statement_confirm(actor=finance_head, statement=statement)


def test_reversed_receipts_lower_the_basis(seller, customer, demo_org):
    """SAL-9: a reversal in the month takes its receipt out of the basis."""
    finance_head = demo_org["zhouhong"]
    commissions.commission_rule_save(actor=finance_head, name="标准", tiers=[("0", "10")])
    receipt = finance.receipt_record(actor=finance_head, customer=customer, amount="1000", allocate=None)
    finance.receipt_reverse(actor=finance_head, receipt=receipt, reason="退票")
    assert commissions.basis_of(seller, TODAY, "received") == Decimal("0")


def test_a_branch_rule_beats_the_company_rule_and_finance_is_scoped(seller, customer, demo_org):
    """SAL-9: branch rules first; Beijing's finance cannot compute Guangzhou's statements."""
    chairman = demo_org["chenzhiqiang"]
    commissions.commission_rule_save(actor=chairman, name="公司", tiers=[("0", "1")])
    commissions.commission_rule_save(actor=chairman, name="广州", tiers=[("0", "4")], branch=seller.branch)
    assert commissions.rule_for(seller.branch_id).name == "广州"
    assert commissions.rule_for(demo_org["zhuwei"].branch_id).name == "公司"
    made = commissions.statements_generate(actor=demo_org["gaoyan"], month=TODAY)
    assert made and {s.branch_id for s in made} == {demo_org["gaoyan"].branch_id}
    with pytest.raises(NotFound):
        commissions.salary_set(actor=demo_org["gaoyan"], user=seller, month=TODAY, base_salary="1")
    assert not SalaryEntry.objects.exists()
    with pytest.raises(Forbidden):
        commissions.statements_generate(actor=seller, month=TODAY)
    with pytest.raises(ValidationFailed):
        commissions.commission_rule_save(actor=chairman, name="坏", tiers=[("0", "150")])


def test_my_pay_shows_only_ones_own(seller, customer, demo_org, client_for):
    """SAL-9: a salesperson sees their salary, commission and expenses; not a colleague's."""
    finance_head = demo_org["zhouhong"]
    commissions.commission_rule_save(actor=finance_head, name="标准", tiers=[("0", "2")])
    last_month = add_months(month_start(TODAY), -1)
    commissions.salary_set(actor=finance_head, user=seller, month=last_month, base_salary="6123.45")
    commissions.salary_set(actor=finance_head, user=demo_org["liyang"], month=last_month, base_salary="7777.77")
    commissions.statements_generate(actor=finance_head, month=last_month)
    page = client_for(seller).get("/finance/my-pay/").content.decode().replace(",", "")
    assert "6123.45" in page and "7777.77" not in page
    colleague = CommissionStatement.objects.get(user=demo_org["liyang"])
    assert client_for(seller).get(f"/finance/pay/statements/{colleague.pk}/").status_code == 404
    assert client_for(demo_org["wangjianguo"]).get(f"/finance/pay/statements/{colleague.pk}/").status_code == 404
    assert client_for(finance_head).get(f"/finance/pay/statements/{colleague.pk}/").status_code == 200
    assert client_for(seller).get("/finance/pay/statements/").status_code == 403


def test_salary_sheet_and_rule_screens(seller, demo_org, client_for):
    """SAL-9: finance fills the month's sheet; rules are edited with tiers; bad input changes nothing."""
    client = client_for(demo_org["zhouhong"])
    month = add_months(month_start(TODAY), -1)
    sheet = client.get(f"/finance/pay/salaries/?month={month:%Y-%m}")
    assert sheet.status_code == 200 and seller.display_name in sheet.content.decode()
    bad = client.post("/finance/pay/salaries/", {"month": f"{month:%Y-%m}", f"base_salary_{seller.pk}": "-1",
                                                        f"bonus_{demo_org['liyang'].pk}": "100"})
    assert bad.status_code == 200 and not SalaryEntry.objects.exists()
    good = client.post("/finance/pay/salaries/", {"month": f"{month:%Y-%m}", f"base_salary_{seller.pk}": "5000"})
    assert good.status_code == 302 and SalaryEntry.objects.get(user=seller).base_salary == Decimal("5000.00")
    rule = client.post("/finance/pay/rules/new/", {"name": "阶梯", "basis": "received", "method": "step",
                                                           "is_active": "on", "threshold_1": "0", "rate_1": "1",
                                                           "threshold_2": "50000", "rate_2": "2"})
    assert rule.status_code == 302
    generated = client.post("/finance/pay/statements/generate/", {"month": f"{month:%Y-%m}"})
    assert generated.status_code == 302
    listing = client.get(f"/finance/pay/statements/?month={month:%Y-%m}").content.decode().replace(",", "")
    assert seller.display_name in listing and "5000.00" in listing


# --- deliveries (SAL-6) ----------------------------------------------------------------
def test_delivery_reminders_once_per_state(seller, customer, demo_org, client_for):
    """SAL-6: owners hear of orders due soon and overdue, once each; shipped orders drop out."""
    soon = confirmed_order(seller, customer, delivery_date=TODAY + datetime.timedelta(days=2))
    late = confirmed_order(seller, customer, delivery_date=TODAY - datetime.timedelta(days=1))
    confirmed_order(seller, customer, delivery_date=TODAY + datetime.timedelta(days=20))
    overdue, due = deliveries_due(seller)
    assert list(overdue) == [late] and list(due) == [soon]
    assert send_delivery_reminders() == 2
    assert send_delivery_reminders() == 0
    assert Notification.objects.filter(recipient=seller, kind="sales.delivery").count() == 2
    assert send_delivery_reminders(today=TODAY + datetime.timedelta(days=3)) == 1  # soon is now overdue
    page = client_for(seller).get("/sales/deliveries/").content.decode()
    assert soon.number in page and late.number in page
    assert late.number not in client_for(demo_org["zhuwei"]).get("/sales/deliveries/").content.decode()
