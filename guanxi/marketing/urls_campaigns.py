"""Pages of the campaigns part of marketing (included by marketing/urls.py)."""

from django.urls import path

from guanxi.core.routes import resource

from . import views_campaigns as views

urlpatterns = [
    *resource("campaigns/", "campaign", views, "list", "create", "detail", "edit", "delete", "link", "return"),
    path("campaigns/returns/", views.campaign_compare, name="campaign_compare"),
    path("campaigns/<int:pk>/status/", views.campaign_move, name="campaign_move"),
    path("campaigns/<int:pk>/expenses/", views.campaign_expense, name="campaign_expense"),
    path("campaigns/<int:pk>/<slug:outcome>/", views.campaign_outcomes, name="campaign_outcomes"),
    path("f/<slug:code>/", views.campaign_public_form, name="campaign_public_form"),
]
