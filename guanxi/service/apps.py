from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "guanxi.service"
    label = "service"
    verbose_name = _("Service")

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models.signals import post_migrate

        from guanxi.core import (
            navigation,
            notifications,
            numbering,
            permissions,
            picklists,
            search,
            transitions,
        )
        from guanxi.customers.merge import register_child
        from guanxi.sales.signals import shipment_created

        from . import customer_page, receivers, selectors, services
        from .models import (
            Article,
            Flow,
            MailTemplate,
            ServiceLevel,
            ServiceSettings,
            Ticket,
            WebForm,
        )

        transitions.register(Ticket, services.TRANSITIONS)
        permissions.register_module("service", _("Service"), {
            "view": _("View"), "create": _("Create"), "edit": _("Handle"), "export": _("Export"),
            "manage": _("Manage flows, service levels, forms and the knowledge base"),
        })
        navigation.register(navigation.Section("service", _("Service"), "service.view", [
            navigation.Item(_("Tickets"), "service:ticket_list", "service.view"),
            navigation.Item(_("Knowledge base"), "service:article_list", "service.view"),
            navigation.Item(_("Satisfaction"), "service:survey_report", "service.view"),
            navigation.Item(_("Quality issues"), "service:quality_report", "service.view"),
            navigation.Item(_("Handling flows"), "service:flow_list", "service.manage"),
            navigation.Item(_("Service levels"), "service:levels", "service.manage"),
            navigation.Item(_("Web forms"), "service:webform_list", "service.manage"),
        ], order=15))
        picklists.register("service.ticket_type", _("Ticket types"), [
            ("consultation", "咨询", "Consultation"), ("complaint", "投诉", "Complaint"),
            ("sales_quality", "销售质量", "Sales quality"), ("marketing_analysis", "营销分析", "Marketing analysis"),
            ("customer_analysis", "客户分析", "Customer analysis"), ("service_analysis", "服务分析", "Service analysis"),
            ("after_sales", "售后咨询", "After-sales enquiry"), ("maintenance", "维护", "Maintenance"),
            ("repair", "维修", "Repair"),
        ])
        picklists.register("service.severity", _("Severities"), [
            ("low", "低", "Low"), ("normal", "一般", "Normal"), ("high", "高", "High"), ("critical", "紧急", "Critical"),
        ])
        picklists.register("service.kb_category", _("Knowledge-base categories"), [
            ("installation", "安装调试", "Installation"), ("fault", "故障处理", "Troubleshooting"),
            ("usage", "使用方法", "How to use"), ("policy", "服务政策", "Service policy"),
        ])
        numbering.register("service.ticket", "TK")
        notifications.register_kind("service.inbound", _("New messages on my tickets"))
        notifications.register_kind("service.call", _("Calls for me"))
        from . import inbound  # noqa: F401 - registers the mailbox job with Celery
        shipment_created.connect(receivers.shipment_created, dispatch_uid="service.care_follow_up")
        post_migrate.connect(receivers.after_migrate, sender=self, dispatch_uid="service.after_migrate")
        register_child(Ticket, "customer")
        customer_page.register()
        search.register(selectors.ticket_search_hits, permission="service.view", key="service.ticket",
                        label=_("Tickets"))
        search.register(selectors.article_search_hits, permission="service.view", key="service.article",
                        label=_("Knowledge base"))
        for model in (Ticket, Flow, ServiceLevel, ServiceSettings, Article, MailTemplate, WebForm):
            # mail_thread: the secret key of the ticket's e-mail thread stays out of its history.
            auditlog.register(model, exclude_fields=["updated_at", "search_text", "mail_thread"])
