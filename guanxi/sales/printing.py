"""Quotes as PDF, XLSX and e-mail (SAL-3): plain data for the print templates."""

from django.utils import timezone

from guanxi.core.exports import neutralize
from guanxi.core.printing import html_to_pdf, render_html, xlsx_bytes
from guanxi.org.services import company_get


def _amount(value):
    return f"{value:,.2f}"


def quote_data(quote):
    company = company_get()
    contact = quote.contact
    return {
        "company": {"name": company.name, "address": company.address, "phone": company.phone},
        "quote": {"number": quote.number, "version": quote.version, "date": timezone.localtime(quote.created_at).date()
                  .isoformat(), "valid_until": quote.valid_until.isoformat() if quote.valid_until else "—",
                  "currency": quote.currency, "subtotal": _amount(quote.subtotal),
                  "discount_total": _amount(quote.discount_total), "tax_total": _amount(quote.tax_total),
                  "total": _amount(quote.total), "terms": quote.terms},
        "customer": {"name": quote.customer.name, "address": quote.customer.region_name + quote.customer.address},
        "contact": {"name": contact.name if contact else "", "phone": (contact.mobile or contact.phone) if contact
                    else ""},
        "owner": {"name": quote.owner.display_name, "phone": quote.owner.phone, "email": quote.owner.email},
        "lines": [{"position": line.position, "sku": line.product.sku if line.product else "",
                   "description": line.description, "quantity": line.quantity.normalize(), "unit": line.unit,
                   "unit_price": _amount(line.unit_price), "discount_percent": line.discount_percent.normalize(),
                   "tax_rate": line.tax_rate.normalize(), "total": _amount(line.total)}
                  for line in quote.lines.select_related("product")],
    }


def quote_pdf(quote):
    return html_to_pdf(render_html("sales.quote", quote_data(quote)))


def quote_xlsx(quote):
    data = quote_data(quote)
    return xlsx_bytes(quote.number, [
        [neutralize(data["company"]["name"])],
        ["报价单 Quotation", quote.number, f"v{quote.version}"],
        ["客户 Customer", neutralize(quote.customer.name)],
        [],
        ["#", "编号 SKU", "产品 Item", "数量 Qty", "单位 Unit", "单价 Unit price", "折扣% Disc.", "税率 Tax",
         "金额 Amount"],
        *([line.position, line.product.sku if line.product else "", neutralize(line.description),
           line.quantity, line.unit, line.unit_price, line.discount_percent, line.tax_rate, line.total]
          for line in quote.lines.select_related("product")),
        [],
        *(["", "", "", "", "", "", "", label, value]
          for label, value in (("小计 Subtotal", quote.subtotal), ("折扣 Discount", quote.discount_total),
                               ("税额 Tax", quote.tax_total), ("合计 Total", quote.total))),
    ])


def sample():
    """Data for previewing a quote template."""
    return {
        "company": {"name": "广州华智商贸有限公司", "address": "广州市天河区", "phone": "020-38886666"},
        "quote": {"number": "QT-2026-000001", "version": 1, "date": "2026-11-23", "valid_until": "2026-12-31",
                  "currency": "CNY", "subtotal": "1,000.00", "discount_total": "50.00", "tax_total": "123.50",
                  "total": "1,073.50", "terms": "款到发货"},
        "customer": {"name": "广州华达电子有限公司", "address": "广东省广州市天河区"},
        "contact": {"name": "王经理", "phone": "13800138000"},
        "owner": {"name": "刘洋", "phone": "13900000000", "email": "liuyang@example.cn"},
        "lines": [{"position": 1, "sku": "GX-DS100", "description": "工业显示器", "quantity": 2, "unit": "台",
                   "unit_price": "500.00", "discount_percent": 5, "tax_rate": "0.13", "total": "1,073.50"}],
    }
