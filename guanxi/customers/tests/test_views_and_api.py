"""Customer screens and API: the customer view, forms, pool actions, safety."""

import json

from guanxi.core import picklists
from guanxi.customers.models import Customer, CustomerShare, OwnershipChange
from guanxi.customers.services import contact_create, customer_create, interaction_create

XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>'


def test_the_customer_view_shows_contacts_interactions_timeline_and_history(seller, client_for):
    """CUS-6: one page with contacts, interactions and a timeline."""

    customer = customer_create(actor=seller, name="广州华达电子有限公司", mobile="13800138000")
    contact_create(actor=seller, customer=customer, name="王经理", mobile="13900001111", is_primary=True)
    interaction_create(actor=seller, customer=customer, channel="visit", summary="上门拜访")
    client = client_for(seller)
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    for text in ("王经理", "上门拜访", "Timeline" if "Timeline" in html else "时间线", 'href="tel:+8613800138000"'):
        assert text in html
    history = client.get(f"/customers/{customer.pk}/?tab=history", HTTP_HX_REQUEST="true").content.decode()
    assert "刘洋" in history


def test_create_form_warns_about_duplicates_while_typing(seller, demo_org, client_for):
    """CUS-5: the warning under the name field (what HTMX loads as the user types)."""
    customer_create(actor=demo_org["zhuwei"], name="北京华达电子有限公司")
    client = client_for(seller)
    warning = client.get("/customers/duplicates/inline/", {"name": "华达"}).content.decode()
    assert "北京华达电子有限公司" in warning and "北京分公司" in warning and "朱伟" not in warning
    assert client.get("/customers/duplicates/inline/", {"name": "华"}).content.decode().strip() == ""
    form = client.get("/customers/new/").content.decode()
    assert 'hx-get="/customers/duplicates/inline/"' in form


def test_create_exact_duplicate_is_stopped_on_the_form(seller, demo_org, client_for):
    customer_create(actor=demo_org["zhuwei"], name="北京华达电子有限公司")
    base = {"kind": "company", "category": "prospect", "lifecycle_stage": "acquisition", "credit_limit": "0"}
    response = client_for(seller).post("/customers/new/", {**base, "name": "北京华达电子"})
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert Customer.objects.count() == 1
    manager_form = client_for(demo_org["wangjianguo"]).get("/customers/new/").content.decode()
    assert 'name="override_duplicate"' in manager_form
    assert 'name="override_duplicate"' not in client_for(seller).get("/customers/new/").content.decode()
    approved = client_for(demo_org["wangjianguo"]).post("/customers/new/", {**base, "name": "北京华达电子",
                                                                            "override_duplicate": "on"})
    assert approved.status_code == 302 and Customer.objects.count() == 2


def test_region_options_and_region_validation(seller, client_for):
    client = client_for(seller)
    options = client.get("/customers/regions/", {"level": "city", "province": "44"}).content.decode()
    assert "广州市" in options and "深圳市" in options
    base = {"kind": "company", "category": "prospect", "lifecycle_stage": "acquisition", "credit_limit": "0"}
    good = client.post("/customers/new/", {**base, "name": "区域客户", "province": "44", "city": "4401",
                                           "district": "440106"})
    assert good.status_code == 302
    assert Customer.objects.get(name="区域客户").region_name == "广东省广州市天河区"


def test_claim_release_transfer_from_the_screens(seller, demo_org, client_for):
    pooled = customer_create(actor=demo_org["wangjianguo"], name="公海里的客户", owner=None)
    client = client_for(seller)
    assert "公海里的客户" in client.get("/customers/pool/").content.decode()
    client.post(f"/customers/{pooled.pk}/claim/")
    assert Customer.objects.get(pk=pooled.pk).owner == seller
    client.post(f"/customers/{pooled.pk}/release/", {"reason_code": "", "detail": ""})
    assert Customer.objects.get(pk=pooled.pk).owner == seller  # a reason is required

    reason = picklists.items("customers.release_reason").first()
    client.post(f"/customers/{pooled.pk}/release/", {"reason_code": reason.pk, "detail": "三个月无回应"})
    assert Customer.objects.get(pk=pooled.pk).owner is None
    manager = client_for(demo_org["wangjianguo"])
    mine = [customer_create(actor=seller, name=f"转移{i}") for i in range(2)]
    first = manager.post("/customers/transfer/", {"ids": [c.pk for c in mine]})
    assert first.status_code == 200 and "转移0" in first.content.decode()
    manager.post("/customers/transfer/", {"ids": ",".join(str(c.pk) for c in mine), "confirm": "1",
                                          "to_user": demo_org["liyang"].pk, "reason": "调整"})
    assert Customer.objects.filter(owner=demo_org["liyang"], name__startswith="转移").count() == 2
    assert OwnershipChange.objects.filter(reason="调整").count() == 2


def test_share_from_the_customer_page(seller, demo_org, client_for):
    customer = customer_create(actor=seller, name="共享一下")
    client_for(seller).post(f"/customers/{customer.pk}/share/", {"user": demo_org["zhuwei"].pk, "can_edit": "on"})
    assert CustomerShare.objects.get(customer=customer).can_edit
    assert client_for(demo_org["zhuwei"]).get(f"/customers/{customer.pk}/edit/").status_code == 200


