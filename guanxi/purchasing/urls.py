from django.urls import path

from . import views

app_name = "purchasing"
urlpatterns = [
    path("suppliers/", views.supplier_list, name="supplier_list"),
    path("suppliers/new/", views.supplier_create, name="supplier_create"),
    path("suppliers/<int:pk>/", views.supplier_detail, name="supplier_detail"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="supplier_edit"),
    path("suppliers/<int:pk>/delete/", views.supplier_delete, name="supplier_delete"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/preview/", views.lines_preview, name="lines_preview"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/file.<str:fmt>", views.order_file, name="order_file"),
    path("orders/<int:pk>/email/", views.order_email, name="order_email"),
    path("orders/<int:pk>/receive/", views.goods_receipt_create, name="goods_receipt_create"),
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order_action"),
    path("goods-receipts/", views.goods_receipt_list, name="goods_receipt_list"),
    path("goods-receipts/<int:pk>/", views.goods_receipt_detail, name="goods_receipt_detail"),
]
