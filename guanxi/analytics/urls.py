from django.urls import path

from . import clv_views, dashboard_views, regions_views, scorecard_views, tenc_views, views

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
    path("10c/", tenc_views.tenc, name="tenc"),
    path("regions/", regions_views.regions, name="regions"),
    path("scorecards/", scorecard_views.scorecard_list, name="scorecards"),
    path("scorecards/new/", scorecard_views.scorecard_edit, name="scorecard_create"),
    path("scorecards/<int:pk>/", scorecard_views.scorecard, name="scorecard"),
    path("scorecards/<int:pk>/edit/", scorecard_views.scorecard_edit, name="scorecard_edit"),
    path("satisfaction/", scorecard_views.forms_report, name="forms_report"),
    path("reports/", dashboard_views.report_list, name="decision_reports"),
    path("reports/<int:pk>.pdf", dashboard_views.report_download, name="decision_report_download"),
    path("dashboard/", dashboard_views.home, name="dashboard"),
    path("dashboard/widgets/<str:code>/", dashboard_views.widget, name="dashboard_widget"),
    path("dashboard/customize/", dashboard_views.customize, name="dashboard_customize"),
    path("dashboard/customize/change/", dashboard_views.customize_change, name="dashboard_customize_change"),
    path("lifetime-value/", clv_views.clv_page, name="clv"),
    path("basket/", clv_views.basket_page, name="basket"),
    path("basket/suggest/", clv_views.basket_suggest, name="basket_suggest"),
    path("jobs/<str:kind>/start/", clv_views.analysis_start, name="analysis_start"),
    path("jobs/<str:kind>/", clv_views.analysis_progress, name="analysis_progress"),
    path("alerts/", views.alerts_page, name="alerts"),
    path("alerts/rules/", views.alert_rules, name="alert_rules"),
    path("alerts/rules/new/", views.alert_rule_create, name="alert_rule_create"),
    path("alerts/rules/<int:pk>/", views.alert_rule_edit, name="alert_rule_edit"),
    path("alerts/rules/<int:pk>/delete/", views.alert_rule_delete, name="alert_rule_delete"),
]
