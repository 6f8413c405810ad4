"""The home dashboard (ANA-10, ANA-11) in a real browser: the chairman sees figures and
drills from one branch's overdue receivables to exactly those receivables; a salesperson's
home lists his overdue follow-ups; a screenshot of each role's home."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from guanxi.core.periods import add_months, month_start
from guanxi.customers.models import Customer
from guanxi.finance.models import Receivable
from guanxi.org import demo
from guanxi.sales.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {"chairman": "chenzhiqiang", "branch-head": "majun", "sales-manager": "wangjianguo",
         "salesperson": "liuyang", "finance": "zhouhong", "service": "xuting"}


@pytest.fixture
def company(transactional_db):
    """Orders this month and last, overdue receivables in Beijing and Guangzhou, follow-ups."""

    users = demo.build()
    today = timezone.localdate()
    receivables = {}
    for name, amounts in (("liuyang", (1200, 800)), ("zhuwei", (3000, 450)), ("hanlei", (900,))):
        seller = users[name]
        customer = Customer.objects.create(name=f"看板客户{name}", owner=seller, branch=seller.branch)
        for index, amount in enumerate(amounts):
            for day in (today, add_months(month_start(today), -1)):
                Order.objects.create(number=f"DB-{name}-{index}-{day:%m}", customer=customer, owner=seller,
                                     branch=seller.branch, status="confirmed", order_date=day,
                                     total=Decimal(amount), subtotal=Decimal(amount))
            receivables.setdefault(name, []).append(Receivable.objects.create(
                number=f"AR-{name}-{index}", customer=customer, owner=seller, branch=seller.branch,
                amount=Decimal(amount), issued_on=today - datetime.timedelta(days=60),
                due_on=today - datetime.timedelta(days=10 + index), created_by=seller))
        Receivable.objects.create(number=f"AR-{name}-later", customer=customer, owner=seller, branch=seller.branch,
                                  amount=Decimal(99), due_on=today + datetime.timedelta(days=20), created_by=seller)
    Customer.objects.create(name="刘洋的逾期跟进客户", owner=users["liuyang"], branch=users["liuyang"].branch,
                            next_follow_up_on=today - datetime.timedelta(days=3))
    Customer.objects.create(name="朱伟的逾期跟进客户", owner=users["zhuwei"], branch=users["zhuwei"].branch,
                            next_follow_up_on=today - datetime.timedelta(days=3))
    return users, receivables


def test_chairman_drills_from_a_branch_overdue_to_the_list(company, page_for, live_server, artifacts):
    """ANA-10: figures on the home page; Beijing's overdue receivables open the list of exactly those."""
    users, receivables = company
    page = page_for("chenzhiqiang")
    sales = page.locator('section[data-widget="m:sales"]')
    expect(sales.locator(".figure")).to_contain_text("6,350.00")
    expect(sales).to_contain_text("%")  # against last month
    overdue = page.locator('section[data-widget="m:overdue"]')
    beijing = users["zhuwei"].branch
    link = overdue.locator(f'a[data-key="{beijing.pk}"]')
    expect(link).to_contain_text("3,450.00")
    expect(page.locator('section[data-widget="trend:sales"] svg')).to_be_visible()
    page.screenshot(path=str(artifacts / "home-chairman.png"), full_page=True)
    link.click()
    page.wait_for_url("**/finance/receivables/**")
    main = page.locator("#main")
    for receivable in receivables["zhuwei"]:
        expect(main).to_contain_text(receivable.number)
    for other in ("AR-liuyang-0", "AR-hanlei-0", "AR-zhuwei-later"):
        expect(main).not_to_contain_text(other)
    assert not page.js_errors


def test_salesperson_home_shows_his_overdue_follow_ups(company, page_for, artifacts):
    """ANA-11: the salesperson's home lists his customers whose follow-up is overdue, not a colleague's."""
    page = page_for("liuyang")
    follow_ups = page.locator('section[data-widget="follow_ups"]')
    expect(follow_ups).to_contain_text("刘洋的逾期跟进客户")
    expect(follow_ups).not_to_contain_text("朱伟的逾期跟进客户")
    expect(follow_ups.locator(".widget-foot")).to_be_visible()  # "as of" and the refresh button
    follow_ups.locator("button.link").click()
    expect(follow_ups).to_contain_text("刘洋的逾期跟进客户")
    page.screenshot(path=str(artifacts / "home-salesperson.png"), full_page=True)
    assert not page.js_errors


def test_each_roles_home_and_the_phone_layout(company, page_for, artifacts):
    """ANA-11: every role's home loads all its widgets; on a phone they stack in one column."""
    for role, username in ROLES.items():
        page = page_for(username)
        expect(page.locator("section.widget").first).to_be_visible()
        expect(page.locator("section.widget .widget-foot")).to_have_count(page.locator("section.widget").count())
        page.screenshot(path=str(artifacts / f"home-{role}.png"), full_page=True)
        assert not page.js_errors, (role, page.js_errors)
    phone = page_for("liuyang", width=390, height=844)
    expect(phone.locator("section.widget .widget-foot").first).to_be_visible()
    boxes = [phone.locator("section.widget").nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["x"] == boxes[1]["x"]  # one column
    with translation.override("zh-hans"):
        arrange = translation.gettext("Arrange widgets")  # the catalogue's words, not a guess
    phone.get_by_role("link", name="Arrange widgets").or_(phone.get_by_role("link", name=arrange)).first.click()
    phone.locator('li[data-widget="follow_ups"] button[value="up"]').click()
    expect(phone.locator("ol.layout-list li").first).to_have_attribute("data-widget", "follow_ups")
