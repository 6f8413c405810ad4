"""CUS-6: the customer at the centre. The customer page shows, scoped, every module's
records of the customer, each section with its count, its most relevant rows, a link to
the module's list filtered by the customer and the matching action prefilled."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.customers import summary
from guanxi.customers.services import customer_create
from guanxi.finance import services as finance
from guanxi.finance.models import Receivable
from guanxi.sales import services as sales
from guanxi.testing.customer360 import rich_customer
from guanxi.testing.sales import confirmed_order

SECTIONS = ["contacts", "interactions", "opportunities", "quotes", "orders", "shipments", "receivables",
            "receipts", "invoices", "tickets", "feedback", "plans"]


@pytest.fixture
def rich(demo_org):
    return rich_customer(demo_org)


def _page(client, customer):
    response = client.get(f"/customers/{customer.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _section(html, key):
    """The HTML of one section of the customer page."""
    match = re.search(rf'<section[^>]*id="section-{key}".*?</section>', html, re.S)
    assert match, f"no section {key}"
    return match.group(0)


def test_the_customer_page_shows_every_module_scoped(rich, demo_org, client_for):
    """CUS-6: contacts, opportunities (stage, amount), quotes, orders, shipments,
    receivables (outstanding, overdue highlighted) and receipts, tickets, feedback and
    plans of the customer, only as far as the user may see."""
    html = _page(client_for(demo_org["liuyang"]), rich.customer)
    for key in SECTIONS:
        _section(html, key)
    assert "王经理" in _section(html, "contacts")
    opportunities = _section(html, "opportunities")
    assert "华达打印机项目" in opportunities and "120000.00" in opportunities.replace(",", "")
    assert rich.opportunity.stage.name in opportunities
    assert "经理的秘密项目" not in html  # the manager's opportunity is outside liuyang's scope
    assert rich.quote.number in _section(html, "quotes")
    assert rich.order.number in _section(html, "orders")
    assert rich.shipment.number in _section(html, "shipments")
    receivables = _section(html, "receivables")
    assert rich.receivable.number in receivables
    assert 'class="figure alert"' in receivables  # the overdue money stands out
    assert "2500.00" in receivables.replace(",", "")  # outstanding and overdue
    assert rich.receipt.number in _section(html, "receipts")
    assert rich.invoice.number in _section(html, "invoices")
    assert rich.ticket.number in _section(html, "tickets")
    assert "希望加快交货" in _section(html, "feedback")
    assert "拜访华达确认需求" in _section(html, "plans")

    chairman = _page(client_for(demo_org["chenzhiqiang"]), rich.customer)
    assert "经理的秘密项目" in _section(chairman, "opportunities")


def test_sections_follow_the_permissions_of_their_module(rich, demo_org, client_for):
    """CUS-6: a section shows only for a user who may read its module (a service agent
    sees tickets but no sales or money)."""
    html = _page(client_for(demo_org["xuting"]), rich.customer)
    _section(html, "tickets")
    for key in ("opportunities", "orders", "receivables"):
        assert f'id="section-{key}"' not in html


def test_each_section_starts_its_action_with_the_customer_filled_in(rich, demo_org, client_for):
    """CUS-6: new opportunity / quote / order / ticket / receipt start from the customer,
    shown only to who may take the action (the same check as the form's view)."""
    pk = rich.customer.pk
    seller = _page(client_for(demo_org["liuyang"]), rich.customer)
    for url in (f"/sales/opportunities/new/?customer={pk}", f"/sales/quotes/new/?customer={pk}",
                f"/sales/orders/new/?customer={pk}", f"/customers/{pk}/contacts/new/"):
        assert url in seller
    # liuyang may read tickets and money but not create them.
    assert f"/service/tickets/new/?customer={pk}" not in seller
    assert f"/finance/receipts/new/?customer={pk}" not in seller
    chairman = _page(client_for(demo_org["chenzhiqiang"]), rich.customer)
    assert f"/service/tickets/new/?customer={pk}" in _section(chairman, "tickets")
    assert f"/finance/receipts/new/?customer={pk}" in _section(chairman, "receipts")
    # The forms open with the customer chosen.
    client = client_for(demo_org["liuyang"])
    for url in (f"/sales/opportunities/new/?customer={pk}", f"/sales/quotes/new/?customer={pk}",
                f"/sales/orders/new/?customer={pk}"):
        form = client.get(url).content.decode()
        assert re.search(rf'<option value="{pk}"[^>]*selected', form), url
    # A plan item about one's own customer starts on one's day page.
    assert f"/work/day/?customer={pk}" in _section(seller, "plans")
    day = client.get(f"/work/day/?customer={pk}").content.decode()
    assert re.search(rf'<option value="{pk}"[^>]*selected', day)
    assert f"/work/day/?customer={pk}" not in chairman  # not the chairman's customer
    ticket_form = client_for(demo_org["xuting"]).get(f"/service/tickets/new/?customer={pk}")
    assert rich.customer.name in ticket_form.content.decode()
    # Not someone else's customer: Beijing's salesperson gets a 404, not a prefilled form.
    assert client_for(demo_org["zhuwei"]).get(f"/service/tickets/new/?customer={pk}").status_code in (403, 404)


def test_see_all_opens_the_module_list_filtered_by_the_customer(rich, demo_org, client_for):
    """CUS-6: each section links to its module's list narrowed to the customer."""
    chairman = demo_org["chenzhiqiang"]
    other = customer_create(actor=demo_org["liuyang"], name="另一家客户有限公司")
    other_opportunity = sales.opportunity_create(actor=demo_org["liuyang"], customer=other, name="别家的项目")
    other_order = confirmed_order(demo_org["liuyang"], other)
    client = client_for(chairman)
    html = _page(client, rich.customer)
    pk = rich.customer.pk
    expected = {
        "contacts": ("/customers/contacts/", "王经理"),
        "interactions": ("/customers/interactions/", "上门拜访采购经理"),
        "opportunities": ("/sales/opportunities/list/", "华达打印机项目"),
        "quotes": ("/sales/quotes/", rich.quote.number),
        "orders": ("/sales/orders/", rich.order.number),
        "shipments": ("/sales/shipments/", rich.shipment.number),
        "receivables": ("/finance/receivables/", rich.receivable.number),
        "receipts": ("/finance/receipts/", rich.receipt.number),
        "invoices": ("/finance/invoices/", rich.invoice.number),
        "tickets": ("/service/tickets/", rich.ticket.number),
        "feedback": ("/customers/feedback/", "希望加快交货"),
        "plans": ("/work/plans/", "拜访华达确认需求"),
    }
    for key, (path, text) in expected.items():
        url = f"{path}?customer={pk}"
        assert url in _section(html, key), key
        listed = client.get(url).content.decode()
        assert text in listed, key
        assert other_opportunity.name not in listed and other_order.number not in listed, key
    # Without the filter the other customer's records are there: the filter narrowed.
    assert other_order.number in client.get("/sales/orders/").content.decode()


def test_a_customer_filter_never_widens_the_scope(rich, demo_org, client_for):
    """CUS-6, ORG-3: filtering a list by a customer one may not see shows nothing of it."""
    client = client_for(demo_org["zhuwei"])  # Beijing
    listed = client.get(f"/sales/orders/?customer={rich.customer.pk}").content.decode()
    assert rich.order.number not in listed and rich.customer.name not in listed


def test_the_timeline_merges_every_module(rich, demo_org, client_for):
    """CUS-6: one timeline of the customer: contacts, interactions, opportunities, quotes,
    orders, shipments, money, tickets, feedback and plans, newest first, scoped."""
    client = client_for(demo_org["liuyang"])
    html = client.get(f"/customers/{rich.customer.pk}/timeline/", HTTP_HX_REQUEST="true").content.decode()
    for text in ("王经理", "上门拜访采购经理", "华达打印机项目", rich.quote.number, rich.order.number,
                 rich.shipment.number, rich.receipt.number, rich.ticket.number, "希望加快交货", "拜访华达确认需求"):
        assert text in html, text
    assert "经理的秘密项目" not in html
    full = client.get(f"/customers/{rich.customer.pk}/timeline/")
    assert full.status_code == 200 and rich.customer.name in full.content.decode()


def test_the_customer_page_and_each_section_have_few_queries(rich, demo_org, client_for,
                                                             django_assert_max_num_queries):
    """CUS-6: the page stays fast: its queries and each section's are pinned."""
    for username in ("liuyang", "chenzhiqiang"):
        client = client_for(demo_org[username])
        _page(client, rich.customer)
        with django_assert_max_num_queries(40):  # sixteen sections (analytics: value, CLV, cross- and up-sell, sharing the products bought), a count and rows each
            _page(client, rich.customer)
        client.get(f"/customers/{rich.customer.pk}/timeline/", HTTP_HX_REQUEST="true")
        with django_assert_max_num_queries(22):  # 20: one query a source
            client.get(f"/customers/{rich.customer.pk}/timeline/", HTTP_HX_REQUEST="true")
    chairman = demo_org["chenzhiqiang"]
    viewer = summary.Viewer(chairman, rich.customer)
    viewer.can_edit  # noqa: B018 - computed once per page, outside the sections
    for section in summary.sections_for(chairman):
        with django_assert_max_num_queries(2):
            data = summary.section_data(section, viewer, rows=5)
        # The rich customer has records in every module the page shows at once; the lazy
        # sections (marketing) have their own tests with their data.
        assert data.count >= 1 or section.lazy, section.key


def test_a_cancelled_receivable_is_neither_outstanding_nor_overdue(demo_org, client_for):
    """CUS-6, FIN-6: the customer page uses finance's one definition of overdue: a cancelled
    receivable past its due date owes nothing (as on the receivables list and the API)."""

    chairman = demo_org["chenzhiqiang"]
    customer = customer_create(actor=chairman, name="取消应收测试有限公司")
    late = timezone.localdate() - datetime.timedelta(days=20)
    kept = finance.receivable_create(actor=chairman, customer=customer, amount=Decimal("700.00"), issued_on=late,
                                     due_on=late)
    dropped = finance.receivable_create(actor=chairman, customer=customer, amount=Decimal("9000.00"),
                                        issued_on=late, due_on=late)
    finance.receivable_cancel(actor=chairman, receivable=dropped, reason="重复录入")
    assert list(Receivable.objects.filter(Receivable.overdue_q())) == [kept]
    figures = {f.key: f.value for f in summary.section_data(
        next(s for s in summary.sections_for(chairman) if s.key == "receivables"),
        summary.Viewer(chairman, customer), rows=5).figures}
    assert figures["outstanding"] == Decimal("700.00") and figures["overdue"] == Decimal("700.00")
    dropped.refresh_from_db()
    assert dropped.overdue_days() == 0 and kept.overdue_days() == 20


def test_other_modules_parts_load_after_the_page(rich, demo_org, client_for, django_assert_max_num_queries):
    """CUS-6: the lazy sections (segments, campaigns, forms, membership…) are not among the
    page's queries: the page asks for all of them in one request, which shows each within
    its budget; a user who may read none of them gets no such request."""
    chairman = demo_org["chenzhiqiang"]
    lazy = [section.key for section in summary.sections_for(chairman, lazy=True)]
    assert {"segments", "campaigns"} <= set(lazy)
    client = client_for(chairman)
    html = _page(client, rich.customer)
    url = f"/customers/{rich.customer.pk}/sections/"
    assert f'hx-get="{url}"' in html
    assert not any(f'id="section-{key}"' in html for key in lazy)
    client.get(url, HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(5 + 2 * len(lazy)):  # session, user, config, customer, scope
        part = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    for key in lazy:
        _section(part, key)
    assert "<html" not in part and "<html" in client.get(url).content.decode()  # a page of its own without htmx
    seller = demo_org["xuting"]
    if not summary.sections_for(seller, lazy=True):
        assert url not in _page(client_for(seller), rich.customer)
