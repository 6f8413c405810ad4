"""/api/v1/analytics/...: one module per resource, gathered here."""

from ninja import Router

from . import basket, clv

TAGS = ["analytics"]
router = Router(tags=TAGS)
router.add_router("", clv.router, tags=TAGS)
router.add_router("", basket.router, tags=TAGS)
