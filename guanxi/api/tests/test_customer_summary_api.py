"""CUS-6 on the API: GET /api/v1/customers/{id}/summary, built by the same selectors as
the customer page."""

import pytest
from django.test import Client

from guanxi.testing.customer360 import rich_customer


@pytest.fixture
def rich(demo_org):
    return rich_customer(demo_org)


def _summary(api_for, user, customer):
    client, headers = api_for(user)
    return client.get(f"/api/v1/customers/{customer.pk}/summary", headers=headers)


def test_the_summary_counts_and_sums_every_module_in_scope(rich, demo_org, api_for):
    """CUS-6: counts and money per section, money as decimal strings with a currency."""
    response = _summary(api_for, demo_org["liuyang"], rich.customer)
    assert response.status_code == 200
    body = response.json()
    assert body["customer_id"] == rich.customer.pk and body["name"] == rich.customer.name
    sections = body["sections"]
    for key in ("contacts", "interactions", "opportunities", "quotes", "orders", "shipments", "receivables",
                "receipts", "invoices", "tickets", "feedback", "plans"):
        assert sections[key]["count"] >= 1, key
    opportunities = sections["opportunities"]
    assert opportunities["count"] == 1  # the manager's opportunity is out of liuyang's scope
    assert opportunities["money"]["open_amount"] == {"amount": "120000.00", "currency": "CNY"}
    assert opportunities["counts"]["open"] == 1
    receivables = sections["receivables"]["money"]
    assert receivables["outstanding"] == {"amount": "2500.00", "currency": "CNY"}
    assert receivables["overdue"] == {"amount": "2500.00", "currency": "CNY"}
    assert sections["receipts"]["money"]["received"]["amount"] == "1500.00"
    assert sections["orders"]["money"]["ordered"]["amount"] == "4000.00"
    assert sections["invoices"]["counts"]["waiting"] == 1 and sections["invoices"]["money"]["issued"]["amount"] == "0.00"
    assert sections["tickets"]["counts"]["open"] == 1
    chairman = _summary(api_for, demo_org["chenzhiqiang"], rich.customer).json()
    assert chairman["sections"]["opportunities"]["count"] == 2
    assert chairman["sections"]["opportunities"]["money"]["open_amount"]["amount"] == "1110000.00"


def test_the_summary_is_404_out_of_scope_and_leaves_out_modules_one_may_not_read(rich, demo_org, api_for):
    """CUS-6: another branch's salesperson gets 404; a service agent gets no money."""
    response = _summary(api_for, demo_org["zhuwei"], rich.customer)
    assert response.status_code == 404 and response["Content-Type"].startswith("application/problem+json")
    agent = _summary(api_for, demo_org["xuting"], rich.customer).json()["sections"]
    assert "tickets" in agent and "receivables" not in agent and "opportunities" not in agent


def test_the_summary_is_documented_and_cheap(rich, demo_org, api_for, django_assert_max_num_queries):
    """CUS-6: in the OpenAPI document; one query or two per section."""
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/customers/{customer_id}/summary" in paths
    client, headers = api_for(demo_org["chenzhiqiang"])
    client.get(f"/api/v1/customers/{rich.customer.pk}/summary", headers=headers)
    # twelve sections, one query each; analytics' CLV, cross- and up-sell 4; marketing's six
    # (segments, campaigns, forms, referrals, suppressed addresses, member card) one each
    with django_assert_max_num_queries(33):
        assert client.get(f"/api/v1/customers/{rich.customer.pk}/summary", headers=headers).status_code == 200
