"""Customer lifecycle (ANA-2) in a real browser: the general manager reads the stages of a
year of replayed nightly runs and drills from a count to the customers behind it."""

import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.analytics import lifecycle_demo
from guanxi.customers.models import Customer
from guanxi.org import demo
from guanxi.sales.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def year_of_orders(transactional_db):
    """40 customers entered two years ago with random orders; the demo replays the runs."""
    users = demo.build()
    seller = users["liuyang"]
    Customer.objects.bulk_create([Customer(name=f"生命周期浏览器客户{i}", owner=seller, branch=seller.branch)
                                  for i in range(40)])
    Customer.objects.update(created_at=timezone.now() - datetime.timedelta(days=730))
    rng, today, orders = random.Random(5), timezone.localdate(), []
    for customer in Customer.objects.order_by("pk"):
        for _ in range(rng.randint(0, 8)):
            orders.append(Order(number=f"LCB-{len(orders)}", customer=customer, owner=seller, branch=seller.branch,
                                status="completed", total=Decimal(rng.choice([800, 3000, 12000])),
                                order_date=today - datetime.timedelta(days=rng.randint(0, 720))))
    Order.objects.bulk_create(orders)
    lifecycle_demo.build()
    return users


def test_general_manager_reads_lifecycle_and_drills_to_the_customers(year_of_orders, page_for, live_server,
                                                                      artifacts):
    """ANA-2: counts, move matrix, 12 months and strategies; a count opens the filtered list."""
    departed = Customer.objects.filter(lifecycle_stage="departure").order_by("pk").first()
    other = Customer.objects.exclude(lifecycle_stage="departure").order_by("pk").first()
    assert departed and other
    page = page_for("chenzhiqiang")
    page.goto(f"{live_server.url}/analytics/lifecycle/")
    expect(page.locator("h1")).to_contain_text("客户生命周期")
    expect(page.get_by_text("回访并了解原因，提供专属优惠")).to_be_visible()
    expect(page.locator("svg").first).to_be_visible()  # the 12 months (and the month's moves if any)
    page.screenshot(path=str(artifacts / "lifecycle.png"), full_page=True)
    page.locator('a[href="/customers/?stage=departure"]').click()
    page.wait_for_url("**/customers/?stage=departure")
    expect(page.locator("#main")).to_contain_text(departed.name)
    expect(page.locator("#main")).not_to_contain_text(other.name)
    assert not page.js_errors
