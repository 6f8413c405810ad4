"""analytics/...: one module per resource, each with its own router (API.md): the
dashboard's measures (ANA-10, ANA-11), the 10C measures, regions and scorecards, scoped
like the pages."""

from ninja import Router

from . import measures, regions, scorecards, tenc

TAGS = ["analytics"]
router = Router(tags=TAGS)
router.add_router("", measures.router, tags=TAGS)
router.add_router("", tenc.router, tags=TAGS)
router.add_router("", regions.router, tags=TAGS)
router.add_router("", scorecards.router, tags=TAGS)
