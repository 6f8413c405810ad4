from django.urls import path

from guanxi.core.routes import form_routes

from . import backup_views, config_views, log_views, monitoring_views, views

app_name = "system"
urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("configuration/", config_views.picklist_index, name="configuration"),
    *form_routes("configuration/lists/<str:list_key>/", "pick_item", config_views.pick_item_edit),
    *form_routes("configuration/fields/<str:entity>/", "custom_field", config_views.custom_field_edit),
    path("configuration/numbering/", config_views.numbering_index, name="numbering"),
    path("configuration/numbering/<str:doc_type>/", config_views.number_format_edit, name="number_format_edit"),
    path("configuration/printing/", config_views.print_template_index, name="print_templates"),
    *form_routes("configuration/printing/<str:doc_type>/", "print_template", config_views.print_template_edit),
    path("configuration/calendar/", config_views.calendar, name="calendar"),
    path("configuration/calendar/load/", config_views.calendar_load, name="calendar_load"),
    path("configuration/calendar/<str:day>/delete/", config_views.calendar_day_delete, name="calendar_day_delete"),
    path("backups/", backup_views.backups, name="backups"),
    path("backups/now/", backup_views.backup_now, name="backup_now"),
    path("backups/<int:pk>/download/", backup_views.backup_download, name="backup_download"),
    path("log/", log_views.system_log, name="logs"),
    path("log/configuration/", log_views.configuration_changes, name="configuration_changes"),
    path("monitoring/", monitoring_views.monitoring_page, name="monitoring"),
    path("recycle-bin/", views.recycle_bin, name="recycle_bin"),
    path("recycle-bin/<str:code>/<int:pk>/restore/", views.recycle_restore, name="recycle_restore"),
    path("recycle-bin/<str:code>/<int:pk>/purge/", views.recycle_purge, name="recycle_purge"),
]
