"""Issue 11.8 in a real browser: the chairman narrows the pipeline board and still drags."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from guanxi.customers.services import customer_create
from guanxi.org import demo as org_demo
from guanxi.sales import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return org_demo.build()


def test_filter_the_board_then_drag_a_card(demo, page_for, live_server, artifacts):
    """Issue 11.8: choosing an owner narrows the board at once, the filter stays in the
    URL, and a card dragged on the narrowed board moves."""
    made = {}
    for username, name in (("liuyang", "刘洋的看板项目"), ("zhuwei", "朱伟的看板项目")):
        customer = customer_create(actor=demo[username], name=f"{name}客户有限公司")
        made[username] = services.opportunity_create(actor=demo[username], customer=customer, name=name,
                                                     amount=Decimal("80000"))
    page = page_for("chenzhiqiang", width=1600)
    page.goto(f"{live_server.url}/sales/opportunities/")
    expect(page.locator("#board")).to_contain_text("朱伟的看板项目")
    page.select_option("select[name=owner]", str(demo["liuyang"].pk))
    page.wait_for_url(f"**owner={demo['liuyang'].pk}**")
    expect(page.locator("#board")).not_to_contain_text("朱伟的看板项目")
    card = page.locator(f".card[data-id='{made['liuyang'].pk}']")
    stages = list(made["liuyang"].pipeline.stages.order_by("position"))
    card.drag_to(page.locator(f".board-column[data-stage='{stages[1].pk}']"))
    expect(page.locator(".toast-success")).to_contain_text("✓")
    made["liuyang"].refresh_from_db()
    assert made["liuyang"].stage == stages[1]
    page.screenshot(path=str(artifacts / "sales-board-filtered.png"), full_page=True)
    assert not page.js_errors, page.js_errors
