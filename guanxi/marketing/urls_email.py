"""Pages of the email part of marketing (included by marketing/urls.py)."""

from django.urls import path

from guanxi.core.routes import resource

from . import views_email as views

urlpatterns: list = [
    *resource("email/templates/", "email_template", views, "list", "create", "edit", "preview",
              view_prefix="template", edit_route="<int:pk>/"),
    *resource("email/campaigns/", "email_send", views, "list", "create", "detail", view_prefix="send"),
    path("email/campaigns/<int:pk>/<slug:action>/", views.send_action, name="email_send_action"),
    path("email/suppressed/", views.suppression_list, name="suppression_list"),
    path("email/suppressed/new/", views.suppression_add, name="suppression_add"),
    path("email/suppressed/<int:pk>/resubscribe/", views.suppression_lift, name="suppression_lift"),
    *resource("journeys/", "journey", views, "list", "create", "detail"),
    path("journeys/<int:pk>/steps/<int:step_pk>/remove/", views.journey_step_remove, name="journey_step_remove"),
    path("journeys/<int:pk>/active/", views.journey_activate, name="journey_activate"),
    path("m/u/<str:token>/", views.unsubscribe, name="email_unsubscribe"),
    path("m/o/<str:token>/", views.open_pixel, name="email_open"),
    path("m/c/<str:token>/", views.click, name="email_click"),
]
