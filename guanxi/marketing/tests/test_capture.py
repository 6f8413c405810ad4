"""MKT-5: event and survey forms — the public page and its protections, leads and
campaign touches, capacity and the waiting list, check-in, export; referral codes and
conversions; scope."""

import datetime
import io
import json
import time

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.customers.services import customer_create
from guanxi.marketing.models import (
    Campaign,
    CampaignTouch,
    FormResponse,
    MarketingForm,
    Referral,
    ReferralCode,
    ResponseStatus,
)
from guanxi.marketing.selectors import capture as selectors
from guanxi.marketing.services import capture as services
from guanxi.sales.models import Lead
from guanxi.sales.services import lead_convert, lead_create
from guanxi.service import webforms
from guanxi.testing.sales import confirmed_order

FIELDS = [
    {"name": "name", "label": "姓名", "type": "text", "required": True},
    {"name": "company", "label": "公司", "type": "text"},
    {"name": "mobile", "label": "手机", "type": "phone", "required": True},
    {"name": "email", "label": "邮箱", "type": "email"},
    {"name": "topic", "label": "关注", "type": "choice", "choices": ["产品", "价格"]},
    {"name": "consent", "label": "同意", "type": "consent", "required": True},
]


@pytest.fixture
def manager(demo_org):
    """The Beijing branch manager (marketing: all; scope: the branch)."""
    return demo_org["majun"]


@pytest.fixture
def campaign(manager):
    today = timezone.localdate()
    return Campaign.objects.create(code="spring-expo", name="春季展会", starts_on=today, ends_on=today,
                                   owner=manager, branch_id=manager.branch_id)


@pytest.fixture
def event(manager, campaign):
    return services.marketing_form_create(
        actor=manager, kind="event", name="新品发布会", slug="launch", fields=FIELDS, campaign=campaign,
        event_starts_at=timezone.now() + datetime.timedelta(days=7), event_place="北京国际会议中心", capacity=2,
        is_active=True)


def entry(name="张三", mobile="13800138001", **extra):
    return {"name": name, "company": f"{name}的公司", "mobile": mobile, "email": "", "topic": "产品",
            "consent": "on", **extra}


def post(client, form, data, query="", token_age=10):
    token = webforms.fill_token(form, now=time.time() - token_age)
    return client.post(reverse("marketing:capture_public", args=[form.slug]) + query, {**data, "t": token})


def test_registration_makes_lead_touch_and_referral(demo_org, event, manager):
    """MKT-5: an entry with UTM and ?ref= makes a lead of the form's owner, a campaign touch
    (source "form", the UTM kept) and a referral to the customer of the code."""
    referrer = customer_create(actor=demo_org["zhuwei"], name="北京老客户有限公司")
    confirmed_order(demo_org["zhuwei"], referrer)
    code = ReferralCode.objects.get(customer=referrer)  # issued when its first order was confirmed
    response = post(Client(), event, entry(), f"?utm_source=wechat&utm_medium=social&ref={code.code.lower()}")
    assert response.status_code == 200 and "form-thanks" in response.content.decode()
    registration = FormResponse.objects.get()
    assert registration.status == ResponseStatus.REGISTERED
    lead = registration.lead
    assert (lead.company, lead.name, lead.mobile_norm, lead.owner) == ("张三的公司", "张三", "+8613800138001", manager)
    touch = CampaignTouch.objects.get(lead=lead)
    assert (touch.campaign, touch.source, touch.utm) == (event.campaign, "form", {
        "utm_source": "wechat", "utm_medium": "social"})
    assert Referral.objects.get(lead=lead).code == code


def test_duplicate_by_mobile_matches_the_lead_and_the_entry(demo_org, event):
    """MKT-5: the same mobile again matches the first entry (no second lead or place); a
    known lead's mobile on another form matches that lead."""
    client = Client()
    post(client, event, entry())
    post(client, event, entry(name="张三丰"))
    assert FormResponse.objects.count() == 1 and Lead.objects.count() == 1
    survey = services.marketing_form_create(actor=demo_org["majun"], kind="survey", name="满意度", slug="survey",
                                            fields=FIELDS, is_active=True)
    post(client, survey, entry(mobile="138 0013 8001"))
    assert Lead.objects.count() == 1
    assert FormResponse.objects.get(form=survey).lead == FormResponse.objects.get(form=event).lead
    assert FormResponse.objects.get(form=survey).status == ResponseStatus.RECEIVED


def test_capacity_then_waiting_list_then_moving_up(demo_org, event, manager):
    """MKT-5: registrations up to the capacity (2), then the waiting list; removing a
    registration moves the first waiting person up."""
    client = Client()
    for i in range(4):
        post(client, event, entry(name=f"客{i}", mobile=f"1390000000{i}"))
    statuses = list(FormResponse.objects.order_by("submitted_at", "pk").values_list("status", flat=True))
    assert statuses == ["registered", "registered", "waiting", "waiting"]
    html = post(client, event, entry(name="客9", mobile="13900000009")).content.decode()
    assert "waiting list" in html or "候补" in html
    first = FormResponse.objects.order_by("pk").first()
    moved = services.response_withdraw(actor=manager, response=first)
    assert moved.name == "客2" and moved.status == ResponseStatus.REGISTERED
    assert FormResponse.objects.filter(status="registered").count() == 2


