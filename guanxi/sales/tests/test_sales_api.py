"""The sales REST API (SAL-1…5, SAL-10): every endpoint, its refusals, and the attacks of
SECURITY.md that reach it (IDOR, mass assignment, write-then-deny, stored XSS, CSV injection)."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.test import Client

from guanxi.accounts.services import token_issue
from guanxi.core import picklists
from guanxi.core.money import line_totals
from guanxi.core.transitions import status_history
from guanxi.customers.services import contact_create, customer_create
from guanxi.org.models import Department, DepartmentKind
from guanxi.sales import services
from guanxi.sales.models import (
    Lead,
    LeadStatus,
    Opportunity,
    Order,
    OrderLine,
    OrderStatus,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    QuoteStatus,
    Shipment,
    StageKind,
)
from guanxi.testing.factories import UserFactory

PROBLEM = "application/problem+json"
XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>'


class Api:
    """The API as one user: JSON in, the response out."""

    def __init__(self, user):
        _token, raw = token_issue(actor=user, name="test")
        self.client = Client()
        self.auth = {"Authorization": f"Bearer {raw}"}

    def _headers(self, headers, language):
        return {**self.auth, **(headers or {}), **({"Accept-Language": language} if language else {})}

    def get(self, url, params=None, *, headers=None, language=None):
        return self.client.get(url, params or {}, headers=self._headers(headers, language))

    def send(self, method, url, body=None, *, headers=None, language=None):
        data = json.dumps(body) if body is not None else ""
        return getattr(self.client, method)(url, data, content_type="application/json",
                                            headers=self._headers(headers, language))

    def post(self, url, body=None, **kwargs):
        return self.send("post", url, body, **kwargs)

    def patch(self, url, body, **kwargs):
        return self.send("patch", url, body, **kwargs)

    def delete(self, url, **kwargs):
        return self.send("delete", url, **kwargs)


def _problem(response, status):
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and {"type", "title", "detail"} <= set(body)
    return body


def _fields(response):
    return {error["field"] for error in _problem(response, 422)["errors"]}


def _state(record):
    """The stored row and its lines, to prove that a refused request changed nothing."""
    row = type(record)._base_manager.filter(pk=record.pk).values().get()
    lines = list(record.lines.order_by("pk").values()) if hasattr(record, "lines") else []
    return row, lines



@pytest.fixture
def manager(demo_org):
    """王建国, head of the Guangzhou sales department (every sales action, his department tree)."""
    return demo_org["wangjianguo"]


@pytest.fixture
def outsider(demo_org):
    """朱伟, a salesperson in Beijing: out of 刘洋's scope and 刘洋 out of his."""
    return demo_org["zhuwei"]


@pytest.fixture
def viewer(seller):
    """A Guangzhou accountant (finance supervisor): sees the branch's sales records, may change none."""

    department = Department.objects.get(branch=seller.branch, kind=DepartmentKind.FINANCE)
    return UserFactory(username="kuaiji", department=department, roles=["finance_supervisor"])


@pytest.fixture
def customer(seller):
    return customer_create(actor=seller, name="广州华达电子有限公司")


@pytest.fixture
def product(db):
    return Product.objects.create(sku="GX-DS100", name="工业显示器", list_price=Decimal("2999.00"))


@pytest.fixture
def other_customer(outsider):
    return customer_create(actor=outsider, name="北京远方科技有限公司")


def _quote(user, customer, product, quantity=2, **extra):
    return services.quote_create(actor=user, customer=customer,
                                 lines=[{"product": product, "quantity": Decimal(quantity)}], **extra)


def _order(user, customer, product, quantity=1, **extra):
    return services.order_create(actor=user, customer=customer,
                                 lines=[{"product": product, "quantity": Decimal(quantity)}], **extra)


def _confirmed_order(user, customer, product, quantity=5):
    order = _order(user, customer, product, quantity)
    return services.order_confirm(actor=user, order=order)  # no approval policy: confirmed at once


