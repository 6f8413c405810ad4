"""Pages of the email part of marketing (included by marketing/urls.py)."""

from django.urls import path

from . import views_email as views

urlpatterns: list = [
    path("email/templates/", views.template_list, name="email_template_list"),
    path("email/templates/new/", views.template_create, name="email_template_create"),
    path("email/templates/<int:pk>/", views.template_edit, name="email_template_edit"),
    path("email/templates/<int:pk>/preview/", views.template_preview, name="email_template_preview"),
    path("email/campaigns/", views.send_list, name="email_send_list"),
    path("email/campaigns/new/", views.send_create, name="email_send_create"),
    path("email/campaigns/<int:pk>/", views.send_detail, name="email_send_detail"),
    path("email/campaigns/<int:pk>/<slug:action>/", views.send_action, name="email_send_action"),
    path("email/suppressed/", views.suppression_list, name="suppression_list"),
    path("email/suppressed/new/", views.suppression_add, name="suppression_add"),
    path("email/suppressed/<int:pk>/resubscribe/", views.suppression_lift, name="suppression_lift"),
    path("journeys/", views.journey_list, name="journey_list"),
    path("journeys/new/", views.journey_create, name="journey_create"),
    path("journeys/<int:pk>/", views.journey_detail, name="journey_detail"),
    path("journeys/<int:pk>/steps/<int:step_pk>/remove/", views.journey_step_remove, name="journey_step_remove"),
    path("journeys/<int:pk>/active/", views.journey_activate, name="journey_activate"),
    path("m/u/<str:token>/", views.unsubscribe, name="email_unsubscribe"),
    path("m/o/<str:token>/", views.open_pixel, name="email_open"),
    path("m/c/<str:token>/", views.click, name="email_click"),
]
