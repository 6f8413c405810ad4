"""SAL-1: leads captured by import: header aliases, every row's errors, duplicates skipped."""

from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.core.import_jobs import error_report, import_run, import_start, import_upload
from guanxi.core.search import search_grouped
from guanxi.sales import services
from guanxi.sales.models import Lead


def _csv(text):
    return SimpleUploadedFile("leads.csv", ("\ufeff" + text).encode("utf-8"), content_type="text/csv")


def test_leads_import_with_errors_and_duplicates(seller):
    """SAL-1: good rows become the importer's leads; bad ones are reported; duplicates skipped."""
    services.lead_create(actor=seller, company="已有线索公司", mobile="13711112222")
    upload = _csv("公司名称,联系人,手机,邮箱,来源,备注\n"
                  "佛山展会客户有限公司,黄总,13800138000,huang@fs.example,展会,广交会\n"
                  "东莞新线索有限公司,李经理,13900139000,,,\n"
                  ",王工,13600136000,,,没有公司名\n"
                  "坏号码公司,陈总,12345,bad-mail,火星,\n"
                  "重复线索公司,,13711112222,,,\n"
                  "同批重复公司,,13800138000,,,\n")
    job = import_upload(actor=seller, entity="sales.lead", upload=upload)
    assert [job.mapping[str(i)] for i in range(6)] == ["company", "name", "mobile", "email", "source", "notes"]
    job = import_start(actor=seller, job=job, mapping=job.mapping, options={})
    import_run(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 2 and job.duplicate_count == 2
    leads = Lead.objects.filter(company__in=["佛山展会客户有限公司", "东莞新线索有限公司"])
    assert leads.count() == 2 and all(lead.owner == seller for lead in leads)
    assert leads.get(company="佛山展会客户有限公司").source.code == "exhibition"
    report = error_report(job)
    assert "company" in report and "mobile" in report and "email" in report
    assert Lead.objects.filter(company="坏号码公司").count() == 0


def test_lead_import_decides_unknown_sources_and_fills_the_phone_search_column(seller):
    """SAL-1 / issue 11.4: an unknown source (转介绍) is decided at the mapping step, not a
    rejected row; imported leads are found by their mobile however typed."""

    upload = _csv("公司名称,手机,来源\n"
                  "昆明滇池花卉有限公司,13800138000,转介绍\n"
                  "贵阳花溪茶业有限公司,13900139000,朋友推荐\n")
    job = import_upload(actor=seller, entity="sales.lead", upload=upload)
    job = import_start(actor=seller, job=job, mapping=job.mapping,
                       options={"choices": {"source": {"转介绍": "map:referral"}}})
    import_run(job.pk)
    job.refresh_from_db()
    assert job.created_count == 2 and job.error_count == 0
    assert Lead.objects.get(company="昆明滇池花卉有限公司").source.code == "referral"
    assert Lead.objects.get(company="贵阳花溪茶业有限公司").source is None
    lead = Lead.objects.get(company="昆明滇池花卉有限公司")
    assert lead.mobile_norm == "+8613800138000"
    hits = [hit.label for group in search_grouped(seller, "+86 138 0013 8000") for hit in group.hits]
    assert any("昆明滇池花卉" in label for label in hits), hits


def test_the_lead_list_offers_import(seller, client_for):
    """SAL-1: the lead list has an Import button for those who may create leads."""
    page = client_for(seller).get("/sales/leads/").content.decode()
    assert "/import/sales.lead/" in page or "sales.lead" in page
