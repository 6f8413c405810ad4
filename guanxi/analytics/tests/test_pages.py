"""ORG-5 for the new screens: every report, target, pay, delivery and finance page renders
for the people who may open it, refuses the others, and carries no inline script."""

import re
from decimal import Decimal

import pytest

from guanxi.customers.services import customer_create
from guanxi.finance import commissions
from guanxi.finance import services as finance
from guanxi.finance.models import Receipt, Receivable
from guanxi.sales.models import CommissionStatement, Target, TargetLevel
from guanxi.sales.targets import targets_set_year
from guanxi.testing.pages import assert_pages_render_or_refuse
from guanxi.testing.sales import confirmed_order, opportunity_through

PAGES = ["/analytics/funnel/", "/analytics/funnel/?group=branch&period=last_12_months", "/analytics/forecast/",
         "/analytics/performance/?group=department", "/sales/targets/", "/sales/targets/set/?level=department",
         "/sales/deliveries/", "/finance/my-pay/", "/finance/pay/rules/", "/finance/pay/rules/new/",
         "/finance/pay/salaries/", "/finance/pay/statements/", "/finance/receivables/",
         "/finance/receipts/", "/finance/receipts/new/", "/finance/receipts/new/?q=客户",
         "/finance/receivables/?overdue=1", "/finance/ageing/", "/finance/ageing/?group=owner&as_of=2026-01-31",
         "/finance/ageing/?group=branch", "/finance/analysis/", "{target}", "{statement}", "{receipt}", "{receivable}",
         "{receipt_form}"]


@pytest.fixture
def world(demo_org):
    seller, head = demo_org["liuyang"], demo_org["zhouhong"]
    customer = customer_create(actor=seller, name="页面客户<script>alert(1)</script>")
    opportunity_through(seller, customer, [1, 4], amount=Decimal("50000"))
    confirmed_order(seller, customer, ((1, "2000.00"),))
    finance.receipt_record(actor=head, customer=customer, amount="500")
    targets_set_year(actor=demo_org["chenzhiqiang"], level=TargetLevel.PERSON, subject=seller, year=2026,
                     amount="100000", months=[(None, None)] * 12)
    commissions.commission_rule_save(actor=head, name="标准", tiers=[("0", "2")])
    commissions.statements_generate(actor=head, month=Receipt.objects.get().received_on)
    return {"target": f"/sales/targets/{Target.objects.get(month=0).pk}/",
            "statement": f"/finance/pay/statements/{CommissionStatement.objects.get(user=seller).pk}/",
            "receipt": f"/finance/receipts/{Receipt.objects.get().pk}/",
            "receivable": f"/finance/receivables/{Receivable.objects.get().pk}/",
            "receipt_form": f"/finance/receipts/new/?customer={customer.pk}"}


@pytest.mark.parametrize("username", ["chenzhiqiang", "zhouhong", "majun", "wangjianguo", "liuyang", "gaoyan"])
def test_new_pages_render_or_refuse(world, demo_org, client_for, username):
    assert_pages_render_or_refuse(client_for(demo_org[username]), PAGES, world, username)


def test_who_opens_what(world, demo_org, client_for):
    """ORG-4: salespeople see reports of their own only where allowed; finance the money pages."""
    seller, head, beijing = (client_for(demo_org[u]) for u in ("liuyang", "zhouhong", "gaoyan"))
    assert seller.get("/analytics/funnel/").status_code == 403
    own_receipts = seller.get("/finance/receipts/")  # their own customers' money only
    assert own_receipts.status_code == 200 and Receipt.objects.get().number in own_receipts.content.decode()
    assert not re.search(r'href="/finance/receipts/\d+/"', beijing.get("/finance/receipts/").content.decode())
    assert seller.get(world["statement"]).status_code == 200  # their own
    assert head.get(world["receipt"]).status_code == 200
    assert beijing.get(world["receipt"]).status_code == 404  # another branch's money
    assert beijing.get(world["statement"]).status_code == 404
    assert seller.get("/finance/pay/salaries/").status_code == 403
