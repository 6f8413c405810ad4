"""analytics/...: one module per resource, each with its own router (API.md)."""

from ninja import Router

from . import regions, scorecards, tenc

TAGS = ["analytics"]
router = Router(tags=TAGS)
router.add_router("", tenc.router, tags=TAGS)
router.add_router("", regions.router, tags=TAGS)
router.add_router("", scorecards.router, tags=TAGS)
