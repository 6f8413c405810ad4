"""Daily work in a real browser (issue "Daily work" acceptance): a directive arrives
without a reload, is acknowledged and tracked; a manager's assignment lands in the
employee's day."""

import pytest
from playwright.sync_api import expect

from guanxi.org import demo as org_demo
from guanxi.workplace.models import Directive, DirectiveReceipt, PlanStatus, WorkPlanItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "关于第四季度客户回访专项行动的通知"


@pytest.fixture
def demo(transactional_db):
    return org_demo.build()


def test_a_directive_arrives_is_acknowledged_and_tracked(demo, page_for, live_server, artifacts):
    """WRK-2 + notifications: the chairman issues a directive to the Guangzhou sales
    department; the salesperson's open page shows it arrive without reloading; he
    acknowledges; the chairman sees who has not acknowledged yet."""
    seller = page_for("liuyang")
    seller.goto(f"{live_server.url}/work/day/")
    seller.evaluate("window.__sameDocument = true")
    expect(seller.locator("#bell")).to_be_visible()
    expect(seller.locator("#bell .count")).to_have_count(0)

    # When the chairman issues it from the form, with the small editor,
    chairman = page_for("chenzhiqiang")
    chairman.goto(f"{live_server.url}/work/directives/new/")
    chairman.fill("#id_title", TITLE)
    editor = chairman.locator(".rich-editor")
    editor.click()
    editor.type("请各位本周内完成 A 类客户回访，并在日计划中记录。")
    chairman.select_option("#id_departments", label="广州总部 / 销售部")
    chairman.click("#directive-form button[type=submit]")
    expect(chairman.locator(".toast-success")).to_contain_text("5")
    expect(chairman.locator("h1")).to_contain_text(TITLE)
    directive = Directive.objects.get()
    assert "A 类客户回访" in directive.body

    # then the salesperson's page shows it within seconds, in the same document.
    expect(seller.locator("#bell .count")).to_have_text("1", timeout=15000)
    expect(seller.locator("#toasts")).to_contain_text(TITLE, timeout=5000)
    assert seller.evaluate("window.__sameDocument") is True
    seller.screenshot(path=str(artifacts / "workplace-directive-arrived.png"))

    # He opens it from the bell and acknowledges it.
    seller.click("#bell")
    seller.get_by_role("link", name=TITLE).first.click()
    expect(seller.locator("h1")).to_contain_text(TITLE)
    seller.click("#acknowledge-form button")
    expect(seller.locator(".toast-success")).to_be_visible()
    expect(seller.locator("#my-ack")).to_be_visible()
    receipt = DirectiveReceipt.objects.get(directive=directive, user=demo["liuyang"])
    assert receipt.acknowledged_at is not None and receipt.read_at is not None
    expect(seller.locator("#bell .count")).to_have_count(0, timeout=15000)

    # The chairman sees who has not acknowledged yet.
    chairman.goto(f"{live_server.url}{directive.get_absolute_url()}")
    tracking = chairman.locator("#tracking")
    expect(tracking.locator("#pending-count")).to_have_text("4")
    expect(tracking.locator("#acknowledged-count")).to_have_text("1")
    for username in ("wangjianguo", "zhangmin", "liyang", "huangli"):
        expect(tracking.locator(f"tr[data-user='{username}']")).to_be_visible()
    expect(tracking.locator("tr[data-user='liuyang']")).to_have_count(0)
    chairman.screenshot(path=str(artifacts / "workplace-directive-tracking.png"), full_page=True)
    assert not seller.js_errors and not chairman.js_errors, (seller.js_errors, chairman.js_errors)


def test_a_manager_assigns_an_item_that_appears_in_the_employees_day(demo, page_for, live_server, artifacts):
    """WRK-1: wangjianguo assigns a plan item to liuyang; it is on liuyang's day, marked as
    assigned by him, and liuyang records it done."""
    manager = page_for("wangjianguo")
    manager.goto(f"{live_server.url}/work/plans/team/")
    manager.select_option("#id_owner", label="刘洋")
    manager.fill("#id_title", "跟进华达电子的年度合同")
    manager.click("#assign-form button[type=submit]")
    expect(manager.locator(".toast-success")).to_contain_text("刘洋")
    expect(manager.locator("tr[data-person='liuyang']")).to_contain_text("跟进华达电子的年度合同")

    seller = page_for("liuyang")
    seller.goto(f"{live_server.url}/work/day/")
    item = seller.locator(".plan-item", has_text="跟进华达电子的年度合同")
    expect(item).to_be_visible()
    expect(item.locator(".badge.assigned")).to_contain_text("王建国")
    expect(seller.locator("#bell .count")).to_have_text("1", timeout=15000)
    item.locator("button[name=status][value=done]").click()
    expect(seller.locator(".plan-item.status-done", has_text="跟进华达电子的年度合同")).to_be_visible()
    expect(seller.locator("#plan-done")).to_have_text("1")  # the figures follow without a reload
    assert WorkPlanItem.objects.get().status == PlanStatus.DONE
    seller.screenshot(path=str(artifacts / "workplace-my-day.png"), full_page=True)
    assert not seller.js_errors and not manager.js_errors, (seller.js_errors, manager.js_errors)
