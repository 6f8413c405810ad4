"""analytics/...: one module per resource (API.md): the dashboard's measures (ANA-10,
ANA-11), the lifecycle, the 10C measures, regions, scorecards, lifetime value, basket rules and quality
alerts, scoped like the pages."""

from guanxi.api.common import domain_router

from . import alerts, basket, clv, lifecycle, measures, regions, scorecards, tenc

router = domain_router(
    "analytics", measures.router, lifecycle.router, tenc.router, regions.router, scorecards.router, clv.router, basket.router,
    alerts.router,
)
