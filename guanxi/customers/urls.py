from django.urls import path

from guanxi.core.routes import resource

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("new/", views.customer_create, name="customer_create"),
    path("pool/", views.pool_list, name="pool"),
    path("pool/claim/", views.bulk_claim, name="bulk_claim"),
    path("transfer/", views.bulk_transfer, name="bulk_transfer"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/inline/", views.duplicate_inline, name="duplicate_inline"),
    path("duplicates/scan/", views.duplicate_scan, name="duplicate_scan"),
    path("duplicates/flags/<int:pk>/dismiss/", views.duplicate_flag_dismiss, name="duplicate_flag_dismiss"),
    path("merge/", views.merge, name="merge"),
    path("merge/<int:pk>/", views.merge_detail, name="merge_detail"),
    path("regions/", views.region_options, name="region_options"),
    path("settings/", views.settings_view, name="settings"),
    *resource("", "customer", views, "detail", "timeline", "sections", "edit", "delete", "claim", "release",
              "share"),
    path("<int:pk>/share/<int:user_id>/remove/", views.customer_unshare, name="customer_unshare"),
    path("<int:pk>/lock/", views.customer_lock, name="customer_lock"),
    path("<int:customer_pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:customer_pk>/interactions/new/", views.interaction_create, name="interaction_create"),
    path("<int:customer_pk>/feedback/new/", views.feedback_create, name="feedback_create"),
    *resource("interactions/", "interaction", views, "list", "detail", "edit", "delete"),
    path("reminders/", views.reminders, name="reminders"),
    path("report/", views.daily_report, name="daily_report"),
    *resource("feedback/", "feedback", views, "list", "detail"),
    *resource("contacts/", "contact", views, "list", "detail", "edit", "delete"),
]
