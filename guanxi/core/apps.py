from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "guanxi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from guanxi.core import permissions

        permissions.register_module(
            "system",
            _("System"),
            {"audit": _("View the audit log"), "recycle": _("Use the recycle bin"),
             "purge": _("Purge deleted records"), "configure": _("Configure pick-lists and fields"),
             "backup": _("Make and download backups"), "logs": _("View the system log"),
             "monitor": _("Watch the servers and receive system alerts")},
        )
        from django.db.models.signals import post_migrate

        from guanxi.core.picklists import seed_defaults

        post_migrate.connect(seed_defaults, sender=self, dispatch_uid="core.seed_picklists")

        from guanxi.core import memo
        from guanxi.core.models import CustomField, PickItem, SavedView

        memo.watch(CustomField, SavedView)
        memo.directory(PickItem)
