from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplaceConfig(AppConfig):
    name = "guanxi.workplace"
    label = "workplace"
    verbose_name = _("Daily work")

    def ready(self):
        from auditlog.registry import auditlog

        from guanxi.core import digest, navigation, notifications, permissions, recycle, search

        from . import customer_page, news, selectors, services
        from .models import (
            Directive,
            DirectiveAttachment,
            DirectiveReceipt,
            NewsItem,
            Note,
            Schedule,
            WorkPlanItem,
        )

        permissions.register_module("workplace", _("Daily work"), {
            "view": _("View"), "create": _("Create"), "edit": _("Edit"), "delete": _("Delete"),
            "export": _("Export"), "assign": _("Assign work to one's people"),
            "directive": _("Issue directives and documents"), "overview": _("See the staff's day"),
        })
        navigation.register(navigation.Section("workplace", _("Daily work"), "workplace.view", [
            navigation.Item(_("My day"), "workplace:my_day", "workplace.view"),
            navigation.Item(_("Team plans"), "workplace:team_plans", "workplace.assign"),
            navigation.Item(_("Directives"), "workplace:directive_list", "workplace.view"),
            navigation.Item(_("News"), "workplace:news_list", "workplace.view"),
            navigation.Item(_("Competitors"), "workplace:competitor_list", "workplace.view"),
            navigation.Item(_("Calendar"), "workplace:calendar", "workplace.view"),
            navigation.Item(_("Work plans"), "workplace:plan_list", "workplace.view"),
            navigation.Item(_("Notes"), "workplace:note_list", "workplace.view"),
            navigation.Item(_("Notifications"), "workplace:notifications", "workplace.view"),
        ], order=10))
        search.register(selectors.notes_search_hits, permission="workplace.view", key="workplace.note",
                        label=_("Notes"))
        search.register(selectors.directives_search_hits, permission="workplace.view", key="workplace.directive",
                        label=_("Directives"))
        search.register(selectors.news_search_hits, permission="workplace.view", key="workplace.news",
                        label=_("News"))
        recycle.register_services("workplace.note", _("Notes"), Note, selectors.notes_deleted_visible_to,
                                  restore=services.note_restore, purge=services.note_purge, record_name="note")
        recycle.register_services("workplace.news", _("News"), NewsItem, selectors.news_deleted_visible_to,
                                  restore=news.news_restore, purge=news.news_purge, record_name="item")
        auditlog.register(Note, exclude_fields=["updated_at"])
        auditlog.register(Schedule, exclude_fields=["updated_at", "remind_at", "reminded_at"])
        auditlog.register(WorkPlanItem, exclude_fields=["updated_at"])
        auditlog.register(Directive, exclude_fields=["updated_at"], m2m_fields={"branches", "departments", "roles"})
        auditlog.register(DirectiveReceipt, exclude_fields=["last_reminded_at", "reminders_sent"])
        auditlog.register(DirectiveAttachment, exclude_fields=["file", "checksum"])
        auditlog.register(NewsItem, exclude_fields=["updated_at"], m2m_fields={"tags"})

        notifications.register_kind("workplace.reminder", _("Appointment reminders"))
        notifications.register_kind("workplace.plan_assigned", _("Work assigned to me"))
        notifications.register_kind("workplace.plan_evening", _("Evening reminder to record progress"))
        notifications.register_kind("workplace.directive", _("Directives and their reminders"))
        digest.register(_("Notifications"), notifications.digest_section)
        digest.register(_("Directives to acknowledge"), selectors.directives_digest_section)
        digest.register(_("Your plan"), selectors.plans_digest_section)

        from guanxi.customers.merge import register_child

        register_child(Schedule, "customer")
        customer_page.register()
        register_child(WorkPlanItem, "customer")
        register_child(NewsItem, "competitor")
