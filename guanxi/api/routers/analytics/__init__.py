"""analytics/...: one module per resource, each with its own router (API.md): the
dashboard's measures (ANA-10, ANA-11), the 10C measures, regions, scorecards, lifetime
value and basket rules, scoped like the pages."""

from ninja import Router

from . import basket, clv, measures, regions, scorecards, tenc

TAGS = ["analytics"]
router = Router(tags=TAGS)
for module in (measures, tenc, regions, scorecards, clv, basket):
    router.add_router("", module.router, tags=TAGS)
