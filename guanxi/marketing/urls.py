from django.urls import include, path

app_name = "marketing"
# One url module per part of marketing; names are unique across them (``marketing:…``).
urlpatterns = [
    path("", include("guanxi.marketing.urls_segments")),
    path("", include("guanxi.marketing.urls_campaigns")),
    path("", include("guanxi.marketing.urls_email")),
    path("", include("guanxi.marketing.urls_loyalty")),
    path("", include("guanxi.marketing.urls_capture")),
]
