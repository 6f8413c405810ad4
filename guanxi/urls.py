from django.urls import include, path

from guanxi.api.main import api
from guanxi.org import views as org_views
from guanxi.system import monitoring_views
from guanxi.system import views as system_views

urlpatterns = [
    path("", include("guanxi.core.urls")),
    path("i18n/language/", org_views.set_language, name="set_language"),
    path("accounts/", include("guanxi.accounts.urls")),
    path("org/", include("guanxi.org.urls")),
    path("customers/", include("guanxi.customers.urls")),
    path("approvals/", include("guanxi.approvals.urls")),
    path("sales/", include("guanxi.sales.urls")),
    path("finance/", include("guanxi.finance.urls")),
    path("purchasing/", include("guanxi.purchasing.urls")),
    path("service/", include("guanxi.service.urls")),
    path("analytics/", include("guanxi.analytics.urls")),
    path("marketing/", include("guanxi.marketing.urls")),
    path("work/", include("guanxi.workplace.urls")),
    path("system/", include("guanxi.system.urls")),
    path("healthz", system_views.healthz, name="healthz"),
    path("readyz", system_views.readyz, name="readyz"),
    path("metrics", monitoring_views.metrics, name="metrics"),
    path("api/v1/", api.urls),
]

handler400 = "guanxi.core.views.bad_request"
handler403 = "guanxi.core.views.permission_denied"
handler404 = "guanxi.core.views.page_not_found"
handler500 = "guanxi.core.views.server_error"
