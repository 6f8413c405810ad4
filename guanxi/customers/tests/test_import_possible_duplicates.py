"""Issue 11.4 / CUS-5: rows similar to an existing customer but not the same are imported
and marked "possible duplicate"; the duplicate scan lists them to merge or dismiss."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from guanxi.core.import_jobs import import_run, import_start, import_upload
from guanxi.customers.merge import customers_merge, possible_duplicates
from guanxi.customers.models import Customer, DuplicateFlag
from guanxi.customers.services import customer_create
from guanxi.org.models import Role


@pytest.fixture
def seller(demo_org):
    role = Role.objects.get(code="salesperson")
    role.permissions = sorted(set(role.permissions) | {"customers.import", "customers.edit"})
    role.save()
    return type(demo_org["liuyang"]).objects.get(username="liuyang")


def _import(actor, text):
    job = import_upload(actor=actor, entity="customers.customer",
                        upload=SimpleUploadedFile("客户.csv", text.encode("utf-8-sig")))
    job = import_start(actor=actor, job=job, mapping=job.mapping, options={})
    import_run(job.pk)
    job.refresh_from_db()
    return job


def test_similar_rows_are_imported_and_flagged_exact_ones_skipped(seller):
    """CUS-5: a similar name or the same phone under another name: imported and flagged;
    the same name: skipped as today."""
    hengda = customer_create(actor=seller, name="恒达贸易(广州)有限公司")
    dongfang = customer_create(actor=seller, name="东方红五金有限公司", mobile="13922223333")
    job = _import(seller, "客户名称,手机\n"
                          "广州市天河区恒达贸易有限公司,\n"
                          "佛山顺德东方五金制品厂,139 2222 3333\n"
                          "东方红五金有限公司,\n"
                          "成都武侯蜀香餐饮有限公司,13811112222\n")
    assert job.created_count == 3 and job.duplicate_count == 1 and job.error_count == 0
    similar = Customer.objects.get(name="广州市天河区恒达贸易有限公司")
    same_phone = Customer.objects.get(name="佛山顺德东方五金制品厂")
    flags = {(f.customer_id, f.similar_to_id, f.reason) for f in DuplicateFlag.objects.all()}
    assert flags == {(similar.pk, hengda.pk, "similar"), (same_phone.pk, dongfang.pk, "phone")}
    messages = " ".join(job.row_errors.values_list("message", flat=True))
    assert f"#{hengda.pk}" in messages and f"#{dongfang.pk}" in messages
    assert [(f.customer, f.similar_to) for f in possible_duplicates(seller)] == [
        (similar, hengda), (same_phone, dongfang)] or {(f.customer, f.similar_to) for f in possible_duplicates(seller)} == {
        (similar, hengda), (same_phone, dongfang)}


def test_scan_page_lists_flags_to_merge_or_dismiss(seller, client_for):
    """CUS-5: the review page lists possible duplicates with a merge link and a dismiss button."""
    hengda = customer_create(actor=seller, name="恒达贸易(广州)有限公司")
    _import(seller, "客户名称\n广州市天河区恒达贸易有限公司\n")
    similar = Customer.objects.get(name="广州市天河区恒达贸易有限公司")
    flag = DuplicateFlag.objects.get()
    client = client_for(seller)
    page = client.get("/customers/duplicates/scan/").content.decode()
    assert "广州市天河区恒达贸易有限公司" in page and f"ids={hengda.pk},{similar.pk}" in page
    assert f"/customers/duplicates/flags/{flag.pk}/dismiss/" in page
    response = client.post(f"/customers/duplicates/flags/{flag.pk}/dismiss/")
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.dismissed_at is not None and flag.dismissed_by == seller
    assert possible_duplicates(seller) == []
    assert "/customers/duplicates/flags/" not in client.get("/customers/duplicates/scan/").content.decode()


def test_a_merged_pair_leaves_the_review_list(seller):
    hengda = customer_create(actor=seller, name="恒达贸易(广州)有限公司")
    _import(seller, "客户名称\n广州市天河区恒达贸易有限公司\n")
    similar = Customer.objects.get(name="广州市天河区恒达贸易有限公司")
    customers_merge(actor=seller, master=hengda, duplicate=similar)
    assert possible_duplicates(seller) == []


def test_others_do_not_see_flags_of_customers_outside_their_scope(seller, demo_org):
    customer_create(actor=seller, name="恒达贸易(广州)有限公司")
    _import(seller, "客户名称\n广州市天河区恒达贸易有限公司\n")
    other = type(seller).objects.get(username="zhuwei")
    assert possible_duplicates(other) == []


def test_name_cores_of_older_customers_are_recomputed(seller):
    """CUS-5: customers saved under the old rules get today's name core (one command)."""

    hengda = customer_create(actor=seller, name="恒达贸易(广州)有限公司")
    Customer.objects.filter(pk=hengda.pk).update(name_core="恒达贸易广州")  # the old rules' core
    call_command("customer_name_cores", stdout=io.StringIO())
    hengda.refresh_from_db()
    assert hengda.name_core == "恒达"
