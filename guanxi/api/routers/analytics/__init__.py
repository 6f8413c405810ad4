"""analytics/measures and analytics/dashboard (ANA-10, ANA-11, issue 12 point 12): the
figures of the home dashboard, scoped like the pages. A measure answers only a user
whose roles grant its permission; the dashboard is every signed-in user's own."""

from ninja import Router

from . import measures

TAGS = ["analytics"]
router = Router(tags=TAGS)
router.add_router("", measures.router, tags=TAGS)
