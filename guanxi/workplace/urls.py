from django.urls import path

from . import views, views_directives, views_news, views_notifications, views_plans

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
    path("calendar/feed/", views.calendar_feed_settings, name="calendar_feed"),
    path("calendar/feed/<str:secret>.ics", views.calendar_ics, name="calendar_ics"),
    # work plans (WRK-1) and the staff's day (WRK-5)
    path("day/", views_plans.my_day, name="my_day"),
    path("plans/", views_plans.plan_list, name="plan_list"),
    path("plans/add/", views_plans.plan_add, name="plan_add"),
    path("plans/team/", views_plans.team_plans, name="team_plans"),
    path("plans/<int:pk>/", views_plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views_plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/progress/", views_plans.plan_progress, name="plan_progress"),
    path("plans/<int:pk>/delete/", views_plans.plan_delete, name="plan_delete"),
    # directives (WRK-2)
    path("directives/", views_directives.directive_list, name="directive_list"),
    path("directives/new/", views_directives.directive_create, name="directive_create"),
    path("directives/<int:pk>/", views_directives.directive_detail, name="directive_detail"),
    path("directives/<int:pk>/read/", views_directives.directive_read, name="directive_read"),
    path("directives/<int:pk>/acknowledge/", views_directives.directive_acknowledge, name="directive_acknowledge"),
    path("directives/<int:pk>/remind/", views_directives.directive_remind, name="directive_remind"),
    path("directives/<int:pk>/files/<int:attachment_pk>/", views_directives.attachment_download,
         name="directive_attachment"),
    # news and competitors (WRK-3, WRK-4, ANA-12)
    path("news/", views_news.news_list, name="news_list"),
    path("news/new/", views_news.news_create, name="news_create"),
    path("news/<int:pk>/", views_news.news_detail, name="news_detail"),
    path("news/<int:pk>/edit/", views_news.news_edit, name="news_edit"),
    path("news/<int:pk>/delete/", views_news.news_delete, name="news_delete"),
    path("competitors/", views_news.competitor_list, name="competitor_list"),
    path("competitors/<int:pk>/", views_news.competitor_detail, name="competitor_detail"),
    # the notification centre
    path("notifications/", views_notifications.notification_centre, name="notifications"),
    path("notifications/bell/", views_notifications.notification_bell, name="notification_bell"),
    path("notifications/preferences/", views_notifications.notification_preferences,
         name="notification_preferences"),
    path("notifications/<int:pk>/read/", views_notifications.notification_read, name="notification_read"),
]
