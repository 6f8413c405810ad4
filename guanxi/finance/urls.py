from django.urls import path

from . import views, views_reports

app_name = "finance"
urlpatterns = [
    path("receivables/", views.receivable_list, name="receivable_list"),
    path("receivables/new/", views.receivable_create, name="receivable_create"),
    path("receivables/<int:pk>/", views.receivable_detail, name="receivable_detail"),
    path("receipts/", views.receipt_list, name="receipt_list"),
    path("receipts/new/", views.receipt_create, name="receipt_create"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt_detail"),
    path("receipts/<int:pk>/allocate/", views.receipt_allocate, name="receipt_allocate"),
    path("receipts/<int:pk>/reverse/", views.receipt_reverse, name="receipt_reverse"),
    path("allocations/<int:pk>/reverse/", views.allocation_reverse, name="allocation_reverse"),
    path("ageing/", views_reports.ageing, name="ageing"),
    path("analysis/", views_reports.analysis, name="analysis"),
]
