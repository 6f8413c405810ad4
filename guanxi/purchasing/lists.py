from django.utils.translation import gettext_lazy as _

from guanxi.core import picklists
from guanxi.core.listing import Column, Filter, ListSpec, period_filters

from . import selectors
from .models import PurchaseStatus


class SupplierList(ListSpec):
    key = "purchasing.suppliers"
    title = _("Suppliers")
    permission = "purchasing.view"
    export_permission = "purchasing.export"
    create_url_name = "purchasing:supplier_create"
    create_permission = "purchasing.create"
    export_name = "suppliers"
    default_sort = "name"
    columns = [
        Column("name", _("Name"), sortable=True, link=True), Column("code", _("Code")),
        Column("category", _("Supplies"), value=lambda s: s.category or ""),
        Column("contact_name", _("Contact person")), Column("phone", _("Phone")),
        Column("payment_days", _("Payment terms (days)")),
        Column("owner", _("Purchaser"), value=lambda s: s.owner.display_name),
    ]
    filters = [Filter("category", _("Supplies"), lookup="category_id",
                      choices=lambda r: picklists.choices("purchasing.supplier_category")),
               Filter("active", _("Active"), lookup="is_active", kind="boolean",
                      choices=[("1", _("Yes")), ("0", _("No"))])]
    search_fields = ["name", "code", "contact_name", "phone"]
    empty_text = _("No suppliers yet.")

    visible_to = selectors.suppliers_visible_to


class PurchaseOrderList(ListSpec):
    key = "purchasing.orders"
    title = _("Purchase orders")
    permission = "purchasing.view"
    export_permission = "purchasing.export"
    create_url_name = "purchasing:order_create"
    create_permission = "purchasing.create"
    export_name = "purchase-orders"
    columns = [
        Column("number", _("Number"), sortable=True, link=True),
        Column("supplier", _("Supplier"), value=lambda o: o.supplier.name), Column("status", _("Status")),
        Column("order_date", _("Order date"), sortable=True), Column("expected_on", _("Expected delivery")),
        Column("total", _("Total"), sortable=True), Column("owner", _("Purchaser"), value=lambda o: o.owner.display_name),
    ]
    filters = [Filter("status", _("Status"), choices=PurchaseStatus.choices),
               *period_filters("order_date", _("Ordered from"), _("Ordered to"))]
    search_fields = ["number", "supplier__name"]
    empty_text = _("No purchase orders yet.")

    visible_to = selectors.purchase_orders_visible_to


class GoodsReceiptList(ListSpec):
    key = "purchasing.goods_receipts"
    title = _("Goods receipts")
    permission = "purchasing.view"
    export_permission = "purchasing.export"
    export_name = "goods-receipts"
    default_sort = "-received_on"
    columns = [
        Column("number", _("Number"), sortable=True, link=True),
        Column("order", _("Purchase order"), value=lambda g: g.order.number),
        Column("supplier", _("Supplier"), value=lambda g: g.order.supplier.name),
        Column("warehouse", _("Warehouse"), value=lambda g: g.warehouse or ""),
        Column("received_on", _("Date received"), sortable=True),
    ]
    search_fields = ["number", "order__number"]
    empty_text = _("No goods received yet.")

    visible_to = selectors.goods_receipts_visible_to
