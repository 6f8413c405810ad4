from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "guanxi.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self):
        from auditlog.registry import auditlog

        from guanxi.core import (
            navigation,
            numbering,
            permissions,
            picklists,
            printing,
            recycle,
            transitions,
        )

        from . import selectors, services
        from .models import GoodsReceipt, PurchaseOrder, Supplier
        from .printing import sample

        transitions.register(PurchaseOrder, services.PURCHASE_TRANSITIONS)
        permissions.register_module("purchasing", _("Purchasing"), {
            "view": _("View"), "create": _("Create"), "edit": _("Edit"), "delete": _("Delete"),
            "export": _("Export"), "receive": _("Receive goods"),
        })
        navigation.register(navigation.Section("purchasing", _("Purchasing"), "purchasing.view", [
            navigation.Item(_("Suppliers"), "purchasing:supplier_list", "purchasing.view"),
            navigation.Item(_("Purchase orders"), "purchasing:order_list", "purchasing.view"),
            navigation.Item(_("Goods receipts"), "purchasing:goods_receipt_list", "purchasing.view"),
        ], order=12))
        picklists.register("purchasing.supplier_category", _("What suppliers supply"), [
            ("equipment", "设备", "Equipment"), ("parts", "零部件", "Parts"), ("materials", "原材料", "Materials"),
            ("services", "服务", "Services"), ("office", "办公用品", "Office supplies"),
        ])
        numbering.register("purchasing.order", "PO")
        numbering.register("purchasing.goods_receipt", "GR")
        printing.register("purchasing.order", _("Purchase order"), sample)
        recycle.register_services("purchasing.supplier", _("Suppliers"), Supplier, selectors.suppliers_deleted_visible_to,
                                  restore=services.supplier_restore, purge=services.supplier_purge, record_name="supplier")
        for model in (Supplier, PurchaseOrder, GoodsReceipt):
            auditlog.register(model, exclude_fields=["updated_at"])
