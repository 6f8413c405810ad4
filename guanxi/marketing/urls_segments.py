"""Pages of the segments part of marketing (included by marketing/urls.py)."""

from django.urls import path

from . import views_segments as views

urlpatterns: list = [
    path("segments/", views.segment_list, name="segment_list"),
    path("segments/new/", views.segment_create, name="segment_create"),
    path("segments/builder/row/", views.segment_rule_row, name="segment_rule_row"),
    path("segments/builder/remove/", views.segment_rule_row_remove, name="segment_rule_row_remove"),
    path("segments/builder/preview/", views.segment_preview, name="segment_preview"),
    path("segments/add-selection/", views.segment_add_selection, name="segment_add_selection"),
    path("segments/<int:pk>/", views.segment_detail, name="segment_detail"),
    path("segments/<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("segments/<int:pk>/count/", views.segment_count, name="segment_count"),
    path("segments/<int:pk>/freeze/", views.segment_freeze, name="segment_freeze"),
    path("segments/<int:pk>/delete/", views.segment_delete, name="segment_delete"),
    path("segments/<int:pk>/members/upload/", views.segment_members_upload, name="segment_members_upload"),
    path("segments/<int:pk>/members/remove/", views.segment_members_remove, name="segment_members_remove"),
]
