"""ORG-7: custom fields and pick-lists that administrators edit without code."""

import json

import pytest
from django.test import Client

from guanxi.core.errors import ValidationFailed
from guanxi.core.models import CustomField, PickItem
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_create


@pytest.fixture
def fields(demo_org, client_for):
    admin = client_for(demo_org["zhaolei"])
    for data in (
        {"key": "tax_no", "label_zh": "税号", "label_en": "Tax number", "field_type": "text", "position": 1},
        {"key": "staff", "label_zh": "员工人数", "label_en": "Staff", "field_type": "number", "position": 2},
        {"key": "founded", "label_zh": "成立日期", "label_en": "Founded", "field_type": "date", "position": 3},
        {"key": "scale", "label_zh": "规模", "label_en": "Scale", "field_type": "choice",
         "options": "大型\n中型\n小型", "position": 4, "required": "on"},
        {"key": "channels", "label_zh": "渠道", "label_en": "Channels", "field_type": "multi",
         "options": "线上,线下", "position": 5},
    ):
        response = admin.post("/system/configuration/fields/customers.customer/new/", {**data, "is_active": "on"})
        assert response.status_code == 302, response.content.decode()[:2000]
    return CustomField.objects.filter(entity="customers.customer")


def test_administrator_adds_fields_that_appear_in_the_form_detail_filter_and_export(fields, demo_org, client_for):
    """ORG-7: a field an administrator adds shows in forms, detail pages, filters and exports."""
    seller = client_for(demo_org["liuyang"])
    form = seller.get("/customers/new/").content.decode()
    assert "税号" in form and 'name="custom__scale"' in form
    response = seller.post("/customers/new/", {
        "name": "自定义字段客户", "kind": "company", "category": "prospect", "lifecycle_stage": "acquisition",
        "credit_limit": "0", "custom__tax_no": "91440101MA5XXXX", "custom__staff": "120",
        "custom__founded": "2015-06-01", "custom__scale": "中型", "custom__channels": ["线上", "线下"],
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    customer = Customer.objects.get(name="自定义字段客户")
    assert customer.custom == {"tax_no": "91440101MA5XXXX", "staff": "120", "founded": "2015-06-01",
                               "scale": "中型", "channels": ["线上", "线下"]}
    assert "91440101MA5XXXX" in seller.get(f"/customers/{customer.pk}/").content.decode()
    filtered = seller.get("/customers/?custom_scale=中型").content.decode()
    assert "自定义字段客户" in filtered
    assert "自定义字段客户" not in seller.get("/customers/?custom_scale=大型").content.decode()
    export = b"".join(seller.get("/customers/?export=csv").streaming_content).decode("utf-8-sig")
    assert "税号" in export.splitlines()[0] and "91440101MA5XXXX" in export


def test_required_and_typed_custom_values_are_validated(fields, demo_org):
    seller = demo_org["liuyang"]
    with pytest.raises(ValidationFailed) as caught:
        customer_create(actor=seller, name="缺必填", custom={"staff": "很多", "founded": "昨天", "bogus": 1})
    messages = {e["field"] for e in caught.value.errors}
    assert {"custom.staff", "custom.founded", "custom.bogus", "custom.scale"} <= messages
    assert not Customer.objects.exists()


def test_custom_fields_through_the_api(fields, demo_org, api_for):
    client, headers = api_for(demo_org["liuyang"])
    listed = client.get("/api/v1/custom-fields", headers=headers).json()
    assert [f["key"] for f in listed] == ["tax_no", "staff", "founded", "scale", "channels"]
    response = client.post("/api/v1/customers", json.dumps({"name": "接口客户", "custom": {"scale": "小型"}}),
                           content_type="application/json", headers=headers)
    assert response.status_code == 201 and response.json()["custom"] == {"scale": "小型"}
    bad = client.post("/api/v1/customers", json.dumps({"name": "接口客户二", "custom": {"scale": "巨型"}}),
                      content_type="application/json", headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "custom.scale"


def test_custom_fields_in_imports(fields, demo_org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from guanxi.core.import_jobs import import_run, import_start, import_upload
    from guanxi.org.models import Role

    role = Role.objects.get(code="salesperson")
    role.permissions = sorted(set(role.permissions) | {"customers.import"})
    role.save()
    seller = type(demo_org["liuyang"]).objects.get(username="liuyang")
    upload = SimpleUploadedFile("c.csv", "名称,税号,规模\n导入客户,123,大型\n坏的,456,超大\n".encode())
    job = import_upload(actor=seller, entity="customers.customer", upload=upload)
    assert job.mapping == {"0": "name", "1": "custom.tax_no", "2": "custom.scale"}
    job = import_start(actor=seller, job=job, mapping=job.mapping, options={})
    import_run(job.pk)
    job.refresh_from_db()
    assert job.created_count == 1 and job.error_count == 1
    assert Customer.objects.get(name="导入客户").custom == {"tax_no": "123", "scale": "大型"}


def test_pick_lists_are_edited_by_administrators(demo_org, client_for):
    admin = client_for(demo_org["zhaolei"])
    response = admin.post("/system/configuration/lists/customers.industry/new/",
                          {"code": "aerospace", "name_zh": "航空航天", "name_en": "Aerospace", "position": 1,
                           "is_active": "on"})
    assert response.status_code == 302
    item = PickItem.objects.get(list_key="customers.industry", code="aerospace")
    assert "航空航天" in client_for(demo_org["liuyang"]).get("/customers/new/").content.decode()
    admin.post(f"/system/configuration/lists/customers.industry/{item.pk}/",
               {"name_zh": "航空航天", "name_en": "Aerospace", "position": 1})
    assert not PickItem.objects.get(pk=item.pk).is_active
    assert "航空航天" not in client_for(demo_org["liuyang"]).get("/customers/new/").content.decode()
    assert client_for(demo_org["liuyang"]).get("/system/configuration/").status_code == 403
    bad = admin.post("/system/configuration/lists/customers.industry/new/",
                     {"code": "Bad Code!", "name_zh": "x", "name_en": "x", "position": 0})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()


def test_anonymous_and_staff_cannot_configure(demo_org):
    assert Client().get("/system/configuration/").status_code == 302
