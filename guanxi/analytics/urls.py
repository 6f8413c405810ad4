from django.urls import path

from . import clv_views, views

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
    path("lifetime-value/", clv_views.clv_page, name="clv"),
    path("basket/", clv_views.basket_page, name="basket"),
    path("basket/suggest/", clv_views.basket_suggest, name="basket_suggest"),
    path("jobs/<str:kind>/start/", clv_views.analysis_start, name="analysis_start"),
    path("jobs/<str:kind>/", clv_views.analysis_progress, name="analysis_progress"),
]
