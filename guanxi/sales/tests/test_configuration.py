"""ORG-7 for sales and finance: pipelines and stages, per-branch rules, document numbers
and print templates, all edited on screens, validated, and used at once."""

from decimal import Decimal

import pytest

from guanxi.core.errors import Conflict, Forbidden, ValidationFailed
from guanxi.core.models import NumberFormat, PrintTemplate
from guanxi.customers.services import customer_create
from guanxi.finance.models import FinanceSettings
from guanxi.sales import services
from guanxi.sales.configuration import pipeline_save, sales_settings_save
from guanxi.sales.models import Pipeline, SalesSettings, StageKind

STAGES = [{"name_zh": "线索", "name_en": "Lead", "probability": 5, "kind": "open"},
          {"name_zh": "演示", "name_en": "Demo", "probability": 40, "kind": "open"},
          {"name_zh": "成交", "name_en": "Won", "probability": 100, "kind": "won"},
          {"name_zh": "失败", "name_en": "Lost", "probability": 0, "kind": "lost"}]


def test_pipelines_with_stages_are_configured_and_validated(demo_org):
    """ORG-7 / SAL-2: a pipeline needs open, one won and one lost stage; stages in use stay."""
    manager = demo_org["wangjianguo"]
    pipeline = pipeline_save(actor=manager, name="项目型销售", stages=STAGES)
    assert [s.name_zh for s in pipeline.stages.order_by("position")] == ["线索", "演示", "成交", "失败"]
    for bad in ([s for s in STAGES if s["kind"] != "won"], [dict(STAGES[0], probability=150), *STAGES[1:]],
                [dict(STAGES[0], name_zh=""), *STAGES[1:]]):
        with pytest.raises(ValidationFailed):
            pipeline_save(actor=manager, name="坏的", stages=bad)
    with pytest.raises(Forbidden):
        pipeline_save(actor=demo_org["liuyang"], name="无权", stages=STAGES)
    demo_stage = pipeline.stages.get(name_zh="演示")
    seller = demo_org["liuyang"]
    services.opportunity_create(actor=seller, customer=customer_create(actor=seller, name="流程客户"), name="项目",
                                stage=demo_stage)
    kept = [dict(s, pk=pipeline.stages.get(name_zh=s["name_zh"]).pk) for s in STAGES if s["name_zh"] != "演示"]
    with pytest.raises(Conflict):
        pipeline_save(actor=manager, pipeline=pipeline, name="项目型销售", stages=kept)
    assert pipeline.stages.count() == 4 and Pipeline.objects.get().is_default  # the first one is the default


def test_pipeline_and_rules_screens(demo_org, client_for):
    """ORG-7: the settings page edits stages and branch thresholds; the board offers the pipelines."""
    client = client_for(demo_org["wangjianguo"])
    services.default_pipeline()
    post = {"name": "渠道销售"}
    for i, stage in enumerate(STAGES, start=1):
        post.update({f"name_zh_{i}": stage["name_zh"], f"name_en_{i}": stage["name_en"],
                     f"probability_{i}": stage["probability"], f"kind_{i}": stage["kind"]})
    assert client.post("/sales/settings/pipelines/new/", post).status_code == 302
    pipeline = Pipeline.objects.get(name="渠道销售")
    assert pipeline.stages.filter(kind=StageKind.WON).count() == 1
    board = client.get("/sales/opportunities/").content.decode()
    assert "渠道销售" in board and f"?pipeline={pipeline.pk}" in board
    beijing = demo_org["zhuwei"].branch
    response = client.post("/sales/settings/", {"threshold_default": "500000", "discount_default": "10",
                                                 "days_default": "3", f"threshold_{beijing.pk}": "200000",
                                                 f"discount_{beijing.pk}": "5", f"days_{beijing.pk}": "7"})
    assert response.status_code == 302
    assert SalesSettings.for_branch(beijing.pk).large_deal_threshold == Decimal("200000.00")
    assert SalesSettings.for_branch(demo_org["liuyang"].branch_id).delivery_reminder_days == 3
    bad = client.post("/sales/settings/", {"threshold_default": "-1", "discount_default": "10", "days_default": "3"})
    assert bad.status_code == 200 and SalesSettings.objects.get(branch=None).large_deal_threshold == Decimal("500000")
    with pytest.raises(ValidationFailed):
        sales_settings_save(actor=demo_org["wangjianguo"], branch=None, large_deal_threshold="1",
                            discount_limit_percent="120", delivery_reminder_days="3")


def test_document_numbers_and_print_templates(demo_org, client_for):
    """ORG-7 / SAL-3: an administrator changes the order numbers and the quote's print
    template; the next order and the quote PDF use them; a template reaching outside is refused."""
    from guanxi.sales.printing import quote_data
    from guanxi.testing.sales import confirmed_order

    admin = client_for(demo_org["zhaolei"])
    assert "sales.order" in admin.get("/system/configuration/numbering/").content.decode()
    response = admin.post("/system/configuration/numbering/sales.order/", {"prefix": "HT", "width": "4",
                                                                            "reset": "monthly"})
    assert response.status_code == 302 and NumberFormat.objects.get(doc_type="sales.order").prefix == "HT"
    seller = demo_org["liuyang"]
    order = confirmed_order(seller, customer_create(actor=seller, name="编号客户"))
    assert order.number.startswith("HT-") and order.number.endswith("-0001")
    bad = admin.post("/system/configuration/numbering/sales.order/", {"prefix": "h t!", "width": "4",
                                                                       "reset": "monthly"})
    assert bad.status_code == 200 and NumberFormat.objects.get(doc_type="sales.order").prefix == "HT"
    form = admin.get("/system/configuration/printing/sales.quote/new/").content.decode()
    assert "customer.name" in form
    html = "<html><body><h1>我们的报价 {{ quote.number }}</h1><p>{{ customer.name }}</p></body></html>"
    preview = admin.post("/system/configuration/printing/sales.quote/new/", {"name": "简版", "html": html,
                                                                              "is_active": "on", "preview": "1"})
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    assert admin.post("/system/configuration/printing/sales.quote/new/",
                      {"name": "简版", "html": html, "is_active": "on"}).status_code == 302
    evil = admin.post("/system/configuration/printing/sales.quote/new/", {
        "name": "坏", "html": "{% load static %}{% include 'base.html' %}", "is_active": "on"})
    assert evil.status_code == 200 and PrintTemplate.objects.count() == 1
    from guanxi.core.printing import render_html

    quote = services.quote_create(actor=seller, customer=customer_create(actor=seller, name="模板客户"), lines=[
        {"description": "服务", "quantity": Decimal("1"), "unit_price": Decimal("100")}])
    assert "我们的报价" in render_html("sales.quote", quote_data(quote))
    assert client_for(seller).get("/system/configuration/printing/").status_code == 403


def test_finance_settings_screen(demo_org, client_for):
    """ORG-7 / FIN-1: per branch, receivables from orders or shipments, and the payment terms."""
    client = client_for(demo_org["zhouhong"])
    assert client.get("/finance/settings/").status_code == 200
    branch = demo_org["liuyang"].branch
    response = client.post("/finance/settings/", {"source_default": "order", "days_default": "30",
                                                  f"source_{branch.pk}": "shipment", f"days_{branch.pk}": "60"})
    assert response.status_code == 302
    assert FinanceSettings.for_branch(branch.pk).receivable_source == "shipment"
    assert FinanceSettings.for_branch(branch.pk).payment_days == 60
    assert client_for(demo_org["liuyang"]).get("/finance/settings/").status_code == 403
