"""Customer flows in a real browser (issue 3 acceptance)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.core.models import PickItem
from guanxi.customers.models import Customer
from guanxi.customers.services import contact_create, customer_create
from guanxi.org import demo as org_demo
from guanxi.org.demo import DEMO_PASSWORD
from guanxi.org.models import Role, User
from guanxi.testing.customer360 import rich_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    users = org_demo.build()
    role = Role.objects.get(code="salesperson")
    role.permissions = sorted(set(role.permissions) | {"customers.import"})
    role.save()
    return users


def test_duplicate_warning_while_typing(demo, page_for, live_server):
    """CUS-5: typing a similar name shows who already has it, as far as one may see."""
    customer_create(actor=demo["zhuwei"], name="北京华达电子有限公司")
    page = page_for("liuyang")
    page.goto(f"{live_server.url}/customers/new/")
    page.locator("#id_name").press_sequentially("华达电子", delay=40)
    warning = page.locator("#duplicate-warning")
    expect(warning).to_contain_text("北京华达电子有限公司")
    expect(warning).to_contain_text("北京分公司")
    expect(warning).not_to_contain_text("朱伟")
    page.locator("#id_name").fill("")
    page.locator("#id_name").press_sequentially("gzhd", delay=40)
    expect(warning).to_be_empty()
    page.locator("#id_name").fill("广州新客户有限公司")
    page.locator("#id_mobile").fill("138 0013 8000")
    page.click(".record-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("广州新客户有限公司")
    assert not page.js_errors, page.js_errors


def test_claim_from_the_pool(demo, page_for, live_server):
    """CUS-7: a salesperson claims a customer from the branch's public pool."""
    customer_create(actor=demo["wangjianguo"], name="公海客户甲", owner=None)
    page = page_for("liuyang")
    page.goto(f"{live_server.url}/customers/pool/")
    page.get_by_role("link", name="公海客户甲").click()
    page.locator("form[action$='/claim/'] button").click()
    expect(page.locator(".toast-success")).to_be_visible()
    assert Customer.objects.get(name="公海客户甲").owner.username == "liuyang"


def test_log_an_interaction_and_see_the_reminder(demo, page_for, live_server):
    """ACT-1/ACT-3: an interaction with a follow-up tomorrow shows under "contact tomorrow"."""
    customer = customer_create(actor=demo["liuyang"], name="跟进客户乙")
    page = page_for("liuyang")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.get_by_role("link", name="写跟进").click()
    page.select_option("#id_channel", "visit")
    page.fill("#id_summary", "上门拜访，客户要求明天回复报价")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.fill("#id_next_follow_up_on", tomorrow.isoformat())
    page.click(".record-form button[type=submit]")
    expect(page.locator("#section-interactions")).to_contain_text("上门拜访")
    page.goto(f"{live_server.url}/customers/reminders/")
    expect(page.locator("#reminders-tomorrow")).to_contain_text("跟进客户乙")


def test_import_with_bad_rows_and_download_the_error_report(demo, page_for, live_server, tmp_path):
    """Import: bad rows are reported with row numbers in a downloadable report."""
    data = tmp_path / "客户.csv"
    data.write_text("客户名称,手机,省份\n导入客户一,13800138000,广东\n,13800138001,广东\n导入客户二,12345,火星\n",
                    encoding="utf-8-sig")
    page = page_for("liuyang")
    page.goto(f"{live_server.url}/customers/")
    page.get_by_role("link", name="导入").click()
    page.set_input_files("input[type=file]", str(data))
    page.click("form[enctype] button[type=submit]")
    expect(page.locator("table.mapping")).to_be_visible()
    expect(page.locator(".row-error")).to_have_count(2)
    page.click("button[name=start]")
    expect(page.locator("#import-progress")).to_have_attribute("data-status", "done", timeout=20000)
    expect(page.locator("#created-count")).to_have_text("1")
    with page.expect_download() as download_info:
        page.click("#error-report")
    report = download_info.value.path().read_text(encoding="utf-8-sig")
    assert "\n3," in report and "\n4," in report and "12345" in report


