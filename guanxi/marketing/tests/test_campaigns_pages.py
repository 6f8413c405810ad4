"""Campaign pages, the public campaign form, the API and the scope matrix (MKT-2, MKT-5)."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from guanxi.customers.services import customer_create
from guanxi.finance import services as finance
from guanxi.marketing.models import Campaign, CampaignTouch, TouchSource
from guanxi.marketing.services import campaigns as services
from guanxi.org.models import User
from guanxi.sales.models import Lead
from guanxi.testing.sales import confirmed_order
from guanxi.testing.scope_matrix import assert_scope_matrix, matrix_users, owned_case

pytestmark = pytest.mark.django_db


def make_campaign(actor, code, **fields):
    today = timezone.localdate()
    data = {"name": f"活动 {code}", "starts_on": today - datetime.timedelta(days=10),
            "ends_on": today + datetime.timedelta(days=30), "budget": Decimal("8000"), "channels": ["exhibition"],
            **fields}
    return services.campaign_create(actor=actor, code=code, **data)


@pytest.fixture
def campaign(demo_org):
    return make_campaign(demo_org["linhui"], "expo-2026")


def test_create_edit_move_and_delete_through_the_pages(demo_org, client_for):
    """MKT-2: the form saves a campaign; status moves by POST; delete goes to the recycle bin."""
    client = client_for(demo_org["linhui"])
    today = timezone.localdate()
    response = client.post("/marketing/campaigns/new/", {
        "code": "double-11", "name": "双十一促销", "channels": ["promotion", "online_ads"],
        "starts_on": today.isoformat(), "ends_on": (today + datetime.timedelta(days=11)).isoformat(),
        "budget": "12000.50", "owner": demo_org["linhui"].pk})
    campaign = Campaign.objects.get(code="double-11")
    assert response.status_code == 302 and campaign.budget == Decimal("12000.50")
    assert campaign.channels == ["promotion", "online_ads"]
    bad = client.post(f"/marketing/campaigns/{campaign.pk}/edit/", {
        "code": "double-11", "name": "x", "starts_on": today.isoformat(),
        "ends_on": (today - datetime.timedelta(days=3)).isoformat(), "budget": "-1"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    campaign.refresh_from_db()
    assert campaign.name == "双十一促销"
    client.post(f"/marketing/campaigns/{campaign.pk}/status/", {"to": "running"})
    campaign.refresh_from_db()
    assert campaign.status == "running"
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "双十一促销" in page and "¥12,000.50" in page
    client.post(f"/marketing/campaigns/{campaign.pk}/delete/")
    assert not Campaign.objects.filter(pk=campaign.pk).exists()
    assert Campaign.all_objects.filter(pk=campaign.pk, deleted_at__isnull=False).exists()


def test_list_and_detail_query_counts(demo_org, client_for, campaign, django_assert_max_num_queries):
    """MKT-2: the list stays within 6 queries and the detail within 10, however many rows."""
    boss = demo_org["linhui"]
    customer = customer_create(actor=demo_org["liuyang"], name="东莞恒通五金")
    for i in range(12):
        make_campaign(boss, f"c-{i}")
        services.touch_record(campaign=campaign, source=TouchSource.EXPLICIT, customer=customer,
                              touched_at=timezone.now() - datetime.timedelta(days=i))
    client = client_for(boss)
    client.get("/marketing/campaigns/")  # warm the per-process directories (core.memo)
    with django_assert_max_num_queries(6):
        assert client.get("/marketing/campaigns/?status=planned&q=活动").status_code == 200
    client.get(campaign.get_absolute_url())
    with django_assert_max_num_queries(10):
        response = client.get(campaign.get_absolute_url())
    assert response.status_code == 200 and "东莞恒通五金" in response.content.decode()
    with django_assert_max_num_queries(10):
        panel = client.get(f"/marketing/campaigns/{campaign.pk}/return/?model=first")
    assert panel.status_code == 200 and 'id="return-received"' in panel.content.decode()


def test_list_filters_search_export_and_empty_state(demo_org, client_for, campaign):
    """MKT-2: filters by channel and status, search by code, export neutralizes formulas."""
    boss = demo_org["linhui"]
    make_campaign(boss, "mail-1", name="=HYPERLINK(1)", channels=["email"])
    client = client_for(boss)
    html = client.get("/marketing/campaigns/?channel=email").content.decode()
    assert "mail-1" in html and "expo-2026" not in html
    assert "expo-2026" in client.get("/marketing/campaigns/?q=expo").content.decode()
    exported = b"".join(client.get("/marketing/campaigns/?export=csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in exported
    empty = client.get("/marketing/campaigns/?status=finished").content.decode()
    assert "No campaigns yet" in empty or "还没有" in empty or "empty" in empty
    assert client.get("/marketing/campaigns/?channel=nonsense").status_code == 200


def test_public_form_takes_a_lead_with_utm(demo_org, campaign):
    """MKT-5: no login; the UTM of the link travel into the touch; the lead is the owner's
    (or a salesperson's of the branch when the owner may not take leads)."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/marketing/f/expo-2026/?utm_source=wechat&utm_medium=social&utm_campaign=expo-2026")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="utm_source" value="wechat"' in html
    token = page.cookies["csrftoken"].value
    response = client.post("/marketing/f/expo-2026/", {
        "csrfmiddlewaretoken": token, "company": "<script>alert(1)</script>公司", "name": "李女士",
        "phone": "13700137000", "utm_source": "wechat", "utm_medium": "social", "utm_campaign": "expo-2026"})
    assert response.status_code == 200 and 'id="form-thanks"' in response.content.decode()
    lead = Lead.objects.get(company="<script>alert(1)</script>公司")
    touch = CampaignTouch.objects.get(lead=lead)
    assert touch.campaign == campaign and touch.utm["utm_source"] == "wechat"
    assert lead.owner.has_module_perm("sales.create") and lead.branch_id == campaign.branch_id


def test_public_form_refuses_bots_bad_input_floods_and_missing_csrf(demo_org, campaign):
    """MKT-5: honeypot thanks and stores nothing; invalid entries 422; no CSRF token 403;
    beyond the rate 429 with Retry-After; an unknown or closed campaign 404."""
    client = Client(enforce_csrf_checks=True)
    token = client.get("/marketing/f/expo-2026/").cookies["csrftoken"].value
    base = {"csrfmiddlewaretoken": token, "company": "机器人公司", "name": "bot", "phone": "13700137000"}
    assert client.post("/marketing/f/expo-2026/", {**base, "website": "http://spam"}).status_code == 200
    assert client.post("/marketing/f/expo-2026/", {**base, "phone": "", "company": ""}).status_code == 422
    assert Client(enforce_csrf_checks=True).post("/marketing/f/expo-2026/", base).status_code == 403
    assert not Lead.objects.filter(company="机器人公司").exists()
    assert Client().get("/marketing/f/no-such/").status_code == 404
    with override_settings(GUANXI_WEBFORM_RATE="1/hour"):
        cache.clear()
        client.post("/marketing/f/expo-2026/", {**base, "company": "第一"})
        flooded = client.post("/marketing/f/expo-2026/", {**base, "company": "第二"})
    assert flooded.status_code == 429 and flooded["Retry-After"]
    assert not Lead.objects.filter(company="第二").exists()


def test_link_a_customer_by_name_and_see_it_on_the_customer_page(demo_org, client_for, campaign):
    """MKT-2: a user links a customer; the customer page lists the campaign, linking back."""
    boss = demo_org["linhui"]
    customer = customer_create(actor=demo_org["liuyang"], name="中山远航物流")
    client = client_for(boss)
    client.post(f"/marketing/campaigns/{campaign.pk}/link/", {"kind": "customer", "name": "中山远航物流"})
    assert CampaignTouch.objects.filter(campaign=campaign, customer=customer, source="explicit").exists()
    client.post(f"/marketing/campaigns/{campaign.pk}/link/", {"kind": "customer", "name": "不存在"})
    assert CampaignTouch.objects.filter(campaign=campaign).count() == 1
    # the customer page loads the marketing sections after it shows (CUS-6)
    assert f"/customers/{customer.pk}/sections/" in client.get(customer.get_absolute_url()).content.decode()
    page = client.get(f"/customers/{customer.pk}/sections/").content.decode()
    assert campaign.get_absolute_url() in page
    search = client.get("/search/?q=expo").content.decode()
    assert campaign.name in search


def test_compare_page_and_drill_down(demo_org, client_for, campaign):
    """MKT-2: the comparison shows each campaign's receipts and cost; the figure opens the receipts behind it."""
    boss, seller = demo_org["linhui"], demo_org["liuyang"]
    customer = customer_create(actor=seller, name="珠海德胜电器")
    services.touch_record(campaign=campaign, source=TouchSource.EXPLICIT, customer=customer,
                          touched_at=timezone.now() - datetime.timedelta(days=3))
    confirmed_order(seller, customer, ((2, "1500.00"),))
    receipt = finance.receipt_record(actor=demo_org["zhouhong"], customer=customer, amount=Decimal("2500"))
    client = client_for(boss)
    for model in ("first", "last"):
        html = client.get(f"/marketing/campaigns/returns/?model={model}&period=this_month").content.decode()
        assert "¥2,500.00" in html and "<svg" in html
    drill = client.get(f"/marketing/campaigns/{campaign.pk}/receipts/?model=last").content.decode()
    assert receipt.number in drill
    assert client.get(f"/marketing/campaigns/{campaign.pk}/nonsense/").status_code == 404
    exported = client.get("/marketing/campaigns/returns/?period=this_month&export=csv")
    assert exported.status_code == 200 and "2500" in b"".join(exported.streaming_content).decode("utf-8-sig")
    tenc = client.get("/analytics/10c/?tab=promotion&period=this_month").content.decode()
    assert campaign.name in tenc


def test_out_of_scope_campaign_is_404_and_denied_writes_change_nothing(demo_org, client_for, campaign):
    """MKT-2, ORG-3: a Beijing manager cannot open a Guangzhou campaign; a salesperson
    without marketing rights cannot change one."""
    assert client_for(demo_org["majun"]).get(campaign.get_absolute_url()).status_code == 404
    assert client_for(demo_org["majun"]).post(f"/marketing/campaigns/{campaign.pk}/delete/").status_code == 404
    seller = client_for(demo_org["liuyang"])
    assert seller.post(f"/marketing/campaigns/{campaign.pk}/status/", {"to": "running"}).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "planned" and campaign.deleted_at is None


def test_api_crud_if_match_return_and_touches(demo_org, api_for, campaign):
    """MKT-2: /api/v1/campaigns list, create, detail, PATCH with If-Match, delete, return, touches."""
    client, headers = api_for(demo_org["linhui"])
    listed = client.get("/api/v1/campaigns", headers=headers).json()
    assert [item["code"] for item in listed["items"]] == ["expo-2026"]
    today = timezone.localdate().isoformat()
    created = client.post("/api/v1/campaigns", json.dumps({
        "code": "api-1", "name": "接口活动", "starts_on": today, "ends_on": today, "budget": "100.50",
        "channels": ["email"]}), content_type="application/json", headers=headers)
    assert created.status_code == 201 and created.json()["budget"] == "100.50"
    pk = created.json()["id"]
    bad = client.post("/api/v1/campaigns", json.dumps({
        "code": "api 2", "name": "x", "starts_on": today, "ends_on": today, "budget": "1.001", "owner_id": 1}),
        content_type="application/json", headers=headers)
    assert bad.status_code == 422
    detail = client.get(f"/api/v1/campaigns/{pk}", headers=headers)
    etag = detail["ETag"]
    ok = client.patch(f"/api/v1/campaigns/{pk}", json.dumps({"name": "改名"}), content_type="application/json",
                      headers={**headers, "If-Match": etag})
    assert ok.status_code == 200 and ok.json()["name"] == "改名"
    stale = client.patch(f"/api/v1/campaigns/{pk}", json.dumps({"name": "再改"}), content_type="application/json",
                         headers={**headers, "If-Match": etag})
    assert stale.status_code == 412 and Campaign.objects.get(pk=pk).name == "改名"
    customer = customer_create(actor=demo_org["liuyang"], name="江门启明照明")
    services.touch_record(campaign=campaign, source=TouchSource.EXPLICIT, customer=customer)
    returned = client.get(f"/api/v1/campaigns/{campaign.pk}/return?model=first", headers=headers).json()
    assert returned["model"] == "first" and returned["received"] == "0.00" and returned["roi_percent"] is None
    touches = client.get(f"/api/v1/campaigns/{campaign.pk}/touches", headers=headers).json()
    assert touches["items"][0]["customer_id"] == customer.pk
    assert client.delete(f"/api/v1/campaigns/{pk}", headers=headers).status_code == 204
    other, other_headers = api_for(demo_org["majun"])
    assert other.get(f"/api/v1/campaigns/{campaign.pk}", headers=other_headers).status_code == 404
    assert other.get(f"/api/v1/campaigns/{campaign.pk}/return", headers=other_headers).status_code == 404
    seller, seller_headers = api_for(demo_org["liuyang"])
    assert seller.delete(f"/api/v1/campaigns/{campaign.pk}", headers=seller_headers).status_code == 403
    assert Campaign.objects.filter(pk=campaign.pk).exists()


@pytest.fixture
def matrix_campaigns(demo_org):
    """One campaign per employee who may plan campaigns."""
    today = timezone.localdate()
    for user in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk"):
        if user.has_module_perm("marketing.create"):
            Campaign.objects.create(code=f"m-{user.username}", name=f"矩阵 {user.username}", owner=user,
                                    branch=user.branch, starts_on=today, ends_on=today)


CAMPAIGNS = owned_case("campaigns", Campaign, module="marketing", list_url="/marketing/campaigns/", api="campaigns",
                       title_of=lambda s: s.name, search_term="矩阵")


def test_scope_matrix_for_campaigns(matrix_campaigns, demo_org):
    """ORG-3: every demo user sees exactly the campaigns their scope allows, on every surface."""
    users = matrix_users()
    readers = [user for user in users if user.has_module_perm("marketing.view")]
    assert len(readers) >= 5 and assert_scope_matrix(CAMPAIGNS, users) >= len(readers)
