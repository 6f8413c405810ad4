from django.urls import path

from . import views

app_name = "system"
urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("recycle-bin/", views.recycle_bin, name="recycle_bin"),
    path("recycle-bin/<str:code>/<int:pk>/restore/", views.recycle_restore, name="recycle_restore"),
    path("recycle-bin/<str:code>/<int:pk>/purge/", views.recycle_purge, name="recycle_purge"),
]
