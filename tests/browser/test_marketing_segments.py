"""Segments in a real browser (MKT-3): a marketing user builds a dynamic segment with two
conditions in the rule builder, sees the live count, saves it and opens its members."""

import pytest
from playwright.sync_api import expect

from guanxi.customers.models import Customer
from guanxi.org import demo as org_demo
from guanxi.org.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    people = org_demo.build()
    marketer = people["huangli"]
    marketer.roles.set([Role.objects.get(code="marketing_specialist")])
    seller = people["liuyang"]
    for name, tier, province in [("广州甲公司", "A", "44"), ("广州乙公司", "A", "44"), ("北京丙公司", "A", "11"),
                                 ("广州丁公司", "B", "44")]:
        Customer.objects.create(name=name, owner=seller, branch=seller.branch, value_tier=tier, province=province)
    return people


def _wait_until_htmx_binds(page, selector):
    """A row just swapped in listens for changes once htmx has processed it."""
    page.wait_for_function(
        "s => { const e = document.querySelector(s); return !!(e && e['htmx-internal-data']"
        " && e['htmx-internal-data'].initHash); }", arg=selector)


def test_a_marketing_user_builds_a_segment_with_a_live_count(demo, page_for, live_server, artifacts):
    """MKT-3: two conditions in the builder (the value widget follows the field), the live
    count, save, then the members."""
    page = page_for("huangli")
    page.goto(f"{live_server.url}/marketing/segments/new/")
    page.fill("#id_name", "广东 A 级客户")
    _wait_until_htmx_binds(page, "#field-0")
    page.select_option("#field-0", "value_tier")
    expect(page.locator("select[name=value-0] option[value=A]")).to_have_count(1)
    page.select_option("select[name=value-0]", "A")
    expect(page.locator("#segment-preview .preview-count")).to_have_attribute("data-count", "3")

    page.click("#add-condition")
    expect(page.locator("#field-1")).to_be_visible()
    _wait_until_htmx_binds(page, "#field-1")
    page.select_option("#field-1", "province")
    expect(page.locator("select[name=value-1] option[value='44']")).to_have_count(1)
    page.select_option("select[name=value-1]", "44")
    expect(page.locator("#segment-preview .preview-count")).to_have_attribute("data-count", "2")
    page.screenshot(path=str(artifacts / "marketing-segment-builder.png"))

    page.click("#segment-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("广东 A 级客户")
    members = page.locator("table.segment-members tbody tr")
    expect(members).to_have_count(2)
    expect(page.locator("table.segment-members")).to_contain_text("广州甲公司")
    expect(page.locator("#segment-count")).to_have_text("2")
    assert not page.js_errors, page.js_errors
