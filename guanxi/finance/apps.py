from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "guanxi.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models.signals import post_migrate

        from guanxi.approvals import services as approvals
        from guanxi.core import (
            digest,
            navigation,
            numbering,
            permissions,
            picklists,
            search,
            transitions,
        )
        from guanxi.core.panels import register_panel
        from guanxi.core.permissions import AUTHENTICATED
        from guanxi.customers.merge import register_child
        from guanxi.purchasing.signals import goods_received
        from guanxi.sales.panels import register_order_panel
        from guanxi.sales.signals import (
            order_cancelled,
            order_cancelling,
            order_confirmed,
            shipment_created,
        )
        from guanxi.sales.targets import register_received_source

        from . import (
            customer_page,
            expenses,
            invoices,
            ledger,
            panels,
            receivers,
            reminders,
            selectors,
            views_invoices,
        )
        from .models import (
            Allocation,
            Expense,
            ExpenseCategory,
            FinanceSettings,
            Instalment,
            Invoice,
            Payable,
            Payment,
            PaymentAllocation,
            PaymentPlan,
            Receipt,
            Receivable,
        )

        permissions.register_module("finance", _("Finance"), {
            "view": _("View"), "create": _("Create"), "edit": _("Edit and allocate"),
            "reverse": _("Reverse and cancel"), "export": _("Export"), "manage": _("Manage settings"),
            "report": _("Statistics and profit"),
        })
        navigation.register(navigation.Section("finance", _("Finance"), "finance.view", [
            navigation.Item(_("Receivables"), "finance:receivable_list", "finance.view"),
            navigation.Item(_("Receipts"), "finance:receipt_list", "finance.view"),
            navigation.Item(_("Payables"), "finance:payable_list", "finance.view"),
            navigation.Item(_("Payments"), "finance:payment_list", "finance.view"),
            navigation.Item(_("Invoices"), "finance:invoice_list", "finance.view"),
            navigation.Item(_("Ageing"), "finance:ageing", "finance.view"),
            navigation.Item(_("Receivable analysis"), "finance:analysis", "finance.view"),
            navigation.Item(_("Statistics"), "finance:statistics", "finance.report"),
            navigation.Item(_("Profit"), "finance:profit", "finance.report"),
            navigation.Item(_("Finance settings"), "finance:settings", "finance.manage"),
        ], order=10))
        # Commissions and pay (SAL-9) are computed here, on the money received; people find
        # them beside the sales they are paid for.
        navigation.add_items("sales",
                             navigation.Item(_("Commission statements"), "finance:statement_list", "sales.commissions"),
                             navigation.Item(_("Salaries"), "finance:salary_sheet", "sales.commissions"),
                             navigation.Item(_("Commission rules"), "finance:commission_rule_list", "sales.commissions"),
                             navigation.Item(_("My pay"), "finance:my_pay", "sales.view"))
        navigation.register(navigation.Section("expenses", _("Expenses"), AUTHENTICATED, [
            navigation.Item(_("My expenses"), "finance:expense_list", AUTHENTICATED),
        ], order=70))
        picklists.register("finance.payment_method", _("Payment methods"), [
            ("bank", "银行转账", "Bank transfer"), ("cash", "现金", "Cash"), ("wechat", "微信支付", "WeChat Pay"),
            ("alipay", "支付宝", "Alipay"), ("cheque", "支票", "Cheque"),
            ("acceptance", "银行承兑汇票", "Bank acceptance bill"),
        ])
        for doc_type, prefix in (("finance.receivable", "AR"), ("finance.receipt", "RC"), ("finance.payable", "AP"),
                                 ("finance.payment", "PM"), ("finance.invoice", "IV"), ("finance.expense", "EX")):
            numbering.register(doc_type, prefix)
        approvals.register("finance.expense", _("Expenses"), expenses.expense_approval_decided)
        approvals.register("finance.invoice", _("Invoice requests"), invoices.invoice_approval_decided)
        order_confirmed.connect(receivers.order_confirmed, dispatch_uid="finance.order_confirmed")
        order_cancelling.connect(receivers.order_cancelling, dispatch_uid="finance.order_cancelling")
        order_cancelled.connect(receivers.order_cancelled, dispatch_uid="finance.order_cancelled")
        shipment_created.connect(receivers.shipment_created, dispatch_uid="finance.shipment_created")
        goods_received.connect(receivers.goods_received, dispatch_uid="finance.goods_received")
        post_migrate.connect(receivers.after_migrate, sender=self, dispatch_uid="finance.after_migrate")
        digest.register(_("Receivables"), reminders.digest_section)
        customer_page.register()
        transitions.register(Receivable, ledger.DEBT_TRANSITIONS)
        transitions.register(Payable, ledger.DEBT_TRANSITIONS)
        transitions.register(Invoice, invoices.INVOICE_TRANSITIONS)
        transitions.register(Expense, expenses.EXPENSE_TRANSITIONS)
        search.register(selectors.invoice_search_hits, permission="finance.view", key="finance.invoice",
                        label=_("Invoices"))
        register_order_panel(views_invoices.order_panel)
        register_panel("purchasing.supplier", panels.supplier_panel)
        register_received_source(selectors.receipts_received_between, "received_on", "amount")
        register_child(Receivable, "customer")
        register_child(Receipt, "customer")
        register_child(Invoice, "customer")
        for model in (Receivable, Receipt, Allocation, Payable, Payment, PaymentAllocation, PaymentPlan, Instalment,
                      Invoice, Expense, ExpenseCategory, FinanceSettings):
            auditlog.register(model, exclude_fields=["updated_at"])
        from guanxi.core import memo

        from .models import ExpenseCategory

        memo.directory(ExpenseCategory)
