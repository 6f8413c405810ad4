"""SAL-3: the quote as PDF with Chinese text, as XLSX, by e-mail; print templates."""

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core import mail

from guanxi.core.errors import ValidationFailed
from guanxi.core.models import PrintTemplate
from guanxi.customers.services import customer_create
from guanxi.sales import services
from guanxi.sales.models import Product, QuoteStatus


@pytest.fixture
def quote(demo_org):
    seller = demo_org["liuyang"]
    customer = customer_create(actor=seller, name="广州华达电子有限公司")
    product = Product.objects.create(sku="GX-DS100", name="工业显示器", list_price=Decimal("2999.00"))
    quote = services.quote_create(actor=seller, customer=customer, lines=[{"product": product, "quantity": 2}])
    return services.quote_submit(actor=seller, quote=quote)


def _pdf_text(data):
    if shutil.which("pdftotext"):
        result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,  # noqa: S603,S607
                                check=True)
        return result.stdout.decode("utf-8")
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_holds_the_chinese_customer_name(quote, client_for, demo_org):
    response = client_for(demo_org["liuyang"]).get(f"/sales/quotes/{quote.pk}/file.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "广州华达电子有限公司" in text and quote.number in text and "报价单" in text


def test_xlsx_export(quote, client_for, demo_org):
    from openpyxl import load_workbook

    response = client_for(demo_org["liuyang"]).get(f"/sales/quotes/{quote.pk}/file.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "广州华达电子有限公司" in values and quote.total in [Decimal(str(v)) for v in values
                                                         if isinstance(v, (int, float))] + [quote.total]


def test_email_with_the_pdf_attached(quote, demo_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.quote_send(actor=demo_org["liuyang"], quote=quote, to="buyer@huada.cn")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    message = mail.outbox[-1]
    assert message.to == ["buyer@huada.cn"] and message.attachments[0][2] == "application/pdf"
    with pytest.raises(ValidationFailed):
        services.quote_send(actor=demo_org["liuyang"], quote=quote, to="not an address")


def test_an_administrators_template_is_used_and_escapes_data(quote, client_for, demo_org):
    PrintTemplate.objects.create(doc_type="sales.quote", name="简版", html=(
        '<html><body style="font-family: {{ font_family }}"><h1>简版报价 {{ quote.number }}</h1>'
        "<p>{{ customer.name }}</p></body></html>"))
    quote.customer.name = "华达<script>x</script>"
    quote.customer.save()
    text = _pdf_text(client_for(demo_org["liuyang"]).get(f"/sales/quotes/{quote.pk}/file.pdf").content)
    assert "简版报价" in text


def test_templates_may_not_reach_outside_their_data():
    from guanxi.core.printing import validate_template

    for html in ("{% load static %}", "{% include 'base.html' %}", "{% debug %}", "{% for %}"):
        with pytest.raises(ValidationFailed):
            validate_template(html)
