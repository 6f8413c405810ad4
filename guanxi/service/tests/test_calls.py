"""SRV-7 (telephony): the caller page an agent opens from the call notice, within scopes;
and SRV-5: the knowledge-base search page."""

import pytest

from guanxi.customers.services import customer_create, interaction_create
from guanxi.org.models import DataScope, Role
from guanxi.service import intake, services
from guanxi.service.models import CallEvent

XSS = "<script>alert(1)</script>"


@pytest.fixture
def agent(demo_org):
    return demo_org["xuting"]


@pytest.fixture
def customer(demo_org):
    return customer_create(actor=demo_org["liuyang"], name=f"广州来电客户{XSS}", mobile="13912345678",
                           phone="020-3888 1234", email="caller@customer.example")


def test_the_caller_page_shows_the_customer_open_tickets_and_history(agent, customer, demo_org, client_for):
    """SRV-7: from the call notice, the agent sees who calls: the customer (tel: links),
    their open tickets and recent contacts, the call logged among them; markup inert."""
    open_ticket = services.ticket_create(actor=agent, subject="设备报修", customer=customer,
                                         ticket_type=services.pick("service.ticket_type", "repair"),
                                         severity=services.pick("service.severity", "normal"))
    closed = services.ticket_create(actor=agent, subject="已关闭的旧单", customer=customer,
                                    ticket_type=services.pick("service.ticket_type", "repair"),
                                    severity=services.pick("service.severity", "low"))
    services.ticket_set_status(actor=agent, ticket=closed, status="closed")
    interaction_create(actor=demo_org["liuyang"], customer=customer, summary="上周拜访过", channel="visit")
    call, created = intake.call_record(actor=agent, call_id="pbx-1", number="139 1234 5678", direction="in",
                                       duration_seconds=75, recording_url="https://pbx.example/r/1.mp3", agent=agent)
    assert created and call.customer == customer

    response = client_for(agent).get(f"/service/calls/{call.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="tel:+8613912345678"' in html and 'href="tel:+862038881234"' in html
    assert "设备报修" in html and "已关闭的旧单" not in html
    assert "上周拜访过" in html and "1:15" in html and 'href="https://pbx.example/r/1.mp3"' in html
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"/service/tickets/new/?customer={customer.pk}" in html
    assert open_ticket.get_absolute_url() in html


def test_the_caller_page_is_404_out_of_scope_and_hides_customers_one_may_not_see(agent, customer, demo_org,
                                                                                   client_for):
    """SRV-7/ORG-3: another branch's desk gets 404 for the call; someone who may see the
    call (its agent) but not the customer is told only that a customer has this number."""
    call, _created = intake.call_record(actor=agent, call_id="pbx-2", number="13912345678", direction="in",
                                        agent=agent)
    assert client_for(demo_org["luobin"]).get(f"/service/calls/{call.pk}/").status_code == 404
    assert client_for(demo_org["wuqiang"]).get(f"/service/calls/{call.pk}/").status_code == 403
    own = Role.objects.create(code="desk_own", name_zh="仅本人", name_en="Own only", data_scope=DataScope.OWN,
                              permissions=["service.view"])
    agent.roles.set([own])
    html = client_for(agent).get(f"/service/calls/{call.pk}/").content.decode()
    assert "广州来电客户" not in html and 'id="caller-tickets"' not in html
    assert "caller@customer.example" not in html


def test_an_unknown_number_and_an_ambiguous_one_match_no_customer(agent, customer, demo_org, client_for):
    """SRV-7: a number no customer has, or two customers share, links no customer; the
    caller page offers a new ticket."""
    customer_create(actor=demo_org["wangjianguo"], name="另一家公司", mobile="13700001111")
    customer_create(actor=demo_org["wangjianguo"], name="又一家公司", mobile="13700001111",
                    override_duplicate=True)
    for number in ("021-6666 0000", "13700001111", "not a number"):
        call, _created = intake.call_record(actor=agent, call_id=f"pbx-{number}", number=number, direction="out",
                                            agent=agent)
        assert call.customer is None and call.interaction is None
    page = client_for(agent).get(f"/service/calls/{CallEvent.objects.first().pk}/").content.decode()
    assert 'href="/service/tickets/new/"' in page


def test_the_knowledge_base_search_page_answers(agent, client_for):
    """SRV-5: searching the knowledge-base page works (it once failed: .only() on a joined
    queryset)."""
    services.article_save(actor=agent, title="打印机卡纸怎么办", body="先关机，取出卡住的纸。")
    response = client_for(agent).get("/service/knowledge/", {"q": "卡纸"})
    assert response.status_code == 200 and "打印机卡纸怎么办" in response.content.decode()
