"""Sales screens: the board, fast order entry, quotes, shipping notes, leads; scopes."""

from decimal import Decimal

import pytest

from guanxi.core import picklists
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_create
from guanxi.org.models import User
from guanxi.sales import services
from guanxi.sales.models import (
    Lead,
    Opportunity,
    Order,
    OrderStatus,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    Shipment,
    StageKind,
)
from guanxi.testing.scope_matrix import assert_scope_matrix, matrix_users, owned_case


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州华达电子有限公司")


@pytest.fixture
def products(db):
    return [Product.objects.create(sku=f"GX-{i}00", name=f"产品{i}", list_price=Decimal("100.00") * i)
            for i in range(1, 6)]


def test_board_shows_columns_and_moves_a_card(seller, customer, client_for):
    """SAL-2: the kanban board; a drop posts the new stage."""
    opportunity = services.opportunity_create(actor=seller, customer=customer, name="看板项目",
                                              amount=Decimal("50000"))
    client = client_for(seller)
    html = client.get("/sales/opportunities/").content.decode()
    assert "看板项目" in html and 'draggable="true"' in html
    target = opportunity.pipeline.stages.get(position=2)
    response = client.post(f"/sales/opportunities/{opportunity.pk}/move/", {"stage": target.pk},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    opportunity.refresh_from_db()
    assert opportunity.stage == target
    lost = opportunity.pipeline.stages.get(kind=StageKind.LOST)
    refused = client.post(f"/sales/opportunities/{opportunity.pk}/move/", {"stage": lost.pk}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422


def test_fast_order_entry_with_five_lines(seller, customer, products, client_for):
    """SAL-4: five lines typed in one form; totals computed on the server."""
    client = client_for(seller)
    page = client.get(f"/sales/orders/new/?customer={customer.pk}").content.decode()
    assert 'list="product-options"' in page and "product_8" in page
    data = {"customer": customer.pk}
    for i, product in enumerate(products, start=1):
        data.update({f"product_{i}": product.sku, f"quantity_{i}": str(i), f"discount_{i}": "5" if i == 3 else ""})
    preview = client.post("/sales/lines/preview/", data).content.decode()
    assert "data-total=" in preview
    response = client.post("/sales/orders/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    assert order.lines.count() == 5 and order.total == sum(line.total for line in order.lines.all())
    assert f'data-total="{order.total}"' in preview


def test_order_entry_reports_bad_lines(seller, customer, products, client_for):
    response = client_for(seller).post("/sales/orders/new/", {
        "customer": customer.pk, "product_1": "NOPE", "quantity_1": "1", "product_2": products[0].sku,
        "quantity_2": "abc"})
    assert response.status_code == 200 and response.content.decode().count('class="form-error"') == 2
    assert not Order.objects.exists()


def test_quote_flow_through_the_screens(seller, customer, products, client_for):
    """SAL-3: a quote is submitted, accepted once, and becomes an order."""
    client = client_for(seller)
    client.post("/sales/quotes/new/", {"customer": customer.pk, "product_1": products[0].sku, "quantity_1": "2"})
    quote = Quote.objects.get()
    client.post(f"/sales/quotes/{quote.pk}/submit/")
    client.post(f"/sales/quotes/{quote.pk}/accept/")
    client.post(f"/sales/quotes/{quote.pk}/accept/")
    assert Order.objects.filter(quote=quote).count() == 1
    assert "SO-" in client.get(f"/sales/quotes/{quote.pk}/").content.decode()


def test_ship_part_of_an_order_and_print_three_copies(seller, customer, products, demo_org, client_for):
    """SAL-5: a shipping note from the order, remainder shown, printed as 存根/客户/财务."""
    order = services.order_create(actor=seller, customer=customer, lines=[{"product": products[0], "quantity": 5}])
    services.order_confirm(actor=seller, order=order)
    line = order.lines.get()
    assistant = client_for(demo_org["huangli"])
    response = assistant.post(f"/sales/orders/{order.pk}/ship/", {f"ship_{line.pk}": "2"})
    shipment = Shipment.objects.get()
    assert response["Location"] == f"/sales/shipments/{shipment.pk}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_SHIPPED
    detail = assistant.get(f"/sales/orders/{order.pk}/").content.decode()
    assert f'data-line="{line.pk}">3<' in detail
    copies = assistant.get(f"/sales/shipments/{shipment.pk}/?print=copies").content.decode()
    assert copies.count('class="copy-label"') == 3 and "存根" in copies and "财务" in copies
    over = assistant.post(f"/sales/orders/{order.pk}/ship/", {f"ship_{line.pk}": "9"})
    assert over.status_code == 302 and Shipment.objects.count() == 1
    assert client_for(seller).post(f"/sales/orders/{order.pk}/ship/", {f"ship_{line.pk}": "1"}).status_code == 403


def test_convert_a_lead_on_its_page(seller, client_for):
    lead = services.lead_create(actor=seller, company="佛山新客户有限公司", name="黄总")
    client = client_for(seller)
    response = client.post(f"/sales/leads/{lead.pk}/", {"opportunity_name": "首单", "amount": "30000"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.opportunity.name == "首单" and lead.customer.name == "佛山新客户有限公司"



def test_convert_a_lead_into_an_existing_customer_on_its_page(seller, customer, demo_org, client_for):
    """SAL-1: the lead page converts into a customer the user may sell to (no duplicate
    made); a customer outside the user's scope is refused and nothing changes."""
    client = client_for(seller)
    lead = services.lead_create(actor=seller, company="华达电子（广州）", name="王经理")
    page = client.get(f"/sales/leads/{lead.pk}/").content.decode()
    assert 'name="existing_customer"' in page
    others = customer_create(actor=demo_org["zhuwei"], name="上海别人的客户有限公司")
    refused = client.post(f"/sales/leads/{lead.pk}/", {"opportunity_name": "首单", "amount": "1",
                                                      "existing_customer": others.pk})
    assert refused.status_code == 200
    lead.refresh_from_db()
    assert lead.status != "converted" and lead.customer_id is None
    before = Customer.objects.count()
    done = client.post(f"/sales/leads/{lead.pk}/", {"opportunity_name": "首单", "amount": "30000",
                                                   "existing_customer": customer.pk})
    assert done.status_code == 302
    lead.refresh_from_db()
    assert lead.customer_id == customer.pk and lead.opportunity.customer_id == customer.pk
    assert Customer.objects.count() == before

OPPORTUNITIES = owned_case("opportunities", Opportunity, module="sales", list_url="/sales/opportunities/list/",
                           detail_url="/sales/opportunities/", api="opportunities", title_of=lambda o: o.name,
                           search_term="矩阵", global_search=False)


def test_scope_matrix_for_opportunities(demo_org):
    """ORG-3: opportunities on every surface, every user."""

    for user in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk"):
        if user.has_module_perm("sales.create") and user.has_module_perm("customers.create"):
            customer = customer_create(actor=user, name=f"商机矩阵客户{user.username}")
            services.opportunity_create(actor=user, customer=customer, name=f"矩阵商机{user.username}")
    assert assert_scope_matrix(OPPORTUNITIES, matrix_users()) >= 20


def test_lead_list_is_scoped(seller, demo_org, client_for):
    services.lead_create(actor=demo_org["zhuwei"], company="北京线索")
    assert "北京线索" not in client_for(seller).get("/sales/leads/").content.decode()
    assert "北京线索" in client_for(demo_org["majun"]).get("/sales/leads/").content.decode()
    assert Lead.objects.count() == 1


def test_the_totals_preview_reads_the_customer_through_the_scope(seller, customer, products, demo_org, client_for):
    """SAL-10, ORG-3: the preview prices lines at the customer's level only for a customer
    the user may see; naming another salesperson's customer does not reveal their price."""

    vip = picklists.items("customers.level").get(code="vip")
    PriceListItem.objects.create(price_list=PriceList.objects.create(name="VIP价", level=vip), product=products[0],
                                 price=Decimal("2699.00"))
    other = customer_create(actor=demo_org["zhuwei"], name="北京别人的客户有限公司")  # Beijing, not liuyang's
    other.level = vip
    other.save()
    customer.level = vip
    customer.save()
    client = client_for(seller)
    data = {"product_1": products[0].sku, "quantity_1": "1", "discount_1": ""}
    own = client.post("/sales/lines/preview/", {**data, "customer": customer.pk}).content.decode()
    foreign = client.post("/sales/lines/preview/", {**data, "customer": other.pk}).content.decode()
    vip_total = (Decimal("2699.00") * (1 + products[0].tax_rate)).quantize(Decimal("0.01"))
    list_total = (products[0].list_price * (1 + products[0].tax_rate)).quantize(Decimal("0.01"))
    assert products[0].list_price != Decimal("2699.00")
    assert f'data-total="{vip_total}"' in own
    assert f'data-total="{list_total}"' in foreign
