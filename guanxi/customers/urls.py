from django.urls import path

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
    path("regions/", views.region_options, name="region_options"),
    path("settings/", views.settings_view, name="settings"),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:pk>/delete/", views.customer_delete, name="customer_delete"),
    path("<int:pk>/claim/", views.customer_claim, name="customer_claim"),
    path("<int:pk>/release/", views.customer_release, name="customer_release"),
    path("<int:pk>/share/", views.customer_share, name="customer_share"),
    path("<int:pk>/share/<int:user_id>/remove/", views.customer_unshare, name="customer_unshare"),
    path("<int:pk>/lock/", views.customer_lock, name="customer_lock"),
    path("<int:customer_pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:customer_pk>/interactions/new/", views.interaction_create, name="interaction_create"),
    path("<int:customer_pk>/feedback/new/", views.feedback_create, name="feedback_create"),
    path("interactions/", views.interaction_list, name="interaction_list"),
    path("interactions/<int:pk>/", views.interaction_detail, name="interaction_detail"),
    path("interactions/<int:pk>/edit/", views.interaction_edit, name="interaction_edit"),
    path("interactions/<int:pk>/delete/", views.interaction_delete, name="interaction_delete"),
    path("reminders/", views.reminders, name="reminders"),
    path("report/", views.daily_report, name="daily_report"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
]
