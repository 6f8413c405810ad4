"""Purchase orders as PDF and XLSX (PUR-2): plain data for the print templates."""

from django.utils import timezone

from guanxi.core.exports import neutralize
from guanxi.core.printing import html_to_pdf, render_html, xlsx_bytes
from guanxi.org.services import company_get


def _amount(value):
    return f"{value:,.2f}"


def purchase_order_data(order):
    company = company_get()
    supplier = order.supplier
    return {
        "company": {"name": company.name, "address": company.address, "phone": company.phone},
        "order": {"number": order.number, "date": order.order_date.isoformat(),
                  "expected_on": order.expected_on.isoformat() if order.expected_on else "—",
                  "currency": order.currency, "subtotal": _amount(order.subtotal),
                  "tax_total": _amount(order.tax_total), "total": _amount(order.total), "notes": order.notes},
        "supplier": {"name": supplier.name, "contact": supplier.contact_name, "phone": supplier.phone,
                     "address": supplier.address},
        "owner": {"name": order.owner.display_name, "phone": order.owner.phone, "email": order.owner.email},
        "lines": [{"position": line.position, "sku": line.product.sku if line.product else "",
                   "description": line.description, "quantity": line.quantity.normalize(), "unit": line.unit,
                   "unit_price": _amount(line.unit_price), "tax_rate": line.tax_rate.normalize(),
                   "total": _amount(line.total)} for line in order.lines.select_related("product")],
        "printed_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


def purchase_order_pdf(order):
    return html_to_pdf(render_html("purchasing.order", purchase_order_data(order)))


def purchase_order_xlsx(order):
    data = purchase_order_data(order)
    return xlsx_bytes(order.number, [
        [neutralize(data["company"]["name"])],
        ["采购单 Purchase order", order.number, data["order"]["date"]],
        ["供应商 Supplier", neutralize(order.supplier.name)],
        [],
        ["#", "编号 SKU", "品名 Item", "数量 Qty", "单位 Unit", "单价 Unit price", "税率 Tax", "金额 Amount"],
        *([line.position, line.product.sku if line.product else "", neutralize(line.description),
           line.quantity, line.unit, line.unit_price, line.tax_rate, line.total]
          for line in order.lines.select_related("product")),
        [],
        ["", "", "合计 Total", "", "", "", "", order.total],
    ])


def sample():
    """Data for previewing the template in the designer."""
    return {
        "company": {"name": "广州华智商贸有限公司", "address": "广州市天河区", "phone": "020-38886666"},
        "order": {"number": "PO-2026-000001", "date": "2026-12-01", "expected_on": "2026-12-15", "currency": "CNY",
                  "subtotal": "10,000.00", "tax_total": "1,300.00", "total": "11,300.00", "notes": ""},
        "supplier": {"name": "东莞精密电子有限公司", "contact": "陈经理", "phone": "0769-22334455",
                     "address": "东莞市松山湖"},
        "owner": {"name": "吴强", "phone": "", "email": ""},
        "lines": [{"position": 1, "sku": "GX-SN01", "description": "光电传感器", "quantity": 100, "unit": "个",
                   "unit_price": "100.00", "tax_rate": "0.13", "total": "11,300.00"}],
        "printed_at": "2026-12-01 09:00",
    }
