from django.urls import path

from guanxi.core.routes import form_routes, resource

from . import views, views_intake

app_name = "service"
urlpatterns = [
    # Before the ticket's action route, which would take "knowledge" for an action.
    path("tickets/<int:pk>/knowledge/", views.ticket_knowledge, name="ticket_knowledge"),
    *resource("tickets/", "ticket", views, "list", "create", "detail", "action"),
    path("flows/", views.flow_list, name="flow_list"),
    *form_routes("flows/", "flow", views.flow_edit),
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
    *form_routes("forms/", "webform", views_intake.webform_edit),
    path("calls/<int:pk>/", views_intake.call_detail, name="call_detail"),
    path("tickets/<int:pk>/attachments/<int:attachment_pk>/", views_intake.attachment_download,
         name="ticket_attachment"),
]
