from django.urls import path

from guanxi.core.routes import resource

from . import views, views_directives, views_news, views_notifications, views_plans

app_name = "workplace"
urlpatterns = [
    *resource("notes/", "note", views, "list", "create", "detail", "edit", "delete"),
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
    *resource("plans/", "plan", views_plans, "detail", "edit", "progress", "delete"),
    # directives (WRK-2)
    *resource("directives/", "directive", views_directives, "list", "create", "detail", "read", "acknowledge",
              "remind"),
    path("directives/<int:pk>/files/<int:attachment_pk>/", views_directives.attachment_download,
         name="directive_attachment"),
    # news and competitors (WRK-3, WRK-4, ANA-12)
    *resource("news/", "news", views_news, "list", "create", "detail", "edit", "delete"),
    *resource("competitors/", "competitor", views_news, "list", "detail"),
    # the notification centre
    path("notifications/", views_notifications.notification_centre, name="notifications"),
    path("notifications/bell/", views_notifications.notification_bell, name="notification_bell"),
    path("notifications/preferences/", views_notifications.notification_preferences,
         name="notification_preferences"),
    path("notifications/<int:pk>/read/", views_notifications.notification_read, name="notification_read"),
]
