from django.urls import path

from . import views

app_name = "workplace"
urlpatterns = [
    path("notes/", views.note_list, name="note_list"),
    path("notes/new/", views.note_create, name="note_create"),
    path("notes/<int:pk>/", views.note_detail, name="note_detail"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/new/", views.schedule_create, name="schedule_create"),
    path("calendar/<int:pk>/", views.schedule_edit, name="schedule_edit"),
    path("calendar/<int:pk>/delete/", views.schedule_delete, name="schedule_delete"),
]
