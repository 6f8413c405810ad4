"""Issue 11.4: a company's first import reads any real file (Excel "CSV UTF-8" of any size,
GBK, XLSX without a <dimension>) and refuses a malformed one with a clear error, never a 500."""

import io
import os
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from guanxi.core.import_jobs import import_run, import_start, import_upload
from guanxi.core.models import ImportJob, ImportStatus
from guanxi.customers.models import Customer
from guanxi.testing.factories import seller_who_imports

HEADER = "客户名称,手机,备注\n"
BOM = b"\xef\xbb\xbf"
HEAD = 65536


@pytest.fixture
def seller(demo_org):
    return seller_who_imports(demo_org)


def _rows(count, start=0):
    return "".join(f"广州恒达贸易有限公司第{i}分部,1380013{i % 10000:04d},华南区重点客户\n"
                   for i in range(start, start + count))


def _bom_csv_cut_mid_character(size=200 * 1024):
    """A UTF-8 CSV with a BOM whose byte 65536 falls in the middle of a Chinese character,
    two bytes before the end of the first 64 KiB (where the BOM shifts a decoder's offsets)."""
    data = BOM + HEADER.encode()
    line = 0
    while True:
        row = f"恒达客户{line:05d},,备注\n".encode()
        if len(data) + len(row) > HEAD - 40:
            break
        data += row
        line += 1
    # Pad with an ASCII note so that the next row's first character (3 bytes) starts at 65534.
    filler = HEAD - 2 - len(data) - len("填充客户,,\n".encode())
    data += f"填充客户,,{'x' * filler}\n".encode()
    assert len(data) == HEAD - 2
    data += _rows(1 + (size - len(data)) // 60, start=50_000).encode()
    assert data[HEAD - 2:HEAD + 1].decode() == "广"
    return data, line + 1 + data[HEAD - 2:].count(b"\n")


def _import(seller, name, content):
    job = import_upload(actor=seller, entity="customers.customer", upload=SimpleUploadedFile(name, content))
    job = import_start(actor=seller, job=job, mapping=job.mapping, options={})
    import_run(job.pk)
    job.refresh_from_db()
    return job


def test_bom_csv_larger_than_the_sniffed_head_cut_mid_character_is_read(seller):
    """CUS-4: Excel's "CSV UTF-8" (with a BOM) of 200 KiB, the 64 KiB cut inside a character."""
    content, rows = _bom_csv_cut_mid_character()
    assert len(content) > 200 * 1024
    job = _import(seller, "客户.csv", content)
    assert job.status == ImportStatus.DONE and job.total_rows == rows
    assert job.created_count == rows and job.error_count == 0
    assert Customer.objects.filter(name="广州恒达贸易有限公司第50000分部").exists()
    assert not Customer.objects.filter(name__contains="\ufffd").exists()


def test_gbk_csv_over_64_kib_is_read(seller):
    """CUS-4: a GBK CSV (Excel's default on Chinese Windows) over 64 KiB."""
    text = HEADER + _rows(1500)
    content = text.encode("gbk")
    assert len(content) > HEAD
    job = _import(seller, "gbk.csv", content)
    assert job.status == ImportStatus.DONE and job.created_count == 1500
    assert Customer.objects.filter(name="广州恒达贸易有限公司第1499分部").exists()


def test_plain_utf8_csv_over_64_kib_is_read(seller):
    """CUS-4: a UTF-8 CSV without a BOM."""
    content = (HEADER + _rows(1500)).encode()
    assert len(content) > HEAD
    job = _import(seller, "utf8.csv", content)
    assert job.status == ImportStatus.DONE and job.created_count == 1500


def _strip_dimension(data):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                start = text.index("<dimension")
                text = text[:start] + text[text.index("/>", start) + 2:]
                body = text.encode()
            target.writestr(info, body)
    return out.getvalue()


def test_xlsx_without_a_dimension_element_is_not_empty(seller):
    """CUS-4: other tools write sheets without <dimension>; rows are counted by reading them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["客户名称", "手机"])
    for i in range(3):
        sheet.append([f"深圳前海华通科技有限公司{i}", f"1390013900{i}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = _strip_dimension(buffer.getvalue())
    assert b"<dimension" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    job = _import(seller, "wps.xlsx", content)
    assert job.total_rows == 3 and job.status == ImportStatus.DONE and job.created_count == 3


def _xlsx_bytes():
    workbook = Workbook()
    workbook.active.append(["客户名称", "手机"])
    workbook.active.append(["杭州西湖茶叶有限公司", "13700137000"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip_not_xlsx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("报价单.docx", "not a workbook")
    return buffer.getvalue()


def _xlsx_broken_sheet():
    data = _xlsx_bytes()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]
            target.writestr(info, body)
    return out.getvalue()


MALFORMED = [
    ("truncated.xlsx", lambda: _xlsx_bytes()[:700], "damaged"),
    ("broken-sheet.xlsx", _xlsx_broken_sheet, "damaged"),
    ("archive.xlsx", _zip_not_xlsx, "not an excel workbook"),
    ("junk.csv", lambda: bytes(range(256)) * 40, "not a spreadsheet"),
    ("empty.csv", lambda: b"", "empty"),
    ("header-only.csv", lambda: BOM + HEADER.encode(), "no rows"),
    ("nul.csv", lambda: (HEADER + _rows(200)).encode() + b"\x00" + _rows(3).encode(), "not a spreadsheet"),
    ("latin.csv", lambda: (b"name,phone\n" + "Müller,1\n".encode("utf-16")) * 3, "not a spreadsheet"),
]


@pytest.mark.parametrize("name,make,message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_files_get_a_clear_form_error_and_create_nothing(seller, client_for, name, make, message,
                                                                      settings, tmp_path):
    """CUS-4: a malformed file gives a translated form error (400), no job, no stored file."""
    settings.MEDIA_ROOT = tmp_path  # its own: a parallel worker's import stores files meanwhile
    seller.language = "en"
    seller.save(update_fields=["language"])
    stored_before = set(default_storage.listdir("imports")[1]) if default_storage.exists("imports") else set()
    response = client_for(seller).post("/imports/customers.customer/new/",
                                       {"file": SimpleUploadedFile(name, make())},
                                       HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 400, page[:500]
    assert 'class="form-error"' in page and message in page.lower()
    assert not ImportJob.objects.exists() and not Customer.objects.exists()
    stored_after = set(default_storage.listdir("imports")[1]) if default_storage.exists("imports") else set()
    assert stored_after == stored_before


def test_malformed_file_errors_are_translated(seller):
    with translation.override("zh-hans"), pytest.raises(Exception) as caught:
        import_upload(actor=seller, entity="customers.customer", upload=SimpleUploadedFile("empty.csv", b""))
    assert "空" in str(caught.value.message)


def test_a_file_over_the_size_limit_is_refused(seller, client_for, settings):
    """CUS-4: a 50 MB file over the configured limit is refused before it is read."""
    settings.IMPORT_MAX_UPLOAD = 20 * 1024 * 1024
    seller.language = "en"
    seller.save(update_fields=["language"])
    big = (HEADER + _rows(1)).encode() * (50 * 1024 * 1024 // 90)
    assert len(big) > 40 * 1024 * 1024
    response = client_for(seller).post("/imports/customers.customer/new/", {"file": SimpleUploadedFile("big.csv", big)},
                                       HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "larger than 20 mb" in response.content.decode().lower()
    assert not ImportJob.objects.exists()


def test_mixed_line_endings_are_read_as_rows(seller):
    """CUS-4: a CSV edited on Windows, Mac and Linux (\\r\\n, \\n and \\r) is read row by row."""
    content = BOM + "客户名称,手机\r\n北京朝阳科技有限公司,13800138001\n上海浦东物流有限公司,13800138002\r成都锦江餐饮有限公司,13800138003\r\n".encode()
    job = _import(seller, "mixed.csv", content)
    assert job.total_rows == 3 and job.created_count == 3
    assert set(Customer.objects.values_list("mobile", flat=True)) == {"13800138001", "13800138002", "13800138003"}


def test_a_file_that_breaks_while_running_fails_the_job_not_the_worker(seller, monkeypatch):
    """CUS-4: an unreadable file found only by the background run marks the job failed."""
    content = (HEADER + _rows(5)).encode()
    job = import_upload(actor=seller, entity="customers.customer", upload=SimpleUploadedFile("ok.csv", content))
    job = import_start(actor=seller, job=job, mapping=job.mapping, options={})
    with default_storage.open(job.file_name, "wb") as handle:
        handle.write(b"\x00\x00junk")
    import_run(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.message
    assert os.path.basename(job.file_name)
