from django.urls import path

from guanxi.core.routes import resource

from . import views

app_name = "org"
urlpatterns = [
    *resource("employees/", "employee", views, "list", "create", "detail", "edit", "move", "password",
              "deactivate", "reactivate"),
    *resource("departments/", "department", views, "list", "create", "edit", edit_route="<int:pk>/"),
    path("chart/", views.org_chart, name="chart"),
    *resource("branches/", "branch", views, "list", "create", "edit", edit_route="<int:pk>/"),
    *resource("roles/", "role", views, "list", "create", "edit", "delete", edit_route="<int:pk>/"),
]