def test_check_in(event, manager):
    """MKT-5: a registered person is checked in (attended); one on the waiting list is not."""
    event.capacity = 1
    event.save(update_fields=["capacity"])
    first = services.form_submit(form=event, answers=entry())
    second = services.form_submit(form=event, answers=entry(name="李四", mobile="13800138002"))
    checked = services.response_check_in(actor=manager, response=first)
    assert checked.status == ResponseStatus.ATTENDED and checked.attended_at is not None
    with pytest.raises(Conflict):
        services.response_check_in(actor=manager, response=second)


def test_public_form_abuse(settings, event):
    """MKT-5 / SECURITY: a bot filling the honeypot is thanked and nothing is stored; a
    missing or forged fill stamp, an oversize entry and a missing CSRF token are refused."""
    client = Client()
    assert post(client, event, entry(website="http://spam")).status_code == 200
    assert FormResponse.objects.count() == 0 and Lead.objects.count() == 0
    url = reverse("marketing:capture_public", args=[event.slug])
    assert client.post(url, {**entry(), "t": "forged"}).status_code == 400
    assert post(client, event, entry(), token_age=0).status_code == 400  # sent faster than a person types
    assert post(client, event, entry(name="x" * 300)).status_code == 422
    assert client.post(url, {"name": "x" * 40000}).status_code == 413
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, event, entry()).status_code == 403
    assert FormResponse.objects.count() == 0 and Lead.objects.count() == 0


def test_rate_limit(settings, event):
    """MKT-5: beyond GUANXI_WEBFORM_RATE posts per address the answer is 429 with
    Retry-After and nothing is stored."""
    settings.GUANXI_WEBFORM_RATE = "2/hour"
    client = Client()
    post(client, event, entry(mobile="13900000001"))
    post(client, event, entry(mobile="13900000002"))
    response = post(client, event, entry(mobile="13900000003"))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert FormResponse.objects.count() == 2


def test_script_in_answers_is_inert(demo_org, event, manager, client_for):
    """MKT-5 / SECURITY: a script in an answer is shown escaped on the form's page and in
    the responses list."""
    payload = '<script>alert("x")</script>'
    post(Client(), event, entry(name=payload))
    client = client_for(manager)
    for url in (event.get_absolute_url(), reverse("marketing:capture_response_list")):
        html = client.get(url).content.decode()
        assert payload not in html and "&lt;script&gt;" in html


def test_unpublished_or_unknown_form_is_404(event):
    event.is_active = False
    event.save(update_fields=["is_active"])
    assert Client().get(reverse("marketing:capture_public", args=["launch"])).status_code == 404
    assert Client().get(reverse("marketing:capture_public", args=["nothing"])).status_code == 404


def test_export_responses_with_answers(event, manager, client_for):
    """MKT-5: a form's responses export to Excel with each answer and the UTM."""
    services.form_submit(form=event, answers=entry(), utm={"utm_source": "=cmd|calc"})
    response = client_for(manager).get(event.get_absolute_url(), {"export": "xlsx"})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert "关注" in rows[0] and "产品" in rows[1]
    assert "'=cmd|calc" in rows[1]  # formula neutralized


def test_referral_conversion_sends_the_signal(demo_org):
    """MKT-5: when the referred lead's customer confirms its first order, the referral is
    converted once and ``referral_converted`` is sent (loyalty may reward the referrer)."""
    zhuwei = demo_org["zhuwei"]
    referrer = customer_create(actor=zhuwei, name="北京推荐人有限公司")
    confirmed_order(zhuwei, referrer)
    code = ReferralCode.objects.get(customer=referrer)
    form = services.marketing_form_create(actor=demo_org["majun"], kind="survey", name="问卷", slug="q",
                                          fields=FIELDS, is_active=True)
    # zhuwei owns the lead, so he may convert it
    form.owner = zhuwei
    form.save(update_fields=["owner"])
    registration = services.form_submit(form=form, answers=entry(name="新客"), ref=code.code)
    received = []

    def receiver(sender, referral, order, **kwargs):
        received.append((referral.pk, order.pk))

    services.referral_converted.connect(receiver)
    try:
        lead = lead_convert(actor=zhuwei, lead=registration.lead)
        order = confirmed_order(zhuwei, lead.customer)
        confirmed_order(zhuwei, lead.customer)
    finally:
        services.referral_converted.disconnect(receiver)
    referral = Referral.objects.get()
    assert referral.converted_at is not None and received == [(referral.pk, order.pk)]
    page = selectors.referrals_of_customer(demo_org["majun"], referrer)
    assert list(page) == [referral]


