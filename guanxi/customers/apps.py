from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "guanxi.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from auditlog.registry import auditlog

        from guanxi.core import (
            custom_fields,
            memo,
            navigation,
            permissions,
            picklists,
            recycle,
            search,
            warmup,
        )

        from . import pinyin, selectors, services
        from .models import (
            Contact,
            Customer,
            CustomerSettings,
            CustomerShare,
            Feedback,
            Interaction,
        )

        warmup.register(pinyin.syllables)  # query segmentation for pinyin search
        permissions.register_module("customers", _("Customers"), {
            "view": _("View"), "create": _("Create"), "edit": _("Edit"), "delete": _("Delete"),
            "export": _("Export"), "import": _("Import"), "claim": _("Claim from the public pool"),
            "transfer": _("Transfer, share and keep from the pool"),
            "approve_duplicate": _("Approve saving a duplicate"), "manage": _("Configure customers"),
        })
        navigation.register(navigation.Section("customers", _("Customers"), "customers.view", [
            navigation.Item(_("Customers"), "customers:customer_list", "customers.view"),
            navigation.Item(_("Public pool"), "customers:pool", "customers.claim"),
            navigation.Item(_("Contacts"), "customers:contact_list", "customers.view"),
            navigation.Item(_("Follow-up reminders"), "customers:reminders", "customers.view"),
            navigation.Item(_("Interactions"), "customers:interaction_list", "customers.view"),
            navigation.Item(_("Daily contact report"), "customers:daily_report", "customers.view"),
            navigation.Item(_("Customer feedback"), "customers:feedback_list", "customers.view"),
            navigation.Item(_("Duplicate check"), "customers:duplicates", "customers.view"),
            navigation.Item(_("Customer settings"), "customers:settings", "customers.manage"),
        ], order=5))
        picklists.register("customers.industry", _("Industries"), [
            ("manufacturing", "制造业", "Manufacturing"), ("wholesale", "批发零售", "Wholesale and retail"),
            ("it", "信息技术", "Information technology"), ("construction", "建筑工程", "Construction"),
            ("finance", "金融保险", "Finance and insurance"), ("logistics", "交通物流", "Transport and logistics"),
            ("education", "教育培训", "Education"), ("healthcare", "医疗健康", "Healthcare"),
            ("energy", "能源化工", "Energy and chemicals"), ("food", "食品饮料", "Food and beverage"),
            ("realestate", "房地产", "Real estate"), ("government", "政府机构", "Government"),
            ("other", "其他", "Other"),
        ])
        picklists.register("customers.source", _("Customer sources"), [
            ("referral", "客户介绍", "Referral"), ("exhibition", "展会", "Trade show"),
            ("website", "公司网站", "Website"), ("phone", "电话咨询", "Phone enquiry"),
            ("cold_call", "陌生拜访", "Cold call"), ("advertising", "广告", "Advertising"),
            ("social", "社交媒体", "Social media"), ("partner", "合作伙伴", "Partner"), ("other", "其他", "Other"),
        ])
        picklists.register("customers.level", _("Customer levels"), [
            ("vip", "VIP客户", "VIP"), ("key", "重点客户", "Key"), ("normal", "普通客户", "Normal"),
            ("small", "小客户", "Small"),
        ])
        picklists.register("customers.contact_role", _("Contact roles"), [
            ("decision", "决策人", "Decision maker"), ("influencer", "影响者", "Influencer"),
            ("purchaser", "采购", "Purchaser"), ("finance", "财务", "Finance"), ("technical", "技术", "Technical"),
            ("user", "使用者", "User"), ("other", "其他", "Other"),
        ])
        picklists.register("customers.release_reason", _("Reasons to release a customer"), [
            ("no_need", "暂无需求", "No need for now"), ("unreachable", "联系不上", "Cannot reach them"),
            ("competitor", "已选择竞争对手", "Chose a competitor"), ("too_small", "规模太小", "Too small"),
            ("other", "其他", "Other"),
        ])
        from django.db.models.signals import post_migrate

        from .search_index import ensure_sqlite_triggers

        post_migrate.connect(ensure_sqlite_triggers, sender=self, dispatch_uid="customers.fts_triggers")
        from .importer import register as register_importer
        from .sections import register as register_sections
        from .timeline import register as register_timeline

        register_timeline()
        register_sections()
        register_importer()
        picklists.register("customers.feedback_kind", _("Kinds of customer feedback"), [
            ("suggestion", "建议", "Suggestion"), ("complaint", "投诉", "Complaint"), ("praise", "表扬", "Praise"),
            ("query", "咨询", "Question"), ("other", "其他", "Other"),
        ])
        from guanxi.core import digest

        from .reminders import digest_section

        digest.register(_("Customers to contact"), digest_section)
        custom_fields.register("customers.customer", _("Customers"))
        custom_fields.register("customers.contact", _("Contacts"))
        search.register(selectors.customer_search_hits, permission="customers.view", key="customers.customer",
                        label=_("Customers"))
        search.register(selectors.contact_search_hits, permission="customers.view", key="customers.contact",
                        label=_("Contacts"))
        recycle.register_services("customers.customer", _("Customers"), Customer, selectors.customers_deleted_visible_to,
                                  restore=services.customer_restore, purge=services.customer_purge, record_name="customer")
        recycle.register_services("customers.contact", _("Contacts"), Contact, selectors.contacts_deleted_visible_to,
                                  restore=services.contact_restore, purge=services.contact_purge, record_name="contact")
        normalized = ["name_norm", "phone_norm", "mobile_norm", "email_norm", "search_tokens", "updated_at"]
        auditlog.register(Customer, exclude_fields=normalized, m2m_fields={"tags"})
        auditlog.register(Contact, exclude_fields=normalized)
        auditlog.register(CustomerShare)
        auditlog.register(Interaction, exclude_fields=["updated_at"])
        auditlog.register(Feedback, exclude_fields=["updated_at"])
        recycle.register_services("customers.interaction", _("Interactions"), Interaction, selectors.interactions_deleted_visible_to,
                                  restore=services.interaction_restore, purge=services.interaction_purge, record_name="interaction")
        auditlog.register(CustomerSettings)
        memo.watch(CustomerSettings)
