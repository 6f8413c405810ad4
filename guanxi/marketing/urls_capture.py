"""Pages of the capture part of marketing (included by marketing/urls.py)."""

from django.urls import path

from . import views_audience, views_capture

urlpatterns = [
    path("target-groups/", views_audience.audience_page, name="audience"),
    path("capture/forms/", views_capture.form_list, name="capture_form_list"),
    path("capture/forms/new/", views_capture.form_create, name="capture_form_create"),
    path("capture/forms/<int:pk>/", views_capture.form_detail, name="capture_form_detail"),
    path("capture/forms/<int:pk>/edit/", views_capture.form_edit, name="capture_form_edit"),
    path("capture/forms/<int:pk>/delete/", views_capture.form_delete, name="capture_form_delete"),
    path("capture/responses/", views_capture.response_list, name="capture_response_list"),
    path("capture/responses/<int:pk>/check-in/", views_capture.response_check_in, name="capture_check_in"),
    path("capture/responses/<int:pk>/withdraw/", views_capture.response_withdraw, name="capture_withdraw"),
    path("capture/e/<slug:slug>/", views_capture.public_form, name="capture_public"),
    path("referrals/<int:customer_pk>/", views_capture.referrals, name="referrals"),
    path("referrals/<int:customer_pk>/issue/", views_capture.referral_code_issue, name="referral_code_issue"),
    path("department-forms/", views_capture.report_list, name="report_list"),
    path("department-forms/new/", views_capture.report_create, name="report_create"),
    path("department-forms/<int:pk>/", views_capture.report_detail, name="report_detail"),
    path("department-forms/<int:pk>/edit/", views_capture.report_edit, name="report_edit"),
    path("department-forms/<int:pk>/submit/", views_capture.report_submit, name="report_submit"),
    path("department-forms/<int:pk>/review/", views_capture.report_review, name="report_review"),
    path("department-forms/<int:pk>/delete/", views_capture.report_delete, name="report_delete"),
]