def test_referral_code_only_for_signed_customers(demo_org):
    zhuwei = demo_org["zhuwei"]
    customer = customer_create(actor=zhuwei, name="北京未签约有限公司")
    with pytest.raises(ValidationFailed):
        services.referral_code_issue(actor=demo_org["majun"], customer=customer)
    assert not ReferralCode.objects.exists()


def test_referral_api(demo_org, api_for):
    """MKT-5: a lead arriving with ?ref=CODE through the API is linked to the referrer."""
    zhuwei = demo_org["zhuwei"]
    referrer = customer_create(actor=zhuwei, name="北京API推荐人有限公司")
    confirmed_order(zhuwei, referrer)
    code = ReferralCode.objects.get(customer=referrer).code
    lead = lead_create(actor=zhuwei, company="新线索公司")
    client, headers = api_for(zhuwei)
    response = client.post("/api/v1/referrals", {"lead_id": lead.pk, "code": code}, content_type="application/json",
                           headers=headers)
    assert response.status_code == 201 and response.json()["referrer_id"] == referrer.pk
    bad = client.post("/api/v1/referrals", {"lead_id": lead.pk, "code": "NOPE1234"}, content_type="application/json",
                      headers=headers)
    assert bad.status_code == 422


def test_scope_other_branch_sees_nothing(demo_org, event, client_for, api_for):
    """ORG-3: the Shanghai manager neither lists nor opens the Beijing form or its
    responses (404 on page and API); the general manager does."""
    registration = services.form_submit(form=event, answers=entry())
    shanghai = demo_org["songtao"]
    assert not selectors.forms_visible_to(shanghai).exists()
    assert not selectors.responses_visible_to(shanghai).exists()
    client = client_for(shanghai)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert "新品发布会" not in client.get(reverse("marketing:capture_form_list")).content.decode()
    assert client.post(reverse("marketing:capture_check_in", args=[registration.pk])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == ResponseStatus.REGISTERED
    api, headers = api_for(shanghai)
    assert api.get(f"/api/v1/marketing-forms/{event.pk}", headers=headers).status_code == 404
    with pytest.raises(NotFound):
        services.response_check_in(actor=shanghai, response=registration)
    assert selectors.forms_visible_to(demo_org["linhui"]).filter(pk=event.pk).exists()


def test_form_needs_a_way_to_reach_people(manager):
    with pytest.raises(ValidationFailed):
        services.marketing_form_create(actor=manager, kind="survey", name="x", slug="x",
                                       fields=[{"name": "a", "label": "A", "type": "text"}])


def test_list_and_detail_query_counts(event, manager, client_for, django_assert_max_num_queries):
    """Lists ≤ 6 queries (beyond the session and user), details ≤ 10."""
    for i in range(5):
        services.form_submit(form=event, answers=entry(name=f"客{i}", mobile=f"1390000000{i}"))
    client = client_for(manager)
    client.get(reverse("marketing:capture_form_list"))
    with django_assert_max_num_queries(9):  # + session, user, roles
        assert client.get(reverse("marketing:capture_form_list")).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("marketing:capture_response_list")).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(event.get_absolute_url()).status_code == 200


def test_customer_page_sections(demo_org, event, client_for):
    """MKT-5: the customer page shows the forms its people filled in and its referrals."""
    registration = services.form_submit(form=event, answers=entry())
    customer = lead_convert(actor=event.owner, lead=registration.lead).customer
    html = client_for(demo_org["majun"]).get(f"/customers/{customer.pk}/sections/").content.decode()
    assert "新品发布会" in html
    # the salesperson without marketing rights sees no such section
    assert "新品发布会" not in client_for(demo_org["liuyang"]).get(f"/customers/{customer.pk}/sections/").content.decode()


def test_designer_page_creates_and_edits_a_form(manager, campaign, client_for):
    """MKT-5: a marketer designs a form on the page (fields as a small JSON schema); a bad
    schema is refused with a message and nothing is saved."""
    client = client_for(manager)
    url = reverse("marketing:capture_form_create")
    assert client.get(url).status_code == 200
    data = {"kind": "event", "name": "客户答谢会", "slug": "thanks", "schema": json.dumps(FIELDS), "capacity": "50",
            "campaign": campaign.pk, "event_place": "北京", "is_active": "on"}
    bad = client.post(url, {**data, "schema": '[{"name": "1x", "type": "text"}]'})
    assert bad.status_code == 200 and not MarketingForm.objects.exists()
    assert client.post(url, data).status_code == 302
    created = MarketingForm.objects.get()
    assert (created.capacity, created.campaign, created.owner, len(created.fields)) == (50, campaign, manager, 6)
    edit = reverse("marketing:capture_form_edit", args=[created.pk])
    assert "consent" in client.get(edit).content.decode()
    assert client.post(edit, {**data, "capacity": "80"}).status_code == 302
    created.refresh_from_db()
    assert created.capacity == 80
    html = Client().get(reverse("marketing:capture_public", args=["thanks"])).content.decode()
    assert "客户答谢会" in html and 'name="csrfmiddlewaretoken"' in html
