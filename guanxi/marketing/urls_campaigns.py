"""Pages of the campaigns part of marketing (included by marketing/urls.py)."""

from django.urls import path

from . import views_campaigns as views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/returns/", views.campaign_compare, name="campaign_compare"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/status/", views.campaign_move, name="campaign_move"),
    path("campaigns/<int:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    path("campaigns/<int:pk>/link/", views.campaign_link, name="campaign_link"),
    path("campaigns/<int:pk>/expenses/", views.campaign_expense, name="campaign_expense"),
    path("campaigns/<int:pk>/return/", views.campaign_return, name="campaign_return"),
    path("campaigns/<int:pk>/<slug:outcome>/", views.campaign_outcomes, name="campaign_outcomes"),
    path("f/<slug:code>/", views.campaign_public_form, name="campaign_public_form"),
]
