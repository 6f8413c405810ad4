"""Pages of the capture part of marketing (included by marketing/urls.py)."""

from django.urls import path

from guanxi.core.routes import resource

from . import views_audience, views_capture

urlpatterns = [
    path("target-groups/", views_audience.audience_page, name="audience"),
    *resource("capture/forms/", "capture_form", views_capture, "list", "create", "detail", "edit", "delete",
              view_prefix="form"),
    path("capture/responses/", views_capture.response_list, name="capture_response_list"),
    path("capture/responses/<int:pk>/check-in/", views_capture.response_check_in, name="capture_check_in"),
    path("capture/responses/<int:pk>/withdraw/", views_capture.response_withdraw, name="capture_withdraw"),
    path("capture/e/<slug:slug>/", views_capture.public_form, name="capture_public"),
    path("referrals/<int:customer_pk>/", views_capture.referrals, name="referrals"),
    path("referrals/<int:customer_pk>/issue/", views_capture.referral_code_issue, name="referral_code_issue"),
    *resource("department-forms/", "report", views_capture, "list", "create", "detail", "edit", "submit", "review",
              "delete"),
]
