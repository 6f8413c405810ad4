"""Pages of the segments part of marketing (included by marketing/urls.py)."""

from django.urls import path

from guanxi.core.routes import resource

from . import views_segments as views

urlpatterns: list = [
    *resource("segments/", "segment", views, "list", "create"),
    path("segments/builder/row/", views.segment_rule_row, name="segment_rule_row"),
    path("segments/builder/remove/", views.segment_rule_row_remove, name="segment_rule_row_remove"),
    path("segments/builder/preview/", views.segment_preview, name="segment_preview"),
    path("segments/add-selection/", views.segment_add_selection, name="segment_add_selection"),
    *resource("segments/", "segment", views, "detail", "edit", "count", "freeze", "delete"),
    path("segments/<int:pk>/members/upload/", views.segment_members_upload, name="segment_members_upload"),
    path("segments/<int:pk>/members/remove/", views.segment_members_remove, name="segment_members_remove"),
]
