from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SystemConfig(AppConfig):
    name = "guanxi.system"
    label = "system"
    verbose_name = _("System")

    def ready(self):
        from guanxi.core import navigation
        from guanxi.system import backups, logs, monitoring

        logs.register_configuration_audit()
        logs.connect_signals()
        monitoring.register()
        monitoring.register_check(backups.backup_alerts)

        navigation.register(navigation.Section("system", _("System"), "system.audit", [
            navigation.Item(_("Audit log"), "system:audit_log", "system.audit"),
            navigation.Item(_("Recycle bin"), "system:recycle_bin", "system.recycle"),
            navigation.Item(_("Monitoring"), "system:monitoring", "system.monitor"),
            navigation.Item(_("Pick-lists and custom fields"), "system:configuration", "system.configure"),
            navigation.Item(_("Document numbers"), "system:numbering", "system.configure"),
            navigation.Item(_("Business calendar"), "system:calendar", "system.configure"),
            navigation.Item(_("Print templates"), "system:print_templates", "system.configure"),
            navigation.Item(_("System log"), "system:logs", "system.logs"),
            navigation.Item(_("Configuration changes"), "system:configuration_changes", "system.logs"),
            navigation.Item(_("Backups"), "system:backups", "system.backup"),
        ], order=90))
