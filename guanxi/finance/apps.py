from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "guanxi.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self):
        from auditlog.registry import auditlog

        from guanxi.core import digest, navigation, numbering, permissions, picklists
        from guanxi.customers.merge import register_child
        from guanxi.sales.signals import order_confirmed, shipment_created

        from . import receivers, reminders
        from .models import Allocation, FinanceSettings, Receipt, Receivable

        permissions.register_module("finance", _("Finance"), {
            "view": _("View"), "create": _("Create"), "edit": _("Edit and allocate"),
            "reverse": _("Reverse and cancel"), "export": _("Export"), "manage": _("Manage settings"),
        })
        navigation.register(navigation.Section("finance", _("Finance"), "finance.view", [
            navigation.Item(_("Receivables"), "finance:receivable_list", "finance.view"),
            navigation.Item(_("Receipts"), "finance:receipt_list", "finance.view"),
            navigation.Item(_("Ageing"), "finance:ageing", "finance.view"),
            navigation.Item(_("Receivable analysis"), "finance:analysis", "finance.view"),
        ], order=10))
        digest.register(_("Receivables"), reminders.digest_section)
        picklists.register("finance.payment_method", _("Payment methods"), [
            ("bank", "银行转账", "Bank transfer"), ("cash", "现金", "Cash"), ("wechat", "微信支付", "WeChat Pay"),
            ("alipay", "支付宝", "Alipay"), ("cheque", "支票", "Cheque"),
            ("acceptance", "银行承兑汇票", "Bank acceptance bill"),
        ])
        numbering.register("finance.receivable", "AR")
        numbering.register("finance.receipt", "RC")
        order_confirmed.connect(receivers.order_confirmed, dispatch_uid="finance.order_confirmed")
        shipment_created.connect(receivers.shipment_created, dispatch_uid="finance.shipment_created")
        register_child(Receivable, "customer")
        register_child(Receipt, "customer")
        for model in (Receivable, Receipt, Allocation, FinanceSettings):
            auditlog.register(model)
