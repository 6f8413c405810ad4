"""CUS-4 and issue 15.4: an import keeps each customer's creation date when the file has
one (so counts by period mean the date the business means), and refuses a bad one."""

import datetime
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from guanxi.core.import_jobs import import_run, import_start, import_upload
from guanxi.core.models import ImportStatus
from guanxi.customers.models import Customer
from guanxi.testing.factories import seller_who_imports

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def seller(demo_org):
    return seller_who_imports(demo_org)


def _import(seller, name, content):
    job = import_upload(actor=seller, entity="customers.customer", upload=SimpleUploadedFile(name, content))
    assert job.mapping and "created_at" in job.mapping.values()
    job = import_start(actor=seller, job=job, mapping=job.mapping, options={})
    import_run(job.pk)
    job.refresh_from_db()
    return job


def test_a_bom_csv_with_a_creation_date_column_keeps_its_dates(seller):
    """CUS-4: Excel's "CSV UTF-8" with 创建时间 written four common ways: each customer keeps
    its own date (Shanghai time), not the moment of the import."""
    content = BOM + (
        "客户名称,手机,创建时间\n"
        "建档甲贸易有限公司,13800138101,2021-03-05\n"
        "建档乙贸易有限公司,13800138102,2021/3/6 14:30\n"
        "建档丙贸易有限公司,13800138103,2021年3月7日\n"
        "建档丁贸易有限公司,13800138104,2021-03-08 09:15:00\n"
        "建档戊贸易有限公司,13800138105,\n").encode()
    before = timezone.now()
    job = _import(seller, "客户.csv", content)
    assert job.status == ImportStatus.DONE and job.created_count == 5 and job.error_count == 0
    got = {c.name[2]: c.created_at.astimezone(SHANGHAI) for c in Customer.objects.filter(name__startswith="建档")}
    assert got["甲"] == datetime.datetime(2021, 3, 5, tzinfo=SHANGHAI)
    assert got["乙"] == datetime.datetime(2021, 3, 6, 14, 30, tzinfo=SHANGHAI)
    assert got["丙"] == datetime.datetime(2021, 3, 7, tzinfo=SHANGHAI)
    assert got["丁"] == datetime.datetime(2021, 3, 8, 9, 15, tzinfo=SHANGHAI)
    assert got["戊"] >= before  # no date in the file: the moment of the import


def test_a_bad_or_future_creation_date_is_refused_with_a_clear_message(seller):
    """CUS-4: a date that is not one, or in the future, is a row error that names the value;
    the row is not imported, the good row is."""
    content = BOM + (
        "客户名称,创建时间\n"
        "坏日期甲有限公司,2021-13-40\n"
        "坏日期乙有限公司,明天\n"
        "坏日期丙有限公司,2999-01-01\n"
        "好日期丁有限公司,2020-12-31\n").encode()
    with translation.override("en"):
        job = _import(seller, "客户.csv", content)
    assert job.status == ImportStatus.DONE and job.created_count == 1 and job.error_count == 3
    assert list(Customer.objects.filter(name__startswith="坏日期")) == []
    messages = [e.message for e in job.row_errors.order_by("line")]
    assert all(e.field == "created_at" for e in job.row_errors.all())
    assert "2021-13-40" in messages[0] and "明天" in messages[1] and "future" in messages[2]
    with translation.override("zh-hans"):
        job = _import(seller, "客户2.csv", BOM + "客户名称,创建时间\n坏日期戊有限公司,明天\n".encode())
    assert "明天" in job.row_errors.get().message and "日期" in job.row_errors.get().message
