"""Global search (issue 11, point 8): every record type by name, document number (whole
or its serial part) and phone (however it is typed), scoped, grouped by type."""

import pytest

from guanxi.core.search import search_grouped
from guanxi.sales import services as sales
from guanxi.service import services as service
from guanxi.testing.customer360 import rich_customer


@pytest.fixture
def rich(demo_org):
    return rich_customer(demo_org)


@pytest.fixture
def records(rich, demo_org):
    seller = demo_org["liuyang"]
    lead = sales.lead_create(actor=seller, company="深圳新线索科技有限公司", name="赵先生", mobile="137-0000-2222")
    invoice = rich.invoice
    article = service.article_save(actor=demo_org["xuting"], title="打印机卡纸的处理方法", body="打开后盖，取出卡住的纸张。")
    return {"lead": lead, "invoice": invoice, "article": article}


def found(user, q):
    """{group key: [labels]} of what the user finds for ``q``."""
    return {group.key: [hit.label for hit in group.hits] for group in search_grouped(user, q, limit=8)}


def _has(results, key, text):
    return any(text in label for label in results.get(key, []))


def test_finds_every_record_type_by_name_number_and_phone(rich, records, demo_org):
    """Issue 11.8: customers, contacts, leads, opportunities, quotes, orders, shipments,
    invoices, tickets and knowledge articles, for the salesperson who owns them."""
    seller = demo_org["liuyang"]
    assert _has(found(seller, "华达"), "customers.customer", rich.customer.name)
    assert _has(found(seller, "华达打印机"), "sales.opportunity", "华达打印机项目")
    assert _has(found(seller, "王经理"), "customers.contact", "王经理")
    assert _has(found(seller, "新线索"), "sales.lead", "深圳新线索科技有限公司")
    for record, key in ((rich.order, "sales.order"), (rich.quote, "sales.quote"), (rich.shipment, "sales.shipment"),
                        (records["invoice"], "finance.invoice"), (rich.ticket, "service.ticket")):
        assert _has(found(seller, record.number), key, record.number), key
        assert _has(found(seller, record.number.lower()), key, record.number), key
        serial = record.number.rsplit("-", 1)[1]  # "000066" of SO-2026-000066
        assert _has(found(seller, serial), key, record.number), key
        assert _has(found(seller, record.number[:-2]), key, record.number), key  # typing on
    assert _has(found(seller, "卡纸"), "service.article", "打印机卡纸的处理方法")


def test_finds_phones_however_they_are_typed(rich, records, demo_org):
    """Issue 11.8: "138 0013 8000", "+86 138-0013-8000" find the customer; a contact's
    and a lead's mobile and a ticket's phone are found too."""
    seller = demo_org["liuyang"]
    for typed in ("138 0013 8000", "+86 138-0013-8000", "13800138000"):
        assert _has(found(seller, typed), "customers.customer", rich.customer.name), typed
    by_contact_phone = found(seller, "139 0000 1111")
    assert _has(by_contact_phone, "customers.contact", "王经理")
    assert _has(by_contact_phone, "service.ticket", rich.ticket.number)
    assert _has(found(seller, "137 0000 2222"), "sales.lead", "深圳新线索科技有限公司")


def test_another_salesperson_never_finds_them(rich, records, demo_org):
    """ORG-3, issue 11.8 (leak test): a Beijing salesperson finds none of liuyang's records, by
    number, serial, name or phone."""
    other = demo_org["zhuwei"]
    for q in (rich.order.number, rich.order.number.rsplit("-", 1)[1], rich.quote.number, rich.shipment.number,
              records["invoice"].number, rich.ticket.number, "华达", "13800138000", "139 0000 1111",
              "137 0000 2222", "新线索"):
        results = found(other, q)
        assert not any(key != "service.article" and labels for key, labels in results.items()), (q, results)


def test_results_are_grouped_with_headings_and_counts(rich, records, demo_org, client_for):
    """Issue 11.8: the search page and the as-you-type dropdown group hits by type, each
    group with its heading and count."""
    client = client_for(demo_org["liuyang"])
    for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
        html = client.get("/search/", {"q": "华达"}, **extra).content.decode()
        assert html.count('class="search-group"') >= 2
        assert 'data-group="customers.customer"' in html and 'data-group="sales.opportunity"' in html
        assert '<span class="search-count">1</span>' in html


def test_search_queries_are_few(rich, records, demo_org, client_for, django_assert_max_num_queries):
    """Issue 11.8: indexed lookups, a bounded number of queries per keystroke."""
    client = client_for(demo_org["chenzhiqiang"])
    for q in (rich.order.number, "000001", "13800138000", "华达"):
        client.get("/search/", {"q": q}, HTTP_HX_REQUEST="true")
        with django_assert_max_num_queries(26):  # 24 for a serial: five types, two lookups each
            client.get("/search/", {"q": q}, HTTP_HX_REQUEST="true")
