"""The system log pages (SYS-2): warnings, errors and runtime events; configuration changes."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.listing import Column, Filter, ListPageView, ListSpec, period_filters

from .logs import administrative_content_types
from .models import LogRecord
from .views import AuditLogList


def _last_line(record):
    """The exception line of a traceback ("ValueError: …"), or nothing."""
    lines = [line for line in record.details.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


LEVELS = [("WARNING", _("Warning")), ("ERROR", _("Error")), ("CRITICAL", _("Critical")), ("INFO", _("Information"))]
LEVEL_LABELS = dict(LEVELS)


class SystemLogList(ListSpec):
    key = "system.logs"
    title = _("System log")
    permission = "system.logs"
    export_permission = "system.logs"
    export_name = "system-log"
    default_sort = "-created_at"
    page_size = 50
    empty_text = _("No warnings, errors or events recorded.")
    columns = [
        Column("created_at", _("When"), sortable=True),
        Column("kind", _("Kind"), value=lambda r: r.get_kind_display()),
        Column("level", _("Level"), value=lambda r: LEVEL_LABELS.get(r.level, r.level)),
        Column("logger", _("Source")),
        Column("message", _("Message")),
        Column("details", _("Details"), value=_last_line),
        Column("suppressed", _("Similar entries not kept")),
        Column("host", _("Node")),
        Column("path", _("Address")),
    ]
    filters = [
        Filter("kind", _("Kind"), choices=LogRecord.Kind.choices),
        Filter("level", _("Level"), choices=LEVELS),
        *period_filters("created_at", _("From"), _("To")),
    ]
    search_fields = ["message", "logger", "path", "details"]

    def queryset(self, request):
        return LogRecord.objects.all()

    def detail_url(self, obj):
        return None


class ConfigurationChangeList(AuditLogList):
    """The audit log narrowed to administrative operations: configuration, organization,
    roles, users and settings."""

    key = "system.configuration_changes"
    title = _("Configuration changes")
    permission = "system.logs"
    export_permission = "system.logs"
    export_name = "configuration-changes"

    def queryset(self, request):
        return super().queryset(request).filter(content_type__in=administrative_content_types())


system_log = ListPageView.as_view(spec=SystemLogList)
configuration_changes = ListPageView.as_view(spec=ConfigurationChangeList)
