from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "guanxi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from auditlog.registry import auditlog

        from guanxi.approvals import services as approvals
        from guanxi.core import digest, navigation, numbering, permissions, picklists, transitions
        from guanxi.customers.merge import register_child

        from . import customer_page, deliveries, services
        from .models import (
            CommissionRule,
            CommissionStatement,
            Lead,
            Opportunity,
            Order,
            OrderAdjustment,
            PriceList,
            PriceListItem,
            Product,
            Quote,
            SalaryEntry,
            SalesSettings,
            Shipment,
            Stage,
            Target,
        )

        permissions.register_module("sales", _("Sales"), {
            "view": _("View"), "create": _("Create"), "edit": _("Edit"), "delete": _("Delete"),
            "export": _("Export"), "ship": _("Make shipping notes"),
            "manage": _("Manage products, prices and pipelines"), "targets": _("Set targets"),
            "commissions": _("Manage commission rules, salaries and statements"),
        })
        navigation.register(navigation.Section("sales", _("Sales"), "sales.view", [
            navigation.Item(_("Leads"), "sales:lead_list", "sales.view"),
            navigation.Item(_("Opportunities"), "sales:opportunity_board", "sales.view"),
            navigation.Item(_("Quotes"), "sales:quote_list", "sales.view"),
            navigation.Item(_("Orders"), "sales:order_list", "sales.view"),
            navigation.Item(_("Shipping notes"), "sales:shipment_list", "sales.view"),
            navigation.Item(_("Deliveries due"), "sales:deliveries", "sales.view"),
            navigation.Item(_("Products"), "sales:product_list", "sales.view"),
            navigation.Item(_("Targets"), "sales:target_list", "sales.view"),
            navigation.Item(_("Sales settings"), "sales:settings", "sales.manage"),
        ], order=8))
        picklists.register("sales.product_category", _("Product categories"), [
            ("equipment", "设备", "Equipment"), ("parts", "配件", "Parts"), ("consumables", "耗材", "Consumables"),
            ("service", "服务", "Services"), ("software", "软件", "Software"),
        ])
        picklists.register("sales.lost_reason", _("Reasons an opportunity is lost"), [
            ("price", "价格偏高", "Price too high"), ("competitor", "竞争对手", "Competitor"),
            ("no_budget", "没有预算", "No budget"), ("timing", "时机不对", "Bad timing"),
            ("product_fit", "产品不匹配", "Product did not fit"), ("other", "其他", "Other"),
        ])
        picklists.register("sales.warehouse", _("Warehouses"), [
            ("gz", "广州总仓", "Guangzhou central"), ("bj", "北京仓", "Beijing"), ("sh", "上海仓", "Shanghai"),
            ("sz", "深圳仓", "Shenzhen"),
        ])
        from guanxi.core import printing

        from .printing import sample

        printing.register("sales.quote", _("Quote"), sample)
        numbering.register("sales.quote", "QT")
        numbering.register("sales.order", "SO")
        numbering.register("sales.shipment", "SN")
        approvals.register("sales.quote_discount", _("Discounts beyond the limit (quotes and orders)"),
                           services.quote_approval_decided)
        approvals.register("sales.order_discount", _("Order discounts beyond the limit"),
                           services.order_discount_decided, policy_of="sales.quote_discount")
        approvals.register("sales.contract", _("Contract orders"), services.order_approval_decided)
        customer_page.register()
        transitions.register(Quote, services.QUOTE_TRANSITIONS)
        transitions.register(Order, services.ORDER_TRANSITIONS)
        register_child(Opportunity, "customer")
        register_child(Quote, "customer")
        register_child(Order, "customer")
        digest.register(_("Deliveries"), deliveries.digest_section)
        from guanxi.core import imports

        from .importer import IMPORTER

        imports.register(IMPORTER)
        from guanxi.core import recycle

        from . import selectors

        for model, label in ((Lead, _("Leads")), (Opportunity, _("Opportunities"))):
            recycle.register(recycle.RecycleKind(
                code=f"sales.{model._meta.model_name}", label=label, model=model,
                deleted_for=selectors.deleted_visible_to(model), restore=services.record_restore,
                purge=services.record_purge))
        from guanxi.core import search

        for key, provider, label in (("sales.lead", selectors.lead_search_hits, _("Leads")),
                                     ("sales.opportunity", selectors.opportunity_search_hits, _("Opportunities")),
                                     ("sales.quote", selectors.quote_search_hits, _("Quotes")),
                                     ("sales.order", selectors.order_search_hits, _("Orders")),
                                     ("sales.shipment", selectors.shipment_search_hits, _("Shipping notes"))):
            search.register(provider, permission="sales.view", key=key, label=label)
        for model in (Product, PriceList, PriceListItem, OrderAdjustment, Stage, Lead, Opportunity, Quote, Order, Shipment, SalesSettings, Target,
                      CommissionRule, SalaryEntry, CommissionStatement):
            auditlog.register(model, exclude_fields=["updated_at"])
        from guanxi.core import memo

        from .models import Pipeline, Stage

        memo.directory(Stage)
        memo.watch(Pipeline)
