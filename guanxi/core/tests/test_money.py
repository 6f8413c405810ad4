"""The VAT rate is one setting (issue 16: it was written in eight places)."""

from decimal import Decimal

import pytest

from guanxi.customers.services import customer_create
from guanxi.sales import services
from guanxi.sales.models import Product


@pytest.mark.django_db
def test_the_default_tax_rate_is_one_setting(settings, demo_org):
    """SAL-1, SAL-3: a product or a document line that names no rate gets the configured one."""
    settings.GUANXI_DEFAULT_TAX_RATE = "0.09"
    product = Product.objects.create(sku="T-1", name="测试品", list_price=Decimal("100"))
    assert product.tax_rate == Decimal("0.09")
    seller = demo_org["liuyang"]
    quote = services.quote_create(actor=seller, customer=customer_create(actor=seller, name="税率测试客户"), lines=[
        {"description": "安装服务", "quantity": Decimal("1"), "unit_price": Decimal("1000.00")}])
    line = quote.lines.get()
    assert line.tax_rate == Decimal("0.09") and line.tax == Decimal("90.00")
    settings.GUANXI_DEFAULT_TAX_RATE = "0.13"
    assert Product.objects.create(sku="T-2", name="测试品二", list_price=Decimal("100")).tax_rate == Decimal("0.13")
