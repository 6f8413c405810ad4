from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("modules/", views.links, name="links"),
    path("search/", views.search, name="search"),
    path("views/save/", views.saved_view_create, name="saved_view_create"),
    path("imports/<str:entity>/new/", views.import_new, name="import_new"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/count/", views.notification_count, name="notification_count"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
]
