from django.urls import path

from guanxi.core.routes import form_routes, resource

from . import views, views_settings, views_targets

app_name = "sales"
urlpatterns = [
    *resource("products/", "product", views, "list", "create", "edit", edit_route="<int:pk>/"),
    path("products/search/", views.product_search, name="product_search"),
    *resource("leads/", "lead", views, "list", "create", "detail"),
    path("opportunities/", views.opportunity_board, name="opportunity_board"),
    path("opportunities/list/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/contacts/", views.opportunity_contact_options, name="opportunity_contact_options"),
    *resource("opportunities/", "opportunity", views, "detail", "edit", "move"),
    path("lines/preview/", views.lines_preview, name="lines_preview"),
    path("customers/options/", views.customer_options, name="customer_options"),
    *resource("quotes/", "quote", views, "list", "create", "detail", "edit"),
    path("quotes/<int:pk>/file.<str:fmt>", views.quote_file, name="quote_file"),
    path("quotes/<int:pk>/email/", views.quote_email, name="quote_email"),
    path("quotes/<int:pk>/<str:action>/", views.quote_action, name="quote_action"),
    *resource("orders/", "order", views, "list", "create", "detail", "edit"),
    path("orders/<int:order_pk>/ship/", views.shipment_create, name="shipment_create"),
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order_action"),
    *resource("shipments/", "shipment", views, "list", "detail"),
    path("deliveries/", views_targets.deliveries, name="deliveries"),
    path("targets/", views_targets.target_list, name="target_list"),
    path("targets/set/", views_targets.target_set, name="target_set"),
    path("targets/<int:pk>/", views_targets.target_detail, name="target_detail"),
    path("settings/", views_settings.settings_index, name="settings"),
    *form_routes("settings/pipelines/", "pipeline", views_settings.pipeline_edit),
]