def test_the_customer_at_the_centre(demo, page_for, live_server, artifacts):
    """CUS-6: one page holds every module's records of the customer, the timeline arrives
    on its own, and "new opportunity" starts from the customer with its contacts only;
    the global search finds the order by its serial, grouped by type. Screenshots of the
    page (desktop for the salesperson and the chairman, and a phone) for review."""
    rich = rich_customer(demo)
    other = customer_create(actor=demo["liuyang"], name="另一家客户有限公司")
    contact_create(actor=demo["liuyang"], customer=other, name="别家联系人")
    page = page_for("liuyang")
    page.goto(f"{live_server.url}/customers/{rich.customer.pk}/")
    expect(page.locator("#section-opportunities")).to_contain_text("华达打印机项目")
    expect(page.locator("#section-receivables .figure.alert")).to_be_visible()
    expect(page.locator("#section-tickets")).to_contain_text(rich.ticket.number)
    expect(page.locator("#timeline")).to_contain_text(rich.order.number)  # loaded after the page
    expect(page.locator("#section-opportunities")).not_to_contain_text("经理的秘密项目")
    page.screenshot(path=str(artifacts / "customer-page-after-salesperson.png"), full_page=True)

    page.locator("#section-opportunities").get_by_role("link", name="新建商机").click()
    expect(page.locator("#id_customer")).to_have_value(str(rich.customer.pk))
    contacts = page.locator("#id_contact option")
    expect(contacts).to_have_count(2)  # the blank choice and 王经理
    expect(page.locator("#id_contact")).to_contain_text("王经理")
    page.select_option("#id_customer", str(other.pk))
    expect(page.locator("#id_contact")).to_contain_text("别家联系人")
    expect(page.locator("#id_contact")).not_to_contain_text("王经理")

    serial = rich.order.number.rsplit("-", 1)[1]
    page.locator("#global-search").press_sequentially(serial, delay=30)
    group = page.locator('#global-search-results .search-group[data-group="sales.order"]')
    expect(group).to_contain_text(rich.order.number)
    expect(group.locator(".search-count")).to_have_text("1")
    assert not page.js_errors, page.js_errors

    chairman = page_for("chenzhiqiang")
    chairman.goto(f"{live_server.url}/customers/{rich.customer.pk}/")
    expect(chairman.locator("#section-opportunities")).to_contain_text("经理的秘密项目")
    expect(chairman.locator("#timeline .timeline li").first).to_be_visible()
    chairman.screenshot(path=str(artifacts / "customer-page-after-chairman.png"), full_page=True)
    phone = page_for("liuyang", width=390, height=844)
    phone.goto(f"{live_server.url}/customers/{rich.customer.pk}/")
    expect(phone.locator("#timeline .timeline li").first).to_be_visible()
    phone.screenshot(path=str(artifacts / "customer-page-after-phone.png"), full_page=True)


def test_first_import_by_an_administrator_without_a_branch(demo, page_for, live_server, tmp_path):
    """Issue 11.4: the first administrator (no branch) imports a list with an unknown
    industry: the mapping step asks what 餐饮 becomes and who owns the rows."""
    User.objects.create_user(username="founder", password=DEMO_PASSWORD, is_superuser=True)
    data = tmp_path / "客户名单.csv"
    data.write_text("客户名称,行业,手机\n广州天河餐饮管理有限公司,餐饮,13800138000\n"
                    "深圳福田餐饮连锁有限公司,餐饮,0755 8888 8888\n北京朝阳软件有限公司,信息技术,010-12345678\n",
                    encoding="utf-8-sig")
    page = page_for("founder")
    page.goto(f"{live_server.url}/imports/customers.customer/new/")
    page.set_input_files("input[type=file]", str(data))
    page.click("form[enctype] button[type=submit]")
    table = page.locator("table.unknown-values[data-field=industry]")
    expect(table).to_contain_text("餐饮")
    expect(table).to_contain_text("2")
    page.select_option("select[name=choice_industry_0]", "add")
    page.select_option("#default_owner", label=page.locator("#default_owner option").nth(2).inner_text())
    page.click("button[name=start]")
    expect(page.locator("#import-progress")).to_have_attribute("data-status", "done", timeout=20000)
    expect(page.locator("#created-count")).to_have_text("3")
    assert PickItem.objects.filter(list_key="customers.industry", name_zh="餐饮").count() == 1
    assert Customer.objects.filter(industry__name_zh="餐饮", owner__isnull=False).count() == 2
