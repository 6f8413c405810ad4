"""Issue 11.8: the opportunity form offers only the chosen customer's contacts (and the
server refuses another customer's), and the pipeline board has filters (owner,
department, branch, amount) that keep to the user's scope and stay in the URL."""

import json
import re
from decimal import Decimal

import pytest

from guanxi.core.errors import ValidationFailed
from guanxi.customers.services import contact_create, customer_create
from guanxi.sales import services
from guanxi.sales.models import Opportunity


@pytest.fixture
def two_customers(seller):
    first = customer_create(actor=seller, name="广州甲方电子有限公司")
    second = customer_create(actor=seller, name="广州乙方贸易有限公司")
    contact_create(actor=seller, customer=first, name="甲方张三")
    contact_create(actor=seller, customer=second, name="乙方李四")
    return first, second


def _contact_options(html):
    select = re.search(r'<select name="contact".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def test_the_form_lists_only_the_chosen_customers_contacts(seller, two_customers, client_for):
    """Issue 11.8: contacts of the customer chosen, reloaded when the customer changes."""
    first, second = two_customers
    client = client_for(seller)
    html = client.get(f"/sales/opportunities/new/?customer={first.pk}").content.decode()
    assert _contact_options(html) == ["甲方张三"]
    assert 'hx-get="/sales/opportunities/contacts/"' in html and 'hx-target="#id_contact"' in html
    options = client.get("/sales/opportunities/contacts/", {"customer": second.pk}).content.decode()
    assert "乙方李四" in options and "甲方张三" not in options
    assert "<option" not in client.get("/sales/opportunities/new/").content.decode().split(
        '<select name="contact"', 1)[1].split("</select>", 1)[0].replace('<option value="" selected>', "")


def test_contact_options_are_scoped(seller, two_customers, demo_org, client_for):
    """Issue 11.8: another branch's salesperson gets no contacts of liuyang's customer."""
    first, _second = two_customers
    options = client_for(demo_org["zhuwei"]).get("/sales/opportunities/contacts/", {"customer": first.pk})
    assert "甲方张三" not in options.content.decode()


def test_a_contact_of_another_customer_is_refused_everywhere(seller, two_customers, client_for, api_for):
    """Issue 11.8: the form, the service and the API refuse a contact that is not the
    customer's, and nothing is saved."""
    first, second = two_customers
    stranger = second.contacts.get()
    client = client_for(seller)
    response = client.post("/sales/opportunities/new/", {"name": "错联系人项目", "customer": first.pk,
                                                         "contact": stranger.pk, "amount": "100"})
    assert response.status_code == 200 and not Opportunity.objects.filter(name="错联系人项目").exists()
    with pytest.raises(ValidationFailed) as refused:
        services.opportunity_create(actor=seller, customer=first, name="错联系人项目", contact=stranger)
    assert refused.value.errors[0]["field"] == "contact"
    own = first.contacts.get()
    api, headers = api_for(seller)
    body = {"name": "接口项目", "customer_id": first.pk, "contact_id": stranger.pk, "amount": "100.00"}
    bad = api.post("/api/v1/opportunities", json.dumps(body), content_type="application/json", headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "contact_id"
    assert not Opportunity.objects.filter(name="接口项目").exists()
    good = api.post("/api/v1/opportunities", json.dumps({**body, "contact_id": own.pk}),
                    content_type="application/json", headers=headers)
    assert good.status_code == 201 and good.json()["contact_id"] == own.pk
    opportunity_id = good.json()["id"]
    patched = api.patch(f"/api/v1/opportunities/{opportunity_id}", json.dumps({"contact_id": stranger.pk}),
                        content_type="application/json", headers=headers)
    assert patched.status_code == 422
    assert Opportunity.objects.get(pk=opportunity_id).contact == own


# --- the board's filters ----------------------------------------------------------------
@pytest.fixture
def pipeline_of_the_company(demo_org):
    """Opportunities of a Guangzhou salesperson, his manager and a Beijing salesperson."""
    made = {}
    for username, name, amount in (("liuyang", "刘洋的小单", "5000"), ("liuyang", "刘洋的大单", "300000"),
                                   ("wangjianguo", "王经理的单", "80000"), ("zhuwei", "朱伟的北京单", "150000")):
        user = demo_org[username]
        customer = customer_create(actor=user, name=f"{name}客户有限公司")
        made[name] = services.opportunity_create(actor=user, customer=customer, name=name, amount=Decimal(amount))
    return made


def _cards(html):
    return set(re.findall(r'<li class="card"[^>]*>\s*<a href="[^"]+">([^<]+)</a>', html))


ALL = {"刘洋的小单", "刘洋的大单", "王经理的单", "朱伟的北京单"}


def test_the_board_filters_by_owner_department_branch_and_amount(pipeline_of_the_company, demo_org, client_for):
    """SAL-2, issue 11.8: the chairman's board narrowed by owner, department, branch and amount,
    the filters kept in the URL of the links to the list."""
    client = client_for(demo_org["chenzhiqiang"])
    board = client.get("/sales/opportunities/").content.decode()
    assert _cards(board) == ALL
    for name in ('name="owner"', 'name="department"', 'name="branch"', 'name="amount_min"', 'name="amount_max"'):
        assert name in board
    liuyang, zhuwei = demo_org["liuyang"], demo_org["zhuwei"]
    assert _cards(client.get("/sales/opportunities/", {"owner": liuyang.pk}).content.decode()) == {
        "刘洋的小单", "刘洋的大单"}
    assert _cards(client.get("/sales/opportunities/", {"branch": zhuwei.branch_id}).content.decode()) == {
        "朱伟的北京单"}
    assert _cards(client.get("/sales/opportunities/", {"department": liuyang.department_id}).content.decode()) == {
        "刘洋的小单", "刘洋的大单", "王经理的单"}
    amounts = client.get("/sales/opportunities/", {"amount_min": "50000", "amount_max": "200000"}).content.decode()
    assert _cards(amounts) == {"王经理的单", "朱伟的北京单"}
    assert 'value="50000"' in amounts  # the form shows what is applied
    # The list the board links to applies the same filters.
    stage = pipeline_of_the_company["王经理的单"].stage
    assert "/sales/opportunities/list/?amount_min=50000&amp;amount_max=200000" in amounts
    listed = client.get("/sales/opportunities/list/", {"stage": stage.pk, "amount_min": "50000",
                                                       "amount_max": "200000"}).content.decode()
    assert "王经理的单" in listed and "朱伟的北京单" in listed and "刘洋的大单" not in listed
    bad = client.get("/sales/opportunities/", {"amount_min": "lots"}).content.decode()
    assert _cards(bad) == ALL and "lots" in bad  # refused with a message, not a 500


def test_a_board_filter_never_widens_the_scope(pipeline_of_the_company, demo_org, client_for):
    """ORG-3, issue 11.8: a salesperson asking for another's or another branch's cards sees none
    of them; the choices offer only people and places in scope."""
    client = client_for(demo_org["liuyang"])
    own = client.get("/sales/opportunities/").content.decode()
    assert _cards(own) == {"刘洋的小单", "刘洋的大单"}
    assert "朱伟" not in own and "王建国" not in own.split('name="owner"', 1)[-1].split("</select>", 1)[0]
    for params in ({"owner": demo_org["zhuwei"].pk}, {"branch": demo_org["zhuwei"].branch_id},
                   {"owner": demo_org["wangjianguo"].pk}):
        assert not _cards(client.get("/sales/opportunities/", params).content.decode()) & {"朱伟的北京单", "王经理的单"}


def test_the_board_says_when_nothing_matches(pipeline_of_the_company, demo_org, client_for):
    """Issue 11.8: a clear empty state with a way back to the whole board."""
    client = client_for(demo_org["chenzhiqiang"])
    html = client.get("/sales/opportunities/", {"amount_min": "99999999"}).content.decode()
    assert not _cards(html)
    assert 'class="empty-state"' in html and 'href="/sales/opportunities/"' in html


def test_dragging_still_works_on_a_filtered_board(pipeline_of_the_company, demo_org, client_for):
    """Issue 11.8: the filtered board keeps its drag-and-drop target and moves cards."""
    client = client_for(demo_org["chenzhiqiang"])
    html = client.get("/sales/opportunities/", {"owner": demo_org["liuyang"].pk}).content.decode()
    assert 'id="board"' in html and 'draggable="true"' in html
    opportunity = pipeline_of_the_company["刘洋的大单"]
    target = opportunity.pipeline.stages.get(position=1)
    moved = client.post(f"/sales/opportunities/{opportunity.pk}/move/", {"stage": target.pk}, HTTP_HX_REQUEST="true")
    assert moved.status_code == 204


def test_the_opportunity_form_offers_a_searchable_few_customers(demo_org, client_for):
    """SAL-2 (issue 11 leftover): the opportunity form does not list every customer the
    user may sell to (2,000 for the chairman): the likeliest few and a search box that finds
    any other; a customer found by search and not listed is still accepted."""
    chairman = demo_org["chenzhiqiang"]
    customers = [customer_create(actor=chairman, name=f"商机客户{i:02d}有限公司") for i in range(40)]
    client = client_for(chairman)
    page = client.get("/sales/opportunities/new/").content.decode()
    form_select = page.split('name="customer"', 1)[1].split("</select>", 1)[0]
    assert form_select.count("<option") <= 31
    assert 'hx-get="/sales/customers/options/"' in page
    oldest = customers[0]
    assert f'value="{oldest.pk}"' not in form_select
    response = client.post("/sales/opportunities/new/", {"name": "远端客户项目", "customer": oldest.pk, "amount": "1000"})
    assert response.status_code == 302, response.content.decode()[:500]
