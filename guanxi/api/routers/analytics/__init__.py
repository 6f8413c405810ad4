"""analytics/...: one module per resource, each with its own router (API.md): the
dashboard's measures (ANA-10, ANA-11), the 10C measures, regions, scorecards, lifetime
value, basket rules and quality alerts, scoped like the pages."""

from ninja import Router

from . import alerts, basket, clv, measures, regions, scorecards, tenc

TAGS = ["analytics"]
router = Router(tags=TAGS)
for module in (measures, tenc, regions, scorecards, clv, basket, alerts):
    router.add_router("", module.router, tags=TAGS)
