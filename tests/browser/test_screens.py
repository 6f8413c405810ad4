"""Screens people trust (issue 11), in a real browser: the flow designer shows only the
chosen step's fields; a chart and a history list, saved as screenshots
(build/screenshots/screens-*-<SCREENS_SHOT>.png, "after" unless the variable says
otherwise, so the same test can photograph an older checkout as "before")."""

import os

import pytest
from playwright.sync_api import expect

from guanxi.customers import demo as customers_demo
from guanxi.finance import demo as finance_demo
from guanxi.finance import demo_pay
from guanxi.org import demo as org_demo
from guanxi.sales import demo as sales_demo
from guanxi.sales.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT = os.environ.get("SCREENS_SHOT", "after")


@pytest.fixture
def demo(transactional_db):
    people = org_demo.build()
    customers_demo.build(total=40)
    sales_demo.build()
    finance_demo.build()
    demo_pay.build()
    return people


def _visible_keys(page):
    return set(page.locator("#flow-canvas .flow-step label:visible [data-key]").evaluate_all(
        "nodes => nodes.map(n => n.dataset.key)"))


def test_the_flow_designer_shows_only_the_fields_of_the_chosen_step(demo, page_for, live_server, artifacts):
    """SRV-3: a "wait" step asks until when and how long, nothing of a notice or a webhook."""
    page = page_for("sunli")
    page.goto(f"{live_server.url}/service/flows/new/")
    page.locator(".palette-step[data-type='wait']").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#flow-canvas .flow-step")).to_have_count(1)
    assert _visible_keys(page) == {"until", "hours"}
    page.locator("#flow-canvas .step-remove").click()
    page.locator(".palette-step[data-type='notify']").focus()
    page.keyboard.press("Enter")
    assert _visible_keys(page) == {"target", "message"}
    page.locator("#flow-canvas [data-key=target]").select_option("department")
    assert _visible_keys(page) == {"target", "id", "message"}
    page.screenshot(path=str(artifacts / f"screens-flow-{SHOT}.png"), full_page=True)


def test_screenshots_of_a_chart_and_a_history(demo, page_for, live_server, artifacts):
    """ANA-4, CUS-10: the performance chart (orders and money received side by side, ¥ in
    万) and an order's history (labels, names, local times)."""
    page = page_for("chenzhiqiang")
    page.goto(f"{live_server.url}/analytics/performance/?period=this_year")
    unpin = "document.querySelectorAll('header, .topbar').forEach(e => e.style.position = 'static')"
    page.evaluate(unpin)
    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    chart.screenshot(path=str(artifacts / f"screens-chart-{SHOT}.png"))
    order = Order.objects.exclude(status="draft").order_by("-pk").first()
    page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
    page.evaluate(unpin)
    history = page.locator(".history-section")
    expect(history).to_be_visible()
    history.screenshot(path=str(artifacts / f"screens-history-{SHOT}.png"))
    if SHOT == "after":
        expect(history).to_contain_text("客户")
        expect(history).not_to_contain_text("None")
        expect(history).not_to_contain_text("confirmed")
