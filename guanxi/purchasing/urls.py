from django.urls import path

from guanxi.core.routes import resource

from . import views

app_name = "purchasing"
urlpatterns = [
    *resource("suppliers/", "supplier", views, "list", "create", "detail", "edit", "delete"),
    *resource("orders/", "order", views, "list", "create", "detail", "edit"),
    path("orders/preview/", views.lines_preview, name="lines_preview"),
    path("orders/<int:pk>/file.<str:fmt>", views.order_file, name="order_file"),
    path("orders/<int:pk>/email/", views.order_email, name="order_email"),
    path("orders/<int:pk>/receive/", views.goods_receipt_create, name="goods_receipt_create"),
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order_action"),
    *resource("goods-receipts/", "goods_receipt", views, "list", "detail"),
]
