import pytest
from playwright.sync_api import expect

from guanxi.org import demo as org_demo
from guanxi.workplace.services import note_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return org_demo.build()


def _modules(page):
    return set(page.locator("nav.sidebar .menu-section").evaluate_all("els => els.map(e => e.dataset.module)"))


def test_chairman_and_salesperson_see_different_menus(demo, page_for):
    """Acceptance: the chairman and a salesperson log in and see different menus."""
    chairman = page_for("chenzhiqiang")
    assert {"workplace", "org", "system"} <= _modules(chairman)
    sales = page_for("liuyang")
    # A salesperson reads their own customers' money and tickets, and claims expenses;
    # no administration, purchasing or company reports.
    # Marketing shows a salesperson only the price lists (sales.view): the prices they quote.
    assert _modules(sales) == {"customers", "sales", "service", "finance", "expenses", "workplace", "org",
                               "approvals", "marketing"}
    assert not {"system", "purchasing", "analytics"} & _modules(sales)
    assert {"system", "purchasing", "analytics"} <= _modules(chairman)
    assert not chairman.js_errors and not sales.js_errors


def test_switch_language(demo, page_for, live_server):
    page = page_for("liuyang")
    page.goto(f"{live_server.url}/work/notes/")
    assert page.locator("h1").inner_text() == "笔记"
    page.locator(".topbar button.lang[value=en]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Notes"
    page.locator(".topbar button.lang[value=zh-hans]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "笔记"


def test_phone_width_home_page_screenshot(demo, page_for, artifacts, live_server):
    """ORG-6: the shell works 375 px wide; the screenshot is kept as a CI artifact."""
    page = page_for("liuyang", width=375, height=812)
    assert not page.locator("nav.sidebar").is_visible()
    page.locator(".mobile-nav summary").click()
    assert page.locator(".mobile-nav .menu").is_visible()
    page.locator(".mobile-nav summary").click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways: {width}px"
    page.screenshot(path=str(artifacts / "home-375.png"), full_page=True)
    page.goto(f"{live_server.url}/work/notes/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts / "notes-375.png"), full_page=True)


def test_create_note_with_toast_then_delete_after_confirming(demo, page_for, live_server):
    page = page_for("liuyang")
    page.goto(f"{live_server.url}/work/notes/new/")
    page.fill("#id_title", "")
    page.click(".record-form button[type=submit]")
    assert page.locator(".field-error").count() >= 1
    page.fill("#id_title", "浏览器里写的笔记")
    page.click(".record-form button[type=submit]")
    page.wait_for_selector(".toast-success")
    page.click("form[data-confirm] button")
    dialog = page.locator("#confirm-dialog")
    assert dialog.is_visible()
    dialog.locator("button[value=cancel]").click()
    assert "浏览器里写的笔记" in page.locator("h1").inner_text()
    page.click("form[data-confirm] button")
    dialog.locator("button[value=ok]").click()
    page.wait_for_url(f"{live_server.url}/work/notes/")
    assert page.locator(".toast-success").count() >= 1
    assert not page.js_errors, page.js_errors


def test_search_as_you_type_updates_the_list(demo, page_for, live_server):
    user = demo["liuyang"]
    note_create(actor=user, title="华达电子 拜访")
    note_create(actor=user, title="其他客户")
    page = page_for("liuyang")
    page.goto(f"{live_server.url}/work/notes/")
    page.fill("#list-q", "华达")
    expect(page.locator("#list-results tbody tr")).to_have_count(1)
    assert "q=" in page.url
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "global-search"


def test_api_docs_render_offline_under_the_csp(transactional_db, page_for, live_server):
    """ORG-5/SYS-6: the interactive API docs work with no internet and no inline script."""
    page = page_for()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator(".opblock-summary-path", has_text="/api/v1/users").count() >= 2
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requests), requests
