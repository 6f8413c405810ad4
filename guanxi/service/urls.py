from django.urls import path

from . import views, views_intake

app_name = "service"
urlpatterns = [
    path("tickets/", views.ticket_list, name="ticket_list"),
    path("tickets/new/", views.ticket_create, name="ticket_create"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/<str:action>/", views.ticket_action, name="ticket_action"),
    path("flows/", views.flow_list, name="flow_list"),
    path("flows/new/", views.flow_edit, name="flow_create"),
    path("flows/<int:pk>/", views.flow_edit, name="flow_edit"),
    path("levels/", views.service_levels, name="levels"),
    path("levels/hours/", views.service_hours, name="hours"),
    path("knowledge/", views.article_list, name="article_list"),
    path("knowledge/new/", views.article_edit, name="article_create"),
    path("knowledge/<int:pk>/", views.article_detail, name="article_detail"),
    path("knowledge/<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("surveys/", views.survey_report, name="survey_report"),
    path("quality/", views.quality_report, name="quality_report"),
    path("s/<str:token>/", views.survey, name="survey"),
    # intake (SRV-7, CUS-4)
    path("f/<slug:slug>/", views_intake.public_form, name="public_form"),
    path("forms/", views_intake.webform_list, name="webform_list"),
    path("forms/new/", views_intake.webform_edit, name="webform_create"),
    path("forms/<int:pk>/", views_intake.webform_edit, name="webform_edit"),
    path("calls/<int:pk>/", views_intake.call_detail, name="call_detail"),
    path("tickets/<int:pk>/attachments/<int:attachment_pk>/", views_intake.attachment_download,
         name="ticket_attachment"),
]