def test_script_in_a_name_is_shown_as_text_everywhere(seller, client_for):
    """SECURITY (stored XSS): payloads are escaped in lists, details and the duplicate warning."""
    customer = customer_create(actor=seller, name="华达" + XSS)
    client = client_for(seller)
    for url in ("/customers/", f"/customers/{customer.pk}/", "/customers/duplicates/?name=华达",
                "/customers/duplicates/inline/?name=华达", "/search/?q=华达"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html and "onerror=alert" not in html.replace("onerror=alert(2)&gt;", ""), url
        assert "&lt;script&gt;" in html, url


def test_export_is_scoped_and_neutralized(seller, demo_org, client_for):
    customer_create(actor=seller, name="=HYPERLINK(\"http://evil\")华达")
    customer_create(actor=demo_org["zhuwei"], name="北京的客户")
    export = b"".join(client_for(seller).get("/customers/?export=csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in export and "北京的客户" not in export


def test_list_and_detail_query_counts_are_flat(seller, client_for, django_assert_max_num_queries):
    for i in range(30):
        customer_create(actor=seller, name=f"查询数客户{i}", mobile=f"138000000{i:02d}")
    client = client_for(seller)
    client.get("/customers/")
    with django_assert_max_num_queries(20):
        client.get("/customers/")
    customer = Customer.objects.first()
    client.get(f"/customers/{customer.pk}/")
    with django_assert_max_num_queries(40):
        client.get(f"/customers/{customer.pk}/")


def test_reports_reminders_and_calendar_pages(seller, client_for):
    client = client_for(seller)
    customer = customer_create(actor=seller, name="报表客户")
    interaction_create(actor=seller, customer=customer, channel="visit", summary="拜访")
    report = client.get("/customers/report/").content.decode()
    assert "<svg" in report and "刘洋" in report
    assert client.get("/customers/reminders/?n=10&m=20").status_code == 200
    assert client.get("/work/calendar/?view=day").status_code == 200
    assert client.get("/work/calendar/?view=week&date=2026-11-23").status_code == 200
    assert client.get("/customers/interactions/?q=报表").status_code == 200
    assert client.get("/customers/feedback/").status_code == 200


# --- the API ---------------------------------------------------------------------
def test_api_customer_crud_duplicates_and_pool_actions(seller, demo_org, api_for):
    """SYS-6: customers, the duplicate check and pool actions through the API."""
    client, headers = api_for(seller)

    def post(url, body, **extra):
        return client.post(url, json.dumps(body), content_type="application/json", headers={**headers, **extra})

    created = post("/api/v1/customers", {"name": "接口华达", "mobile": "+86 138 0013 8000", "province": "44",
                                          "city": "4401", "credit_limit": "1234.50", "tags": ["重点"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["owner_id"] == seller.pk and body["credit_limit"] == "1234.50" and body["city"] == "广州市"
    assert body["mobile"] == "+86 138 0013 8000" and body["tags"] == ["重点"] and body["currency"] == "CNY"
    assert (body["province"], body["province_code"], body["city_code"]) == ("广东省", "44", "4401")
    assert post("/api/v1/customers", {"name": "接口华达有限公司"}).status_code == 409
    assert post("/api/v1/customers", {"name": "x", "credit_limit": 1.5e300}).status_code == 422
    assert post("/api/v1/customers", {"name": "x", "owner_id": demo_org["zhuwei"].pk}).status_code == 422
    dups = client.get("/api/v1/customers/duplicates", {"name": "jkhd"}, headers=headers).json()
    assert dups == [] or all("id" in d for d in dups)
    by_phone = client.get("/api/v1/customers/duplicates", {"phone": "13800138000"}, headers=headers).json()
    assert [d["id"] for d in by_phone] == [body["id"]] and by_phone[0]["reasons"] == ["phone"]
    released = post(f"/api/v1/customers/{body['id']}/release", {"reason": "暂无需求"})
    assert released.status_code == 200 and released.json()["owner_id"] is None
    claimed = post(f"/api/v1/customers/{body['id']}/claim", {})
    assert claimed.status_code == 409  # released just now: the previous owner waits
    other_client, other_headers = api_for(demo_org["liyang"])
    claimed = other_client.post(f"/api/v1/customers/{body['id']}/claim", headers=other_headers)
    assert claimed.status_code == 200 and claimed.json()["owner_id"] == demo_org["liyang"].pk


def test_api_customer_in_another_branch_is_404_and_transfer_needs_rights(seller, demo_org, api_for):
    beijing = customer_create(actor=demo_org["zhuwei"], name="北京客户")
    client, headers = api_for(seller)
    assert client.get(f"/api/v1/customers/{beijing.pk}", headers=headers).status_code == 404
    response = client.post(f"/api/v1/customers/{beijing.pk}/transfer", json.dumps({"to_user_id": seller.pk}),
                           content_type="application/json", headers=headers)
    assert response.status_code == 403
    assert Customer.objects.get(pk=beijing.pk).owner == demo_org["zhuwei"]


def test_api_interactions_and_contacts(seller, api_for):
    customer = customer_create(actor=seller, name="接口跟进客户")
    client, headers = api_for(seller)
    contact = client.post("/api/v1/contacts", json.dumps({"customer_id": customer.pk, "name": "李总",
                                                           "mobile": "13900001111"}),
                          content_type="application/json", headers=headers)
    assert contact.status_code == 201
    logged = client.post("/api/v1/interactions", json.dumps({
        "customer_id": customer.pk, "contact_id": contact.json()["id"], "channel": "visit", "summary": "拜访",
        "next_follow_up_on": "2030-01-01"}), content_type="application/json", headers=headers)
    assert logged.status_code == 201
    assert Customer.objects.get(pk=customer.pk).next_follow_up_on.isoformat() == "2030-01-01"
    bad = client.post("/api/v1/contacts", json.dumps({"customer_id": customer.pk, "name": "坏", "mobile": "123"}),
                      content_type="application/json", headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "mobile"
