"""Pages of the loyalty part of marketing (included by marketing/urls.py)."""

from django.urls import path

from . import views_loyalty as views

urlpatterns: list = [
    path("members/", views.member_list, name="member_list"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/redeem/", views.member_gift, name="member_gift"),
    path("members/<int:pk>/adjust/", views.member_adjust, name="member_adjust"),
    path("members/enroll/<int:customer_pk>/", views.member_enroll, name="member_enroll"),
    path("loyalty/orders/<int:pk>/points/", views.order_points, name="order_points"),
    path("loyalty/orders/<int:pk>/coupon/", views.document_coupon, {"kind": "order"}, name="order_coupon"),
    path("loyalty/orders/<int:pk>/promotions/", views.document_promotions, {"kind": "order"}, name="order_promotions"),
    path("quotes/<int:pk>/coupon/", views.document_coupon, {"kind": "quote"}, name="quote_coupon"),
    path("quotes/<int:pk>/promotions/", views.document_promotions, {"kind": "quote"}, name="quote_promotions"),
    path("loyalty/settings/", views.loyalty_settings, name="loyalty_settings"),
    path("loyalty/settings/branches/<int:branch_pk>/", views.branch_rules_edit, name="branch_rules_edit"),
    path("loyalty/settings/branches/<int:branch_pk>/reset/", views.branch_rules_reset, name="branch_rules_reset"),
    path("loyalty/tiers/new/", views.tier_edit, name="tier_create"),
    path("loyalty/tiers/<int:pk>/", views.tier_edit, name="tier_edit"),
    path("coupons/", views.coupon_list, name="coupon_list"),
    path("coupons/new/", views.coupon_create, name="coupon_create"),
    path("promotions/new/", views.promotion_create, name="promotion_create"),
    path("price-lists/", views.price_list_list, name="price_list_list"),
    path("price-lists/new/", views.price_list_create, name="price_list_create"),
    path("price-lists/<int:pk>/", views.price_list_edit, name="price_list_edit"),
]