# --- products (SAL-10) ---------------------------------------------------------------
def test_products_create_read_patch_and_list(manager, seller, product):
    """SAL-10: the catalogue through the API; money as decimal strings; ETag on read and PATCH."""
    api = Api(manager)
    created = api.post("/api/v1/products", {"sku": "GX-CM200", "name": "控制模块", "category": "parts",
                                            "list_price": "458.5", "tax_rate": "0.09", "unit": "个"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["list_price"] == "458.50" and body["currency"] == "CNY" and body["category"] == "parts"
    read = api.get(f"/api/v1/products/{body['id']}")
    assert read.json() == body and read["ETag"]
    patched = api.patch(f"/api/v1/products/{body['id']}", {"list_price": "499", "is_active": False},
                        headers={"If-Match": read["ETag"]})
    assert patched.status_code == 200, patched.content
    assert patched.json()["list_price"] == "499.00" and patched["ETag"] != read["ETag"]
    assert api.get(f"/api/v1/products/{body['id']}")["ETag"] == patched["ETag"]
    stored = Product.objects.get(pk=body["id"])
    assert stored.list_price == Decimal("499.00") and not stored.is_active

    listing = Api(seller)
    assert [p["sku"] for p in listing.get("/api/v1/products", {"active": "true"}).json()["items"]] == ["GX-DS100"]
    assert [p["sku"] for p in listing.get("/api/v1/products", {"category": "parts"}).json()["items"]] == [
        "GX-CM200"]
    assert [p["sku"] for p in listing.get("/api/v1/products", {"q": "GX-C"}).json()["items"]] == ["GX-CM200"]
    _problem(listing.get("/api/v1/products/999999"), 404)


def test_product_writes_need_the_manage_permission(seller, product):
    """SAL-10, SECURITY (write, then deny): a salesperson may not change the catalogue."""
    api = Api(seller)
    before = _state(product)
    _problem(api.post("/api/v1/products", {"sku": "X-1", "name": "乱建", "list_price": "1"}), 403)
    _problem(api.patch(f"/api/v1/products/{product.pk}", {"list_price": "1"}), 403)
    assert Product.objects.count() == 1 and _state(product) == before


def test_product_bad_input_and_a_duplicate_sku_change_nothing(manager, product):
    """SAL-10: 422 with the fields named; a SKU in use is a 409 conflict."""
    api = Api(manager)
    other = Product.objects.create(sku="GX-OTHER", name="另一个", list_price=Decimal("1.00"))
    before = _state(product)
    assert _fields(api.post("/api/v1/products", {"sku": "", "name": "x", "list_price": "-1"})) == {
        "sku", "list_price"}
    assert _fields(api.post("/api/v1/products", {"sku": "N", "name": "x", "list_price": "1.234"})) == {
        "list_price"}
    assert _fields(api.post("/api/v1/products", {"sku": "N", "name": "x", "list_price": "1",
                                                 "category": "weapons"})) == {"category"}
    assert _fields(api.patch(f"/api/v1/products/{product.pk}", {"tax_rate": "2"})) == {"tax_rate"}
    duplicate = api.post("/api/v1/products", {"sku": "GX-DS100", "name": "重复", "list_price": "1"})
    assert _problem(duplicate, 409)["errors"][0]["field"] == "sku"
    _problem(api.patch(f"/api/v1/products/{other.pk}", {"sku": "GX-DS100"}), 409)
    assert Product.objects.count() == 2 and _state(product) == before
    assert Product.objects.get(pk=other.pk).sku == "GX-OTHER"


def test_product_patch_with_a_stale_if_match_is_412(manager, product):
    """SAL-10, API.md (lost updates): a stale ETag answers 412 and changes nothing."""
    api = Api(manager)
    etag = api.get(f"/api/v1/products/{product.pk}")["ETag"]
    assert api.patch(f"/api/v1/products/{product.pk}", {"name": "第一次"}, headers={"If-Match": etag}).status_code == 200
    _problem(api.patch(f"/api/v1/products/{product.pk}", {"name": "覆盖"}, headers={"If-Match": etag}), 412)
    assert Product.objects.get(pk=product.pk).name == "第一次"


def test_price_lists_and_pipelines(seller, product):
    """SAL-10, SAL-2: price lists per customer level with decimal prices; pipelines with stages."""

    price_list = PriceList.objects.create(name="VIP价", level=picklists.items("customers.level").get(code="vip"))
    PriceListItem.objects.create(price_list=price_list, product=product, price=Decimal("2699"))
    api = Api(seller)
    assert api.get("/api/v1/price-lists").json() == [
        {"id": price_list.pk, "name": "VIP价", "level": "vip", "customer_id": None, "valid_from": None,
         "valid_until": None, "currency": "CNY", "prices": {"GX-DS100": "2699.00"}}]
    pipelines = api.get("/api/v1/pipelines").json()
    assert len(pipelines) == 1 and [s["kind"] for s in pipelines[0]["stages"]][-2:] == ["won", "lost"]


# --- leads (SAL-1) ---------------------------------------------------------------------
def test_leads_create_read_patch_filter_and_delete(seller, manager):
    """SAL-1: leads through the API, soft-deleted by a manager."""
    api = Api(seller)
    created = api.post("/api/v1/leads", {"company": "佛山新客户有限公司", "name": "黄总", "mobile": "13800138000",
                                         "source": "website"})
    assert created.status_code == 201, created.content
    lead = created.json()
    assert lead["owner_id"] == seller.pk and lead["branch_id"] == seller.branch_id and lead["status"] == "new"
    read = api.get(f"/api/v1/leads/{lead['id']}")
    assert read.json() == lead
    patched = api.patch(f"/api/v1/leads/{lead['id']}", {"status": "contacted", "title": "总经理"},
                        headers={"If-Match": read["ETag"]})
    assert patched.status_code == 200 and patched.json()["status"] == "contacted"
    assert api.get(f"/api/v1/leads/{lead['id']}")["ETag"] == patched["ETag"]
    services.lead_create(actor=seller, company="另一条线索")

    def ids(**params):
        return [item["id"] for item in api.get("/api/v1/leads", params).json()["items"]]

    assert ids(status="contacted") == [lead["id"]]
    assert ids(source="website") == [lead["id"]]
    assert ids(q="13800138") == [lead["id"]] and ids(q="佛山") == [lead["id"]]
    assert len(ids(owner_id=seller.pk)) == 2
    _problem(api.get("/api/v1/leads", {"status": "nonsense"}), 422)

    boss = Api(manager)
    assert boss.delete(f"/api/v1/leads/{lead['id']}").status_code == 204
    _problem(boss.get(f"/api/v1/leads/{lead['id']}"), 404)
    assert lead["id"] not in ids()
    gone = Lead.all_objects.get(pk=lead["id"])
    assert gone.deleted_by == manager and gone.deleted_at is not None  # recoverable, not purged


def test_leads_out_of_scope_answer_404_and_change_nothing(seller, outsider):
    """SAL-1, ORG-3, SECURITY (IDOR): another branch's lead does not exist for the caller."""
    theirs = services.lead_create(actor=outsider, company="北京线索公司")
    before = _state(theirs)
    api = Api(seller)
    for response in (api.get(f"/api/v1/leads/{theirs.pk}"),
                     api.patch(f"/api/v1/leads/{theirs.pk}", {"company": "改掉"}),
                     api.post(f"/api/v1/leads/{theirs.pk}/convert", {})):
        _problem(response, 404)
    assert api.get("/api/v1/leads", {"owner_id": outsider.pk}).json()["items"] == []
    _problem(Api(outsider).delete(f"/api/v1/leads/{services.lead_create(actor=seller, company='刘的').pk}"), 403)
    assert _state(theirs) == before


def test_lead_delete_and_edit_need_their_permissions(seller, viewer, demo_org):
    """SAL-1, SECURITY (missing function-level checks): 403 and nothing changed."""
    lead = services.lead_create(actor=seller, company="广州线索公司")
    before = _state(lead)
    _problem(Api(seller).delete(f"/api/v1/leads/{lead.pk}"), 403)
    _problem(Api(viewer).patch(f"/api/v1/leads/{lead.pk}", {"company": "财务改的"}), 403)
    _problem(Api(viewer).post(f"/api/v1/leads/{lead.pk}/convert", {}), 403)
    _problem(Api(demo_org["zhaolei"]).get("/api/v1/leads"), 403)
    assert _state(lead) == before


def test_lead_bad_input_and_mass_assignment_change_nothing(seller, outsider):
    """SAL-1, SECURITY (mass assignment): owner, branch and conversion are the server's."""
    api = Api(seller)
    lead = services.lead_create(actor=seller, company="广州线索公司")
    before = _state(lead)
    url = f"/api/v1/leads/{lead.pk}"
    assert _fields(api.patch(url, {"owner_id": outsider.pk})) == {"owner_id"}
    assert _fields(api.patch(url, {"branch_id": outsider.branch_id, "customer_id": 1})) == {"branch_id",
                                                                                           "customer_id"}
    assert _fields(api.patch(url, {"status": "converted"})) == {"status"}
    assert _fields(api.patch(url, {"company": ""})) == {"company"}
    assert _fields(api.patch(url, {"source": "nowhere"})) == {"source"}
    assert _fields(api.post("/api/v1/leads", {"company": "x", "owner_id": outsider.pk})) == {"owner_id"}
    assert _fields(api.post("/api/v1/leads", {"name": "没有公司"})) == {"company"}
    assert _state(lead) == before and Lead.objects.count() == 1


def test_lead_conversion_once_and_edits_after_it_conflict(seller):
    """SAL-1: conversion makes a customer, a contact and an opportunity, once; 409 after."""
    api = Api(seller)
    lead = services.lead_create(actor=seller, company="深圳恒通物流有限公司", name="陈经理")
    converted = api.post(f"/api/v1/leads/{lead.pk}/convert", {"opportunity_name": "首单", "amount": "120000"})
    assert converted.status_code == 200, converted.content
    body = converted.json()
    assert body["status"] == "converted" and body["customer_id"] and body["opportunity_id"]
    opportunity = Api(seller).get(f"/api/v1/opportunities/{body['opportunity_id']}").json()
    assert opportunity["amount"] == "120000.00" and opportunity["name"] == "首单"
    before = _state(Lead.objects.get(pk=lead.pk))
    _problem(api.post(f"/api/v1/leads/{lead.pk}/convert", {}), 409)
    _problem(api.patch(f"/api/v1/leads/{lead.pk}", {"company": "改名"}), 409)
    assert _state(Lead.objects.get(pk=lead.pk)) == before
    assert Opportunity.objects.count() == 1


def test_lead_converts_into_an_existing_customer_in_scope(seller, customer, other_customer):
    """SAL-1: a duplicate is a 409; the caller may convert into its own customer, not another's."""
    api = Api(seller)
    duplicate = services.lead_create(actor=seller, company="广州华达电子有限公司")
    assert _problem(api.post(f"/api/v1/leads/{duplicate.pk}/convert", {}), 409)["type"].endswith("/duplicate")
    _problem(api.post(f"/api/v1/leads/{duplicate.pk}/convert", {"customer_id": other_customer.pk}), 404)
    assert Lead.objects.get(pk=duplicate.pk).status == LeadStatus.NEW
    done = api.post(f"/api/v1/leads/{duplicate.pk}/convert", {"customer_id": customer.pk})
    assert done.status_code == 200 and done.json()["customer_id"] == customer.pk


def test_lead_patch_with_a_stale_if_match_is_412(seller):
    """SAL-1, API.md (lost updates)."""
    api = Api(seller)
    lead = services.lead_create(actor=seller, company="广州线索公司")
    etag = api.get(f"/api/v1/leads/{lead.pk}")["ETag"]
    services.lead_update(actor=seller, lead=lead, notes="别人先改了")
    _problem(api.patch(f"/api/v1/leads/{lead.pk}", {"company": "覆盖"}, headers={"If-Match": etag}), 412)
    assert Lead.objects.get(pk=lead.pk).company == "广州线索公司"


# --- opportunities (SAL-2) -----------------------------------------------------------------
def test_opportunities_create_patch_move_filter_and_delete(seller, manager, customer):
    """SAL-2: the opportunity's life through the API."""
    api = Api(seller)
    created = api.post("/api/v1/opportunities", {"name": "显示器项目", "customer_id": customer.pk, "amount": 50000,
                                                 "expected_close_on": "2026-12-20"})
    assert created.status_code == 201, created.content
    opportunity = created.json()
    assert opportunity["amount"] == "50000.00" and opportunity["owner_id"] == seller.pk
    url = f"/api/v1/opportunities/{opportunity['id']}"
    etag = api.get(url)["ETag"]
    patched = api.patch(url, {"amount": "65000.5", "notes": "客户预算增加"}, headers={"If-Match": etag})
    assert patched.status_code == 200 and patched.json()["amount"] == "65000.50"
    stages = Opportunity.objects.get(pk=opportunity["id"]).pipeline.stages.order_by("position")
    moved = api.post(f"{url}/move", {"stage_id": stages[2].pk})
    assert moved.status_code == 200 and moved.json()["stage_id"] == stages[2].pk
    lost = stages.get(kind=StageKind.LOST)
    assert _fields(api.post(f"{url}/move", {"stage_id": lost.pk})) == {"lost_reason"}
    assert _fields(api.post(f"{url}/move", {"stage_id": lost.pk, "lost_reason": "bored"})) == {"lost_reason"}
    assert Opportunity.objects.get(pk=opportunity["id"]).stage == stages[2]
    closed = api.post(f"{url}/move", {"stage_id": lost.pk, "lost_reason": "price"}).json()
    assert closed["lost_reason"] == "price" and closed["closed_at"]
    other = services.opportunity_create(actor=seller, customer=customer, name="第二个", amount=Decimal("1"))

    def ids(**params):
        return {item["id"] for item in api.get("/api/v1/opportunities", params).json()["items"]}

    assert ids(stage_id=lost.pk) == {opportunity["id"]}
    assert ids(customer_id=customer.pk, owner_id=seller.pk) == {opportunity["id"], other.pk}
    assert ids(expected_close_on_from="2026-12-01", expected_close_on_to="2026-12-31") == {opportunity["id"]}
    assert ids(expected_close_on_to="2026-11-30") == set()
    assert _fields(api.get("/api/v1/opportunities", {"expected_close_on_from": "next week"})) == {
        "expected_close_on_from"}
    assert _fields(api.get("/api/v1/opportunities", {"ordering": "owner__password"})) == {"ordering"}

    assert Api(manager).delete(f"/api/v1/opportunities/{other.pk}").status_code == 204
    assert ids() == {opportunity["id"]}
    assert Opportunity.all_objects.get(pk=other.pk).deleted_by == manager


def test_opportunities_out_of_scope_answer_404_and_change_nothing(seller, manager, outsider, other_customer):
    """SAL-2, ORG-3, SECURITY (IDOR)."""
    theirs = services.opportunity_create(actor=outsider, customer=other_customer, name="北京项目")
    before = _state(theirs)
    stage = theirs.pipeline.stages.order_by("position")[1]
    url = f"/api/v1/opportunities/{theirs.pk}"
    for api in (Api(seller), Api(manager)):
        _problem(api.get(url), 404)
        _problem(api.patch(url, {"amount": "1"}), 404)
        _problem(api.post(f"{url}/move", {"stage_id": stage.pk}), 404)
    _problem(Api(manager).delete(url), 404)
    created = Api(seller).post("/api/v1/opportunities", {"name": "蹭单", "customer_id": other_customer.pk})
    _problem(created, 404)
    assert _state(theirs) == before and Opportunity.objects.count() == 1


def test_opportunity_writes_need_their_permissions(seller, viewer, customer):
    """SAL-2, SECURITY (write, then deny)."""
    opportunity = services.opportunity_create(actor=seller, customer=customer, name="广州项目")
    before = _state(opportunity)
    url = f"/api/v1/opportunities/{opportunity.pk}"
    _problem(Api(seller).delete(url), 403)
    finance = Api(viewer)
    assert finance.get(url).status_code == 200  # a permitted read…
    _problem(finance.patch(url, {"amount": "1"}), 403)  # …of an action the role may not take
    _problem(finance.post(f"{url}/move", {"stage_id": opportunity.stage_id}), 403)
    _problem(finance.post("/api/v1/opportunities", {"name": "x", "customer_id": customer.pk}), 403)
    assert _state(opportunity) == before and Opportunity.objects.count() == 1


def test_opportunity_mass_assignment_and_bad_input_change_nothing(seller, outsider, customer):
    """SAL-2, SECURITY (mass assignment): owner, branch, stage and close time are the server's."""
    api = Api(seller)
    opportunity = services.opportunity_create(actor=seller, customer=customer, name="广州项目")
    before = _state(opportunity)
    url = f"/api/v1/opportunities/{opportunity.pk}"
    for field, value in (("owner_id", outsider.pk), ("branch_id", outsider.branch_id), ("closed_at", None),
                         ("stage_id", opportunity.stage_id), ("customer_id", customer.pk), ("deleted_at", None)):
        assert _fields(api.patch(url, {field: value})) == {field}
    assert _fields(api.patch(url, {"amount": "-5"})) == {"amount"}
    assert _fields(api.patch(url, {"amount": "12.345"})) == {"amount"}
    assert _fields(api.patch(url, {"expected_close_on": "2026-13-01"})) == {"expected_close_on"}
    assert _fields(api.post("/api/v1/opportunities", {"name": "x", "customer_id": customer.pk,
                                                      "owner_id": outsider.pk})) == {"owner_id"}
    assert _fields(api.post("/api/v1/opportunities", {"name": "x", "customer_id": customer.pk,
                                                      "stage_id": 999999})) == {"stage_id"}
    assert _state(opportunity) == before and Opportunity.objects.count() == 1


def test_opportunity_patch_with_a_stale_if_match_is_412(seller, customer):
    """SAL-2, API.md (lost updates)."""
    api = Api(seller)
    opportunity = services.opportunity_create(actor=seller, customer=customer, name="广州项目")
    url = f"/api/v1/opportunities/{opportunity.pk}"
    etag = api.get(url)["ETag"]
    api.post(f"{url}/move", {"stage_id": opportunity.pipeline.stages.order_by("position")[1].pk})
    _problem(api.patch(url, {"name": "覆盖"}, headers={"If-Match": etag}), 412)
    assert Opportunity.objects.get(pk=opportunity.pk).name == "广州项目"


# --- quotes (SAL-3) -----------------------------------------------------------------------
def test_quote_lifecycle_through_the_api(seller, customer, product):
    """SAL-3: create, replace the lines of the draft, submit, send, version, PDF."""
    api = Api(seller)
    contact = contact_create(actor=seller, customer=customer, name="王经理")
    opportunity = services.opportunity_create(actor=seller, customer=customer, name="显示器项目")
    created = api.post("/api/v1/quotes", {
        "customer_id": customer.pk, "contact_id": contact.pk, "opportunity_id": opportunity.pk,
        "valid_until": "2026-12-31", "terms": "款到发货", "lines": [{"product_id": product.pk, "quantity": 2}]})
    assert created.status_code == 201, created.content
    quote = created.json()
    assert quote["status"] == "draft" and quote["version"] == 1 and quote["total"] == "6777.74"
    assert quote["lines"][0]["unit_price"] == "2999.00" and quote["opportunity_id"] == opportunity.pk
    url = f"/api/v1/quotes/{quote['id']}"
    etag = api.get(url)["ETag"]
    patched = api.patch(url, {"lines": [{"description": "安装服务", "quantity": "1", "unit_price": "800"},
                                        {"product_id": product.pk, "quantity": "1", "discount_percent": "5"}]},
                        headers={"If-Match": etag})
    assert patched.status_code == 200, patched.content
    assert [line["description"] for line in patched.json()["lines"]] == ["安装服务", "工业显示器"]
    assert api.get(url)["ETag"] == patched["ETag"]
    assert api.post(f"{url}/submit").json()["status"] == "approved"
    sent = api.post(f"{url}/send").json()
    assert sent["status"] == "sent" and sent["sent_at"]
    pdf = api.get(f"{url}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    assert pdf["Content-Disposition"].startswith("attachment;") and pdf["X-Content-Type-Options"] == "nosniff"
    version = api.post(f"{url}/versions")
    assert version.status_code == 201
    copy = version.json()
    assert copy["version"] == 2 and copy["number"] == quote["number"] and copy["previous_id"] == quote["id"]
    assert copy["status"] == "draft" and copy["total"] == patched.json()["total"]
    assert api.get(url).json()["status"] == "superseded"
    ids = {item["id"] for item in api.get("/api/v1/quotes", {"status": "draft"}).json()["items"]}
    assert ids == {copy["id"]}
    assert {i["id"] for i in api.get("/api/v1/quotes", {"opportunity_id": opportunity.pk}).json()["items"]} == {
        quote["id"], copy["id"]}
    assert api.get("/api/v1/quotes", {"q": quote["number"][:7]}).json()["items"]


def test_quote_state_conflicts_are_409_and_change_nothing(seller, customer, product):
    """SAL-3: only a draft (or an approved quote, back to draft) changes; sending needs a
    submitted quote; a replaced quote gets no new version."""
    api = Api(seller)
    quote = _quote(seller, customer, product)
    url = f"/api/v1/quotes/{quote.pk}"
    _problem(api.post(f"{url}/send"), 409)
    _problem(api.post(f"{url}/accept"), 409)
    services.quote_submit(actor=seller, quote=quote)
    services.quote_mark_sent(actor=seller, quote=quote)
    before = _state(quote)
    _problem(api.patch(url, {"terms": "改条款"}), 409)
    _problem(api.patch(url, {"lines": [{"description": "x", "quantity": 1, "unit_price": "1"}]}), 409)
    _problem(api.post(f"{url}/submit"), 409)
    assert _state(quote) == before
    api.post(f"{url}/versions")
    _problem(api.post(f"{url}/versions"), 409)
    assert Quote.objects.filter(number=quote.number).count() == 2


def test_quote_approved_and_edited_goes_back_to_draft(seller, customer, product):
    """SAL-3: editing an approved quote (not yet sent) asks for submission again."""
    api = Api(seller)
    quote = services.quote_submit(actor=seller, quote=_quote(seller, customer, product))
    assert quote.status == QuoteStatus.APPROVED
    assert api.patch(f"/api/v1/quotes/{quote.pk}", {"terms": "三十天账期"}).json()["status"] == "draft"


def test_a_quote_accepted_twice_makes_one_order(seller, customer, product):
    """SAL-3, SAL-4 (acceptance): accepting again answers the same order."""
    api = Api(seller)
    quote = services.quote_submit(actor=seller, quote=_quote(seller, customer, product, quantity=3))
    first = api.post(f"/api/v1/quotes/{quote.pk}/accept")
    second = api.post(f"/api/v1/quotes/{quote.pk}/accept")
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"] and first.json()["quote_id"] == quote.pk
    assert Order.objects.filter(quote=quote).count() == 1 and Order.objects.count() == 1
    assert first.json()["total"] == str(Quote.objects.get(pk=quote.pk).total)
    assert api.get(f"/api/v1/quotes/{quote.pk}").json()["status"] == "accepted"
    _problem(api.post(f"/api/v1/quotes/{quote.pk}/versions"), 409)


def test_quote_bad_lines_are_422_by_index_and_change_nothing(seller, customer, product):
    """SAL-3: field errors name the line by its index in the body; a bad PATCH keeps the lines."""
    api = Api(seller)
    quote = _quote(seller, customer, product)
    before = _state(quote)
    url = f"/api/v1/quotes/{quote.pk}"
    assert _fields(api.patch(url, {"lines": []})) == {"lines"}
    assert _fields(api.patch(url, {"lines": [{"product_id": product.pk, "quantity": "1"},
                                             {"product_id": 999999, "quantity": "1"}]})) == {"lines.1.product_id"}
    assert _fields(api.patch(url, {"lines": [{"product_id": product.pk, "quantity": "0"}]})) == {"lines.0.quantity"}
    assert _fields(api.patch(url, {"lines": [{"product_id": product.pk, "quantity": "1"},
                                             {"description": "", "quantity": "1", "unit_price": "5"}]})) == {
        "lines.1.description"}
    assert _fields(api.patch(url, {"lines": [{"quantity": "1", "unit_price": "5"}]})) == {"lines.0.description"}
    assert _fields(api.patch(url, {"lines": [{"product_id": product.pk, "quantity": "1",
                                              "discount_percent": "101"}]})) == {"lines.0.discount_percent"}
    assert _fields(api.patch(url, {"valid_until": "soon"})) == {"valid_until"}
    before_count = Quote.objects.count()
    assert _fields(api.post("/api/v1/quotes", {"customer_id": customer.pk, "lines": []})) == {"lines"}
    assert _fields(api.post("/api/v1/quotes", {"customer_id": customer.pk})) == {"lines"}
    assert _state(quote) == before and Quote.objects.count() == before_count


def test_quote_mass_assignment_is_refused(seller, outsider, customer, product):
    """SAL-3, SECURITY (mass assignment): totals, status, number, owner and branch are the server's."""
    api = Api(seller)
    quote = _quote(seller, customer, product)
    before = _state(quote)
    url = f"/api/v1/quotes/{quote.pk}"
    for field, value in (("total", "0.01"), ("subtotal", "0"), ("status", "accepted"), ("number", "QT-X"),
                         ("owner_id", outsider.pk), ("branch_id", outsider.branch_id), ("version", 9),
                         ("customer_id", customer.pk)):
        assert _fields(api.patch(url, {field: value})) == {field}
    line_total = api.patch(url, {"lines": [{"product_id": product.pk, "quantity": 1, "total": "0.01"}]})
    assert _fields(line_total) == {"lines.0.total"}
    line_tax = api.patch(url, {"lines": [{"product_id": product.pk, "quantity": 1, "tax_rate": "0"}]})
    assert _fields(line_tax) == {"lines.0.tax_rate"}
    created = api.post("/api/v1/quotes", {"customer_id": customer.pk, "status": "approved",
                                          "lines": [{"product_id": product.pk, "quantity": 1}]})
    assert _fields(created) == {"status"}
    assert _state(quote) == before and Quote.objects.count() == 1


def test_quote_references_stay_within_the_customer_and_the_scope(seller, customer, product, outsider,
                                                                 other_customer):
    """SAL-3, SECURITY (IDOR): a contact or opportunity of another customer cannot be linked."""
    api = Api(seller)
    quote = _quote(seller, customer, product)
    before = _state(quote)
    foreign_contact = contact_create(actor=outsider, customer=other_customer, name="北京联系人")
    foreign_opportunity = services.opportunity_create(actor=outsider, customer=other_customer, name="北京项目")
    second_customer = customer_create(actor=seller, name="广州第二客户有限公司")
    own_other = services.opportunity_create(actor=seller, customer=second_customer, name="另一个客户的项目")
    url = f"/api/v1/quotes/{quote.pk}"
    assert _fields(api.patch(url, {"contact_id": foreign_contact.pk})) == {"contact_id"}
    assert _fields(api.patch(url, {"opportunity_id": foreign_opportunity.pk})) == {"opportunity_id"}
    assert _fields(api.patch(url, {"opportunity_id": own_other.pk})) == {"opportunity_id"}
    _problem(api.post("/api/v1/quotes", {"customer_id": other_customer.pk,
                                         "lines": [{"product_id": product.pk, "quantity": 1}]}), 404)
    assert _state(quote) == before and Quote.objects.count() == 1


def test_quotes_out_of_scope_answer_404_and_change_nothing(seller, outsider, other_customer, product):
    """SAL-3, ORG-3, SECURITY (IDOR): also the PDF download."""
    theirs = services.quote_submit(actor=outsider, quote=_quote(outsider, other_customer, product))
    before = _state(theirs)
    api = Api(seller)
    url = f"/api/v1/quotes/{theirs.pk}"
    for response in (api.get(url), api.get(f"{url}/pdf"), api.patch(url, {"terms": "x"}),
                     api.post(f"{url}/submit"), api.post(f"{url}/send"), api.post(f"{url}/versions"),
                     api.post(f"{url}/accept")):
        _problem(response, 404)
    assert api.get("/api/v1/quotes", {"customer_id": other_customer.pk}).json()["items"] == []
    assert _state(theirs) == before and not Order.objects.exists()


def test_quote_actions_need_their_permissions(seller, viewer, demo_org, customer, product):
    """SAL-3, SECURITY (write, then deny): a viewer reads and downloads, changes nothing."""
    quote = services.quote_submit(actor=seller, quote=_quote(seller, customer, product))
    before = _state(quote)
    finance = Api(viewer)
    url = f"/api/v1/quotes/{quote.pk}"
    assert finance.get(url).status_code == 200 and finance.get(f"{url}/pdf").status_code == 200
    for response in (finance.patch(url, {"terms": "x"}), finance.post(f"{url}/submit"),
                     finance.post(f"{url}/send"), finance.post(f"{url}/versions"), finance.post(f"{url}/accept"),
                     finance.post("/api/v1/quotes", {"customer_id": customer.pk,
                                                     "lines": [{"product_id": product.pk, "quantity": 1}]})):
        _problem(response, 403)
    _problem(Api(demo_org["zhaolei"]).get(f"{url}/pdf"), 403)
    assert _state(quote) == before and Quote.objects.count() == 1 and not Order.objects.exists()


def test_quote_patch_with_a_stale_if_match_is_412(seller, customer, product):
    """SAL-3, API.md (lost updates): the ETag covers the lines too."""
    api = Api(seller)
    quote = _quote(seller, customer, product)
    url = f"/api/v1/quotes/{quote.pk}"
    etag = api.get(url)["ETag"]
    services.quote_update(actor=seller, quote=quote, lines=[{"product": product, "quantity": Decimal("9")}])
    before = _state(quote)
    _problem(api.patch(url, {"terms": "覆盖"}, headers={"If-Match": etag}), 412)
    assert _state(quote) == before


# --- orders (SAL-4) -----------------------------------------------------------------------
def test_order_lifecycle_through_the_api(seller, customer, product):
    """SAL-4: create, change the draft, confirm, filter; cancel with a reason."""
    api = Api(seller)
    created = api.post("/api/v1/orders", {"customer_id": customer.pk, "delivery_date": "2026-12-15",
                                          "lines": [{"product_id": product.pk, "quantity": 2}]})
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["status"] == "draft" and order["order_date"] and order["total"] == "6777.74"
    url = f"/api/v1/orders/{order['id']}"
    etag = api.get(url)["ETag"]
    patched = api.patch(url, {"delivery_date": "2026-12-20", "notes": "加急",
                              "lines": [{"product_id": product.pk, "quantity": 1}]}, headers={"If-Match": etag})
    assert patched.status_code == 200, patched.content
    assert patched.json()["total"] == "3388.87" and patched.json()["delivery_date"] == "2026-12-20"
    assert api.get(url)["ETag"] == patched["ETag"]
    confirmed = api.post(f"{url}/confirm").json()
    assert confirmed["status"] == "confirmed" and confirmed["confirmed_at"]
    second = _order(seller, customer, product, delivery_date="2027-01-10")

    def ids(**params):
        return {item["id"] for item in api.get("/api/v1/orders", params).json()["items"]}

    assert ids(status="confirmed") == {order["id"]}
    assert ids(delivery_date_from="2026-12-01", delivery_date_to="2026-12-31") == {order["id"]}
    assert ids(delivery_date_from="2027-01-01") == {second.pk}
    assert ids(customer_id=customer.pk) == {order["id"], second.pk}
    cancelled = api.post(f"/api/v1/orders/{second.pk}/cancel", {"reason": "客户取消采购"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    # the reason is kept in the status history, not appended to the remarks

    assert cancelled.json()["notes"] == "" and status_history(second)[-1].reason == "客户取消采购"


def test_order_state_conflicts_are_409_and_change_nothing(seller, customer, product):
    """SAL-4: only a draft changes or is confirmed; a cancelled order is not cancelled again."""
    api = Api(seller)
    order = _confirmed_order(seller, customer, product)
    url = f"/api/v1/orders/{order.pk}"
    before = _state(order)
    _problem(api.patch(url, {"notes": "改"}), 409)
    _problem(api.patch(url, {"lines": [{"product_id": product.pk, "quantity": 99}]}), 409)
    _problem(api.post(f"{url}/confirm"), 409)
    assert _state(order) == before
    assert api.post(f"{url}/cancel", {"reason": "不要了"}).status_code == 200
    cancelled = _state(order)
    _problem(api.post(f"{url}/cancel", {"reason": "再取消一次"}), 409)
    assert _state(order) == cancelled


def test_order_bad_input_and_mass_assignment_change_nothing(seller, outsider, customer, product):
    """SAL-4, SECURITY (mass assignment): totals, status, owner, branch and the quote are the server's."""
    api = Api(seller)
    order = _order(seller, customer, product)
    before = _state(order)
    url = f"/api/v1/orders/{order.pk}"
    for field, value in (("total", "0.01"), ("status", "confirmed"), ("owner_id", outsider.pk),
                         ("branch_id", outsider.branch_id), ("quote_id", 1), ("number", "SO-X"),
                         ("confirmed_at", "2026-01-01T00:00:00+08:00")):
        assert _fields(api.patch(url, {field: value})) == {field}
    assert _fields(api.patch(url, {"delivery_date": "31/12/2026"})) == {"delivery_date"}
    assert _fields(api.patch(url, {"lines": [{"product_id": product.pk, "quantity": "-1"}]})) == {
        "lines.0.quantity"}
    assert _fields(api.post(f"{url}/cancel", {"reason": "   "})) == {"reason"}
    assert _fields(api.post(f"{url}/cancel", {})) == {"reason"}
    assert _fields(api.post("/api/v1/orders", {"customer_id": customer.pk, "owner_id": outsider.pk,
                                               "lines": [{"product_id": product.pk, "quantity": 1}]})) == {
        "owner_id"}
    assert _state(order) == before and Order.objects.count() == 1


def test_orders_out_of_scope_answer_404_and_change_nothing(seller, outsider, other_customer, product):
    """SAL-4, ORG-3, SECURITY (IDOR)."""
    theirs = _order(outsider, other_customer, product)
    before = _state(theirs)
    api = Api(seller)
    url = f"/api/v1/orders/{theirs.pk}"
    for response in (api.get(url), api.patch(url, {"notes": "x"}), api.post(f"{url}/confirm"),
                     api.post(f"{url}/cancel", {"reason": "x"})):
        _problem(response, 404)
    assert api.get("/api/v1/orders", {"customer_id": other_customer.pk}).json()["items"] == []
    assert _state(theirs) == before


def test_order_writes_need_their_permissions(seller, viewer, customer, product):
    """SAL-4, SECURITY (write, then deny)."""
    order = _order(seller, customer, product)
    before = _state(order)
    finance = Api(viewer)
    url = f"/api/v1/orders/{order.pk}"
    assert finance.get(url).status_code == 200
    for response in (finance.patch(url, {"notes": "x"}), finance.post(f"{url}/confirm"),
                     finance.post(f"{url}/cancel", {"reason": "x"}),
                     finance.post("/api/v1/orders", {"customer_id": customer.pk,
                                                     "lines": [{"product_id": product.pk, "quantity": 1}]})):
        _problem(response, 403)
    assert _state(order) == before and Order.objects.count() == 1


def test_order_patch_with_a_stale_if_match_is_412(seller, customer, product):
    """SAL-4, API.md (lost updates)."""
    api = Api(seller)
    order = _order(seller, customer, product)
    url = f"/api/v1/orders/{order.pk}"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"notes": "第一次"}, headers={"If-Match": etag}).status_code == 200
    before = _state(order)
    _problem(api.patch(url, {"notes": "覆盖"}, headers={"If-Match": etag}), 412)
    assert _state(order) == before


# --- shipping notes (SAL-5) -----------------------------------------------------------------
def test_shipments_partial_then_the_rest(seller, demo_org, customer, product):
    """SAL-5: an assistant ships part of a confirmed order, then the remainder."""
    order = _confirmed_order(seller, customer, product, quantity=5)
    api = Api(demo_org["huangli"])
    first = api.post("/api/v1/shipments", {"order_id": order.pk, "quantities": {"1": "2"}, "warehouse": "gz",
                                           "notes": "第一批"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["lines"] == [{"order_line": 1, "quantity": "2.000"}] and body["warehouse"] == "gz"
    assert api.get(f"/api/v1/shipments/{body['id']}").json() == body
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PARTLY_SHIPPED
    rest = api.post("/api/v1/shipments", {"order_id": order.pk, "quantities": {"1": "3"}})
    assert rest.status_code == 201
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    listed = api.get("/api/v1/shipments", {"order_id": order.pk}).json()["items"]
    assert {s["id"] for s in listed} == {body["id"], rest.json()["id"]}
    _problem(api.post("/api/v1/shipments", {"order_id": order.pk, "quantities": {"1": "1"}}), 409)
    _problem(Api(seller).post(f"/api/v1/orders/{order.pk}/cancel", {"reason": "发了货还想取消"}), 409)


def test_shipped_never_exceeds_ordered_through_the_api(seller, demo_org, customer, product):
    """SAL-5 (acceptance): too much is a 422 naming the line; repeated requests stop at the order."""
    # Given a confirmed order of 3 and an assistant who may ship
    order = _confirmed_order(seller, customer, product, quantity=3)
    api = Api(demo_org["huangli"])
    # When she asks for more than is left, nothing ships
    over = api.post("/api/v1/shipments", {"order_id": order.pk, "quantities": {"1": "3.001"}})
    assert _fields(over) == {"quantities.1"}
    assert not Shipment.objects.exists()
    # When she ships one at a time, five times, then three ship and the rest are refused
    statuses = [api.post("/api/v1/shipments", {"order_id": order.pk, "quantities": {"1": "1"}}).status_code
                for _attempt in range(5)]
    assert statuses == [201, 201, 201, 409, 409]
    line = OrderLine.objects.get(order=order)
    assert line.shipped_quantity == line.quantity == Decimal("3")
    assert Shipment.objects.count() == 3


def test_shipment_bad_input_and_state_conflicts_change_nothing(seller, demo_org, customer, product):
    """SAL-5: unknown lines, negative or over-precise quantities, nothing to ship, a draft order."""
    api = Api(demo_org["huangli"])
    draft = _order(seller, customer, product, 2)
    _problem(api.post("/api/v1/shipments", {"order_id": draft.pk, "quantities": {"1": "1"}}), 409)
    order = _confirmed_order(seller, customer, product, quantity=2)
    before = _state(order)
    for quantities, field in (({"7": "1"}, "quantities.7"), ({"1": "-1"}, "quantities.1"),
                              ({"1": "0.0001"}, "quantities.1"), ({"1": "0"}, "quantities"),
                              ({}, "quantities"), ({"one": "1"}, "quantities.one")):
        response = api.post("/api/v1/shipments", {"order_id": order.pk, "quantities": quantities})
        assert any(f.startswith(field) for f in _fields(response)), (quantities, response.json())
    assert _fields(api.post("/api/v1/shipments", {"order_id": order.pk, "quantities": {"1": "1"},
                                                  "warehouse": "moon"})) == {"warehouse"}
    assert _fields(api.post("/api/v1/shipments", {"order_id": order.pk, "quantities": {"1": "1"},
                                                  "created_by_id": seller.pk})) == {"created_by_id"}
    assert _state(order) == before and not Shipment.objects.exists()


def test_shipments_need_the_ship_permission_and_the_orders_scope(seller, demo_org, customer, product,
                                                                 outsider, other_customer):
    """SAL-5, ORG-3: a salesperson may not ship (403); another branch's order is not found (404)."""
    order = _confirmed_order(seller, customer, product)
    before = _state(order)
    _problem(Api(seller).post("/api/v1/shipments", {"order_id": order.pk, "quantities": {"1": "1"}}), 403)
    theirs = _confirmed_order(outsider, other_customer, product)
    assistant = Api(demo_org["huangli"])
    _problem(assistant.post("/api/v1/shipments", {"order_id": theirs.pk, "quantities": {"1": "1"}}), 404)
    shipment = services.shipment_create(actor=demo_org["majun"], order=theirs,
                                        quantities={theirs.lines.get().pk: Decimal(1)})
    _problem(assistant.get(f"/api/v1/shipments/{shipment.pk}"), 404)
    assert assistant.get("/api/v1/shipments", {"order_id": theirs.pk}).json()["items"] == []
    assert _state(order) == before and Shipment.objects.count() == 1


# --- across the module ------------------------------------------------------------------
def _floats(value):
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list):
        return [f for v in value for f in _floats(v)]
    return []


def test_money_is_a_decimal_string_with_two_places(seller, manager, customer, product):
    """SYS-6 (API.md: money), SAL-3 (rounding): amounts are strings with two places, computed in Decimal."""
    api = Api(seller)
    quote = api.post("/api/v1/quotes", {"customer_id": customer.pk, "lines": [
        {"description": "螺丝", "quantity": "3", "unit_price": "19.99", "discount_percent": "12.5"}]})
    line = quote.json()["lines"][0]
    expected = line_totals(Decimal("3"), Decimal("19.99"), Decimal("12.5"), Decimal("0.13"))
    assert {k: line[k] for k in ("subtotal", "discount", "tax", "total")} == {k: str(v) for k, v in expected.items()}
    assert quote.json()["total"] == "59.29" and line["unit_price"] == "19.99"
    opportunity = api.post("/api/v1/opportunities", {"name": "整数金额", "customer_id": customer.pk,
                                                     "amount": 5000}).json()
    assert opportunity["amount"] == "5000.00"
    order = api.post("/api/v1/orders", {"customer_id": customer.pk,
                                        "lines": [{"product_id": product.pk, "quantity": 1}]}).json()
    product_body = Api(manager).get(f"/api/v1/products/{product.pk}").json()
    for body in (quote.json(), opportunity, order, product_body,
                 api.get("/api/v1/quotes").json(), api.get("/api/v1/orders").json()):
        assert _floats(body) == [], body


def test_errors_follow_the_request_language(seller, customer, product):
    """SYS-6, ORG-5: problem+json messages in English or Chinese, as the request asks."""
    api = Api(seller)
    order = _confirmed_order(seller, customer, product)
    url = f"/api/v1/orders/{order.pk}"
    assert _problem(api.patch(url, {"notes": "x"}, language="en"), 409)["detail"] == "Only a draft order can change."
    assert _problem(api.patch(url, {"notes": "x"}, language="zh-hans"), 409)["detail"] == "只有草稿状态的订单可以修改。"
    english = _problem(api.post("/api/v1/leads", {}, language="en"), 422)
    chinese = _problem(api.post("/api/v1/leads", {}, language="zh-hans"), 422)
    assert english["errors"] == [{"field": "company", "message": "This field is required."}]
    assert chinese["errors"] == [{"field": "company", "message": "这个字段是必填项。"}]
    lines = {"customer_id": customer.pk, "lines": []}
    assert _problem(api.post("/api/v1/quotes", lines, language="en"), 422)["detail"] == "Add at least one line."
    assert _problem(api.post("/api/v1/quotes", lines, language="zh-hans"), 422)["detail"] == "请至少添加一行明细。"
    assert _problem(api.get("/api/v1/quotes/999999", language="en"), 404)["detail"] == (
        "No such record, or it is outside your scope.")
    assert _problem(api.get("/api/v1/quotes/999999", language="zh-hans"), 404)["detail"] == "记录不存在，或不在您的数据范围内。"
    shipment = {"order_id": order.pk, "quantities": {"1": "1"}}
    assert _problem(api.post("/api/v1/shipments", shipment, language="en"), 403)["detail"] == (
        "You do not have permission to do this.")


def test_names_from_the_api_are_shown_as_text_on_the_pages(seller, manager, demo_org, product, client_for):
    """SECURITY (stored XSS): payloads sent through the API are escaped where the screens show them."""
    api = Api(seller)
    customer = customer_create(actor=seller, name="华达" + XSS)
    lead = api.post("/api/v1/leads", {"company": "线索" + XSS, "name": XSS}).json()
    opportunity = api.post("/api/v1/opportunities", {"name": "商机" + XSS, "customer_id": customer.pk,
                                                     "notes": XSS}).json()
    Api(manager).patch(f"/api/v1/products/{product.pk}", {"name": "产品" + XSS})
    quote = api.post("/api/v1/quotes", {"customer_id": customer.pk, "terms": XSS, "lines": [
        {"product_id": product.pk, "quantity": 1}, {"description": XSS, "quantity": 1, "unit_price": "1"}]}).json()
    order = api.post("/api/v1/orders", {"customer_id": customer.pk, "notes": XSS, "lines": [
        {"description": XSS, "quantity": 2, "unit_price": "1"}]}).json()
    services.order_confirm(actor=seller, order=Order.objects.get(pk=order["id"]))
    shipment = Api(demo_org["huangli"]).post("/api/v1/shipments", {"order_id": order["id"], "notes": XSS,
                                                                   "quantities": {"1": "1"}}).json()
    client = client_for(manager)
    for url in ("/sales/leads/", f"/sales/leads/{lead['id']}/", "/sales/opportunities/",
                "/sales/opportunities/list/", f"/sales/opportunities/{opportunity['id']}/", "/sales/products/",
                f"/sales/products/{product.pk}/", "/sales/quotes/", f"/sales/quotes/{quote['id']}/",
                f"/sales/quotes/{quote['id']}/edit/", "/sales/orders/", f"/sales/orders/{order['id']}/",
                "/sales/shipments/", f"/sales/shipments/{shipment['id']}/",
                f"/sales/shipments/{shipment['id']}/?print=copies"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)" in html, url


def test_exports_neutralize_formulas_sent_through_the_api(seller, manager, product, client_for):
    """SECURITY (CSV injection): cells a spreadsheet would run start with a quote in every sales export."""

    api = Api(seller)
    customer = customer_create(actor=seller, name="=HYPERLINK(\"http://evil.example\",\"点我\")")
    api.post("/api/v1/leads", {"company": "=cmd|' /C calc'!A0"})
    api.post("/api/v1/opportunities", {"name": "+SUM(1,2)", "customer_id": customer.pk})
    Api(manager).patch(f"/api/v1/products/{product.pk}", {"name": "@SUM(A1)"})
    api.post("/api/v1/quotes", {"customer_id": customer.pk, "lines": [{"product_id": product.pk, "quantity": 1}]})
    api.post("/api/v1/orders", {"customer_id": customer.pk, "lines": [{"product_id": product.pk, "quantity": 1}]})
    client = client_for(manager)
    for url, payload in (("/sales/leads/", "=cmd"), ("/sales/opportunities/list/", "+SUM"),
                         ("/sales/products/", "@SUM"), ("/sales/quotes/", "=HYPERLINK"),
                         ("/sales/orders/", "=HYPERLINK")):
        response = client.get(url, {"export": "csv"})
        assert response.status_code == 200, url
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert "'" + payload in text, url
        assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "-", "\t", "\r"))], url


def test_the_sales_endpoints_are_in_the_openapi_document(db):
    """SYS-6: the OpenAPI document is generated from the code and lists every sales endpoint."""
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/products": {"get", "post"}, "/api/v1/products/{product_id}": {"get", "patch"},
        "/api/v1/price-lists": {"get"}, "/api/v1/pipelines": {"get"},
        "/api/v1/leads": {"get", "post"}, "/api/v1/leads/{lead_id}": {"get", "patch", "delete"},
        "/api/v1/leads/{lead_id}/convert": {"post"},
        "/api/v1/opportunities": {"get", "post"},
        "/api/v1/opportunities/{opportunity_id}": {"get", "patch", "delete"},
        "/api/v1/opportunities/{opportunity_id}/move": {"post"},
        "/api/v1/quotes": {"get", "post"}, "/api/v1/quotes/{quote_id}": {"get", "patch"},
        "/api/v1/quotes/{quote_id}/pdf": {"get"}, "/api/v1/quotes/{quote_id}/submit": {"post"},
        "/api/v1/quotes/{quote_id}/send": {"post"}, "/api/v1/quotes/{quote_id}/versions": {"post"},
        "/api/v1/quotes/{quote_id}/accept": {"post"},
        "/api/v1/orders": {"get", "post"}, "/api/v1/orders/{order_id}": {"get", "patch"},
        "/api/v1/orders/{order_id}/confirm": {"post"}, "/api/v1/orders/{order_id}/cancel": {"post"},
        "/api/v1/shipments": {"get", "post"}, "/api/v1/shipments/{shipment_id}": {"get"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
    assert "application/pdf" in paths["/api/v1/quotes/{quote_id}/pdf"]["get"]["responses"]["200"]["content"]
    filters = {p["name"] for p in paths["/api/v1/orders"]["get"]["parameters"]}
    assert {"status", "customer_id", "delivery_date_from", "delivery_date_to", "limit", "cursor"} <= filters
