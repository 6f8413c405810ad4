from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("flows/", views.policies, name="policies"),
    path("flows/<str:doc_type>/", views.policy_edit, name="policy_edit"),
]
