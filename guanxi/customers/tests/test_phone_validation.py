"""Issue 11.4 / CUS-1: one phone validator (guanxi.core.phones) behind the customer and
contact forms, the API schemas, the importer and the global search."""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from guanxi.core.import_jobs import import_run, import_start, import_upload
from guanxi.core.search import search_grouped
from guanxi.customers.models import Contact, Customer
from guanxi.customers.services import customer_create
from guanxi.testing.factories import seller_who_imports


@pytest.fixture
def seller(demo_org):
    return seller_who_imports(demo_org)


def test_customer_form_refuses_an_impossible_landline(seller, client_for):
    """CUS-1: the form names the bad number and saves nothing."""
    page = client_for(seller).post("/customers/new/", {"name": "广州白云五金有限公司", "kind": "company",
                                                       "category": "prospect", "phone": "020-00000000",
                                                       "credit_limit": "0"})
    text = page.content.decode()
    assert page.status_code in (200, 400) and "020-00000000" in text and "电话号码无效" in text
    assert not Customer.objects.filter(name="广州白云五金有限公司").exists()


def test_contact_form_refuses_letters(seller, client_for):
    customer = customer_create(actor=seller, name="佛山南海陶瓷有限公司")
    page = client_for(seller).post(f"/customers/{customer.pk}/contacts/new/", {"name": "陈经理", "mobile": "abc"})
    assert "电话号码无效" in page.content.decode()
    assert not Contact.objects.filter(customer=customer).exists()


def test_api_refuses_bad_numbers_and_stores_foreign_ones_as_e164(seller, api_for):
    """CUS-1: API schemas use the same validator: 422 naming the field; +852 accepted."""
    client, headers = api_for(seller)
    bad = client.post("/api/v1/customers", {"name": "深圳宝安电子有限公司", "mobile": "123"},
                      content_type="application/json", headers=headers, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 422
    assert {"field": "mobile", "message": "Invalid phone number: 123"} in bad.json()["errors"]
    good = client.post("/api/v1/customers", {"name": "香港九龙贸易有限公司", "phone": "+852 2123 4567"},
                       content_type="application/json", headers=headers)
    assert good.status_code == 201, good.content
    assert Customer.objects.get(name="香港九龙贸易有限公司").phone_norm == "+85221234567"


def test_importer_reports_bad_numbers_readably_and_accepts_all_kinds(seller, client_for,
                                                                     django_capture_on_commit_callbacks):
    """CUS-1: per-row errors read "第 3 行：电话号码无效：020-00000000"."""
    rows = ("客户名称,电话\n"
            "北京海淀软件有限公司,010-12345678\n"
            "广州越秀贸易有限公司,020-00000000\n"
            "深圳南山科技有限公司,0755 8888 8888\n"
            "上海浦东服务有限公司,400-810-8888\n"
            "香港中环投资有限公司,+852 2123 4567\n"
            "台北信义电子有限公司,+886 2 2345 6789\n"
            "伦敦贸易有限公司,+44 20 7946 0958\n")
    upload = SimpleUploadedFile("phones.csv", rows.encode("utf-8-sig"))
    job = import_upload(actor=seller, entity="customers.customer", upload=upload)
    job = import_start(actor=seller, job=job, mapping=job.mapping, options={})
    import_run(job.pk)
    job.refresh_from_db()
    assert job.created_count == 6 and job.error_count == 1
    assert Customer.objects.get(name="北京海淀软件有限公司").phone_norm == "+861012345678"
    with translation.override("zh-hans"):
        page = client_for(seller).get(f"/imports/{job.pk}/progress/").content.decode()
    assert "第 3 行：电话号码无效：020-00000000" in page


@pytest.mark.parametrize("typed", ["13800138000", "138 0013 8000", "+86 138 0013 8000"])
def test_global_search_finds_a_number_however_typed(seller, typed):
    """CUS-1: the normalized (E.164) columns still match every way of typing the number."""
    customer = customer_create(actor=seller, name="杭州西湖茶叶有限公司", mobile="138-0013-8000")
    assert customer.mobile_norm == "+8613800138000"
    groups = {group.key: group for group in search_grouped(seller, typed)}
    assert [hit.label for hit in groups["customers.customer"].hits] == ["杭州西湖茶叶有限公司"]


def test_stored_digits_move_to_e164():
    migration = importlib.import_module("guanxi.customers.migrations.0007_phone_norm_e164")
    assert migration.to_e164("13800138000") == "+8613800138000"
    assert migration.to_e164("02038886666x12") == "+862038886666x12"
    assert migration.to_e164("4008108888") == "+864008108888"
    assert migration.to_e164("+85221234567") == "+85221234567"
    for value in ("13800138000", "02038886666x12", "4008108888", "075588881234"):
        assert migration.to_digits(migration.to_e164(value)) == value
