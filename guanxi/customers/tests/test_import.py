"""Customer import (issue 3, point 8): mapping, preview, background run, errors, bad files."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import Workbook

from guanxi.core.errors import ValidationFailed
from guanxi.core.import_jobs import (
    error_report,
    import_preview,
    import_run,
    import_start,
    import_upload,
)
from guanxi.core.models import ImportJob, ImportStatus
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_create
from guanxi.testing.factories import seller_who_imports

HEADER = "客户名称,手机,邮箱,省份,城市,行业,负责人\n"


def _csv(text, name="customers.csv"):
    return SimpleUploadedFile(name, ("\ufeff" + text).encode("utf-8"), content_type="text/csv")


def _xlsx(rows, name="customers.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def seller(demo_org):
    return seller_who_imports(demo_org)


def _run(job, mapping=None, options=None, capture=None):
    job = import_start(actor=job.created_by, job=job, mapping=mapping or job.mapping, options=options or {})
    import_run(job.pk)
    job.refresh_from_db()
    return job


def test_chinese_headers_are_mapped_and_good_rows_imported(seller, django_capture_on_commit_callbacks):
    upload = _csv(HEADER + "广州华达电子有限公司,13800138000,a@huada.cn,广东,广州,信息技术,\n"
                           "深圳恒通物流有限公司,13900139000,,广东省,深圳市,交通物流,\n")
    job = import_upload(actor=seller, entity="customers.customer", upload=upload)
    assert job.total_rows == 2
    assert [job.mapping[str(i)] for i in range(7)] == ["name", "mobile", "email", "province", "city", "industry",
                                                       "owner"]
    job = _run(job)
    assert job.status == ImportStatus.DONE and job.created_count == 2 and job.percent == 100
    huada = Customer.objects.get(name="广州华达电子有限公司")
    assert (huada.owner, huada.province, huada.city, huada.industry.code) == (seller, "44", "4401", "it")


def test_bad_rows_are_reported_with_row_numbers_and_the_rest_imported(seller):
    customer_create(actor=seller, name="已存在的客户")
    upload = _csv(HEADER + "好客户,13800138000,,,,,\n"
                           ",13800138001,,,,,\n"
                           "手机号错的,12345,,,,,\n"
                           "已存在的客户有限公司,,,,,,\n"
                           "乱写省份,,,火星,,,\n"
                           + "长" * 10_000 + ",,,,,,\n"
                           "别人的,,,,,,zhuwei\n")
    job = _run(import_upload(actor=seller, entity="customers.customer", upload=upload))
    assert job.created_count == 1 and job.duplicate_count == 1 and job.error_count == 5
    report = error_report(job)
    for line in ("3,", "4,", "5,", "6,", "7,", "8,"):
        assert f"\n{line}" in report
    assert "12345" in report and ("yourself" in report or "自己" in report)


def test_duplicates_can_fill_empty_fields_instead(seller):
    existing = customer_create(actor=seller, name="华达电子")
    upload = _csv(HEADER + "华达电子有限公司,13800138000,x@huada.cn,,,,\n")
    job = _run(import_upload(actor=seller, entity="customers.customer", upload=upload),
               options={"on_duplicate": "merge"})
    existing.refresh_from_db()
    assert job.updated_count == 1 and existing.mobile == "13800138000" and existing.email == "x@huada.cn"
    assert Customer.objects.count() == 1


def test_xlsx_imports_too(seller):
    upload = _xlsx([["Company name", "Mobile", "Credit limit"], ["ABC Trading Co., Ltd.", 13800138000, 50000]])
    job = _run(import_upload(actor=seller, entity="customers.customer", upload=upload))
    customer = Customer.objects.get()
    assert job.created_count == 1 and customer.mobile == "13800138000" and str(customer.credit_limit) == "50000.00"


def test_preview_validates_without_writing(seller):
    upload = _csv(HEADER + "预览客户,12345,,,,,\n预览客户二,13800138000,,,,,\n")
    job = import_upload(actor=seller, entity="customers.customer", upload=upload)
    preview = import_preview(actor=seller, job=job, mapping=job.mapping)
    assert [(line, bool(problems)) for line, _record, problems, _dup in preview] == [(2, True), (3, False)]
    assert not Customer.objects.exists()


def test_mapping_must_include_the_name(seller):
    job = import_upload(actor=seller, entity="customers.customer", upload=_csv(HEADER + "x,,,,,,\n"))
    with pytest.raises(ValidationFailed):
        import_preview(actor=seller, job=job, mapping={"1": "mobile"})


def test_an_interrupted_import_resumes_without_duplicating_rows(seller, monkeypatch):
    """Each batch commits with its checkpoint: a crash loses only the batch in flight."""
    from guanxi.core import imports

    monkeypatch.setattr(imports, "BATCH", 10)
    rows = "".join(f"续传客户{i:03d},,,,,,\n" for i in range(35))
    job = import_upload(actor=seller, entity="customers.customer", upload=_csv(HEADER + rows))
    job = import_start(actor=seller, job=job, mapping=job.mapping, options={})
    from guanxi.customers import importer

    real = importer.write_batch
    calls = {"n": 0}

    def crash_on_third(job, rows, dry_run=False):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(job, rows, dry_run)

    monkeypatch.setattr(importer.IMPORTER, "write_batch", crash_on_third)
    with pytest.raises(RuntimeError):
        import_run(job.pk)
    job.refresh_from_db()
    assert job.next_row == 20 and Customer.objects.count() == 20
    monkeypatch.setattr(importer.IMPORTER, "write_batch", real)
    import_run(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Customer.objects.count() == 35 and job.created_count == 35


@pytest.mark.parametrize("name,content,message", [
    ("empty.csv", b"", "empty"),
    ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "not a spreadsheet"),
    ("binary.csv", b"\x00\x01\x02\x03" * 100, "not a spreadsheet"),
    ("fake.xlsx", b"PK\x03\x04 not really a zip", "damaged"),
])
def test_bad_files_are_refused_clearly(seller, name, content, message):
    with pytest.raises(ValidationFailed) as caught, translation.override("en"):
        import_upload(actor=seller, entity="customers.customer", upload=SimpleUploadedFile(name, content))
    assert message in str(caught.value.message).lower()
    assert not ImportJob.objects.exists()


def test_zip_bomb_disguised_as_xlsx_is_refused(seller):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as caught, translation.override("en"):
        import_upload(actor=seller, entity="customers.customer",
                      upload=SimpleUploadedFile("bomb.xlsx", buffer.getvalue()))
    assert "zip bomb" in str(caught.value.message).lower()


def test_ten_thousand_columns_are_refused(seller):
    header = ",".join(f"c{i}" for i in range(10_000)) + "\n"
    with pytest.raises(ValidationFailed) as caught:
        import_upload(actor=seller, entity="customers.customer", upload=_csv(header + "x\n"))
    assert "10000" in str(caught.value.message) or "10,000" in str(caught.value.message)


def test_import_pages(seller, client_for, django_capture_on_commit_callbacks):
    client = client_for(seller)
    assert client.get("/customers/").content.decode().count("/imports/customers.customer/new/") == 1
    response = client.post("/imports/customers.customer/new/",
                           {"file": _csv(HEADER + "页面导入,13800138000,,,,,\n坏的,12,,,,,\n")})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "页面导入" in page and "field-error" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {**{f"column_{i}": v for i, v in job.mapping.items()}, "start": "1"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    progress = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert 'data-status="done"' in progress
    report = client.get(f"/imports/{job.pk}/errors.csv")
    assert report.status_code == 200 and "12" in report.content.decode("utf-8-sig")
    assert Client().get(f"/imports/{job.pk}/errors.csv").status_code == 302
    other = client_for(type(seller).objects.get(username="zhuwei"))
    assert other.get(f"/imports/{job.pk}/").status_code == 404
    assert other.get(f"/imports/{job.pk}/errors.csv").status_code == 404
