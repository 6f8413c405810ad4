"""The pipeline board and the order entry page make a fixed number of queries however
many cards, customers and products there are (bench/sales_bench.py times them at
10,000 open opportunities); a column holding more than it shows still counts and sums
all of them and links to the rest."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.customers.services import customer_create
from guanxi.sales import selectors, services
from guanxi.sales.models import Opportunity, Order, Pipeline, Product, Stage, StageKind


@pytest.fixture
def customers(seller):
    return [customer_create(actor=seller, name=f"看板客户{i}有限公司") for i in range(6)]


@pytest.fixture
def products(db):
    return [Product.objects.create(sku=f"QC-{i:03d}", name=f"查询数产品{i}", list_price=Decimal("10.00") * i)
            for i in range(1, 31)]


def _opportunities(seller, customers, stage, count):
    now = timezone.now()
    Opportunity.objects.bulk_create([
        Opportunity(name=f"看板项目{stage.position}-{i}", customer=customers[i % len(customers)],
                    pipeline=stage.pipeline, stage=stage, amount=Decimal(1000 + i), owner=seller,
                    branch_id=seller.branch_id, stage_changed_at=now - datetime.timedelta(minutes=i))
        for i in range(count)])


@pytest.mark.parametrize(("username", "owner"), [("liuyang", "liuyang"), ("wangjianguo", "liuyang"),
                                                  ("majun", "zhuwei"), ("chenzhiqiang", "zhuwei")])
def test_board_query_count_is_flat(username, owner, customers, demo_org, client_for,
                                   django_assert_max_num_queries):
    stages = list(services.default_pipeline().stages.order_by("position"))
    for stage in stages:
        _opportunities(demo_org[owner], customers, stage, 30)
    client = client_for(demo_org[username])
    client.get("/sales/opportunities/")
    with django_assert_max_num_queries(18):  # 26 before the cards were read lean
        html = client.get("/sales/opportunities/").content.decode()
    assert html.count('class="card"') == 4 * 30 + 2 * 20  # won and lost show their 20 most recent
    assert "看板客户3有限公司" in html and 'href="/sales/opportunities/' in html


def test_a_full_column_counts_everything_and_links_to_the_rest(seller, customers, demo_org, client_for):
    pipeline = services.default_pipeline()
    first = pipeline.stages.get(position=0)
    _opportunities(seller, customers, first, 205)
    columns = selectors.board(demo_org["chenzhiqiang"], pipeline)
    stage, cards, count, amount = columns[0]
    assert (stage, len(cards), count, amount) == (first, 200, 205, sum(Decimal(1000 + i) for i in range(205)))
    assert [card["name"] for card in cards[:2]] == ["看板项目0-0", "看板项目0-1"]  # most recently moved first
    client = client_for(seller)
    html = client.get("/sales/opportunities/").content.decode()
    column = html.split(f'data-stage="{first.pk}"', 1)[1].split("</section>", 1)[0]
    assert column.count('class="card"') == 200 and 'class="column-count">205<' in column
    assert f'href="/sales/opportunities/list/?stage={first.pk}"' in column
    listed = client.get(f"/sales/opportunities/list/?stage={first.pk}&mine=1&count=1")
    assert listed.status_code == 200 and "205" in listed.content.decode()
    other = pipeline.stages.get(position=1)
    assert f"stage={other.pk}" not in html.split(f'data-stage="{other.pk}"', 1)[1].split("</section>", 1)[0]
    mine = client.get("/sales/opportunities/?mine=1").content.decode()
    assert f'href="/sales/opportunities/list/?stage={first.pk}&amp;mine=1"' in mine


def test_order_entry_query_counts_are_flat(seller, customers, products, client_for, django_assert_max_num_queries):
    client = client_for(seller)
    client.get("/sales/orders/new/")
    with django_assert_max_num_queries(6):
        page = client.get("/sales/orders/new/").content.decode()
    assert page.count("<option value=") >= len(customers)
    data = {"customer": customers[0].pk}
    for i, product in enumerate(products[:5], start=1):
        data.update({f"product_{i}": product.sku, f"quantity_{i}": str(i)})
    with django_assert_max_num_queries(10):  # all lines' products in one query; the customer through the scope
        assert "data-total=" in client.post("/sales/lines/preview/", data).content.decode()
    with django_assert_max_num_queries(5):
        assert client.get("/sales/products/search/", {"q": "QC-0"}).content.decode().count("<option") == 20
    # Saving grows by about five queries a line (product, price, validation, insert, audit);
    # the first order of the year also creates its number sequence.
    with django_assert_max_num_queries(60):
        assert client.post("/sales/orders/new/", data).status_code == 302
    assert Order.objects.get().lines.count() == 5


def test_won_and_lost_columns_show_the_latest_only(seller, customers, demo_org):
    pipeline = services.default_pipeline()
    won = pipeline.stages.get(kind=StageKind.WON)
    _opportunities(seller, customers, won, 25)
    _stage, cards, count, _amount = next(c for c in selectors.board(seller, pipeline) if c[0] == won)
    assert (len(cards), count) == (20, 25)


def test_order_entry_lists_the_newest_customers_and_finds_the_others(seller, customers, demo_org, client_for,
                                                                     django_assert_max_num_queries):
    """The customer select holds the seller's 30 newest customers (and the one asked for);
    the search box finds any other the seller may sell to, and none they may not."""
    oldest = customer_create(actor=seller, name="阿尔法精密机械有限公司")
    for i in range(30):
        customer_create(actor=seller, name=f"新近客户{i}号贸易有限公司")
    elsewhere = customer_create(actor=demo_org["zhuwei"], name="阿尔法北京贸易有限公司")
    client = client_for(seller)
    page = client.get("/sales/orders/new/").content.decode()
    assert page.count('<option value="') == 1 + 30 and f'value="{oldest.pk}"' not in page
    chosen = client.get(f"/sales/orders/new/?customer={oldest.pk}").content.decode()
    assert f'<option value="{oldest.pk}" selected>' in chosen
    client.get("/sales/customers/options/", {"q": "阿尔法"})
    with django_assert_max_num_queries(6):
        found = client.get("/sales/customers/options/", {"q": "阿尔法"}).content.decode()
    assert f'value="{oldest.pk}"' in found and f'value="{elsewhere.pk}"' not in found
    assert 'value="' in client.get("/sales/customers/options/").content.decode()  # empty: the newest again


def test_the_list_filters_by_a_stage_of_any_pipeline(seller, customers, client_for):
    _opportunities(seller, customers, services.default_pipeline().stages.get(position=1), 2)  # 看板项目1-…
    other = Pipeline.objects.create(name="项目型销售", position=1)
    stage = Stage.objects.create(pipeline=other, name_zh="立项", name_en="Project set up", position=0, probability=20)
    _opportunities(seller, customers, stage, 3)  # 看板项目0-…
    html = client_for(seller).get(f"/sales/opportunities/list/?stage={stage.pk}").content.decode()
    assert "看板项目0-2" in html and "看板项目1-0" not in html
