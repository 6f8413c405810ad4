from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplaceConfig(AppConfig):
    name = "guanxi.workplace"
    label = "workplace"
    verbose_name = _("Daily work")

    def ready(self):
        from auditlog.registry import auditlog

        from guanxi.core import navigation, permissions, recycle, search

        from . import selectors, services
        from .models import Note

        permissions.register_module("workplace", _("Daily work"), {
            "view": _("View"), "create": _("Create"), "edit": _("Edit"), "delete": _("Delete"),
            "export": _("Export"),
        })
        navigation.register(navigation.Section("workplace", _("Daily work"), "workplace.view", [
            navigation.Item(_("Calendar"), "workplace:calendar", "workplace.view"),
            navigation.Item(_("Notes"), "workplace:note_list", "workplace.view"),
        ], order=10))
        search.register(selectors.notes_search_hits, permission="workplace.view")
        recycle.register(recycle.RecycleKind(
            code="workplace.note", label=_("Notes"), model=Note, deleted_for=selectors.notes_deleted_visible_to,
            restore=lambda *, actor, record: services.note_restore(actor=actor, note=record),
            purge=lambda *, actor, record: services.note_purge(actor=actor, note=record),
        ))
        auditlog.register(Note, exclude_fields=["updated_at"])
        from .models import Schedule

        auditlog.register(Schedule, exclude_fields=["updated_at", "remind_at", "reminded_at"])
        from guanxi.customers.merge import register_child

        register_child(Schedule, "customer")
