"""ORG-5: a user never sees a link or button they may not use; links and views share one check."""

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import resolve

from guanxi.core import navigation
from guanxi.core.permissions import AUTHENTICATED, declared_permission, may_open
from guanxi.customers.services import customer_create
from guanxi.testing.sales import confirmed_order


def test_may_open_asks_the_view_its_own_permission(demo_org):
    """ORG-5: the branch form needs org.manage: the administrator may open it, a salesperson not."""
    assert may_open(demo_org["zhaolei"], "/org/branches/1/")
    assert not may_open(demo_org["liuyang"], "/org/branches/1/")
    assert may_open(demo_org["liuyang"], "/org/branches/")
    assert not may_open(demo_org["liuyang"], "/no/such/page/")


def test_template_helpers_expose_the_same_check(demo_org):
    """ORG-5: templates gate links with ``can`` and ``url_if_allowed``."""
    source = Template("{% load guanxi %}{% if request.user|can:'org.manage' %}manage{% endif %}"
                      "|{% url_if_allowed 'org:branch_create' as url %}{{ url }}")
    for username, expected in (("zhaolei", "manage|/org/branches/new/"), ("liuyang", "|")):
        request = RequestFactory().get("/")
        request.user = demo_org[username]
        assert source.render(Context({"request": request})) == expected


def test_list_rows_link_only_to_pages_the_user_may_open(demo_org, client_for):
    """ORG-5: the branch list links each branch to its form for an administrator only."""
    assert 'href="/org/branches/' in client_for(demo_org["zhaolei"]).get("/org/branches/").content.decode()
    html = client_for(demo_org["liuyang"]).get("/org/branches/").content.decode()
    assert "广州总部" in html and 'href="/org/branches/1/"' not in html


def test_action_buttons_are_hidden_without_the_permission(demo_org, client_for):
    """ORG-5: no "scan customers" for finance, no "new article" for a salesperson."""
    assert "/customers/duplicates/scan/" not in client_for(demo_org["gaoyan"]).get(
        "/customers/duplicates/").content.decode()
    assert "/service/knowledge/new/" not in client_for(demo_org["liuyang"]).get(
        "/service/knowledge/").content.decode()


def test_the_shipping_form_is_offered_only_to_who_may_ship(demo_org, client_for):
    """ORG-5, SAL-5: a salesperson sees no shipping form on a confirmed order; the sales
    assistant of the department, who may ship, does."""

    seller = demo_org["liuyang"]
    order = confirmed_order(seller, customer_create(actor=seller, name="发货权限测试有限公司"))
    assert 'id="ship-form"' not in client_for(seller).get(order.get_absolute_url()).content.decode()
    assert 'id="ship-form"' in client_for(demo_org["huangli"]).get(order.get_absolute_url()).content.decode()


def test_menu_items_declare_the_permission_of_their_page():
    """ORG-5: a menu item asks at least what its view checks (a menu never offers a 403)."""

    mismatched = [(item.url_name, item.permission, declared_permission(resolve(item.url()).func))
                  for section in navigation._sections.values() for item in section.items
                  if declared_permission(resolve(item.url()).func) not in (item.permission, AUTHENTICATED)]
    assert not mismatched, mismatched


def test_customer_page_offers_no_receipt_form_to_a_salesperson(demo_org, client_for):
    """ORG-5, FIN: "Record a receipt" is for finance; a salesperson's customer page does not offer it."""

    seller = demo_org["liuyang"]
    customer = customer_create(actor=seller, name="回款权限测试有限公司")
    assert "/finance/receipts/new/" not in client_for(seller).get(customer.get_absolute_url()).content.decode()
    assert "/finance/receipts/new/" in client_for(demo_org["zhouhong"]).get(
        customer.get_absolute_url()).content.decode()
