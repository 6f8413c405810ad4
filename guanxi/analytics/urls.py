from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("funnel/", views.funnel, name="funnel"),
    path("forecast/", views.forecast, name="forecast"),
    path("performance/", views.performance, name="performance"),
    path("staff-day/", views.staff_day, name="staff_day"),
    path("lifecycle/", views.lifecycle, name="lifecycle"),
    path("lifecycle/settings/", views.lifecycle_settings, name="lifecycle_settings"),
    path("customer-value/", views.customer_value, name="customer_value"),
    path("competitors/", views.competition, name="competition"),
    path("alerts/", views.alerts_page, name="alerts"),
    path("alerts/rules/", views.alert_rules, name="alert_rules"),
    path("alerts/rules/new/", views.alert_rule_create, name="alert_rule_create"),
    path("alerts/rules/<int:pk>/", views.alert_rule_edit, name="alert_rule_edit"),
    path("alerts/rules/<int:pk>/delete/", views.alert_rule_delete, name="alert_rule_delete"),
]
