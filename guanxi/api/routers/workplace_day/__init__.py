"""Daily work: work-plans, directives, news, competitors and notifications (WRK-1…5,
ANA-12). Same services, selectors and scopes as the screens."""

from ninja import Router

from . import directives, news, notifications, plans

TAGS = ["daily work"]
router = Router(tags=TAGS)
router.add_router("", plans.router, tags=TAGS)
router.add_router("", directives.router, tags=TAGS)
router.add_router("", news.router, tags=TAGS)
router.add_router("", notifications.router, tags=TAGS)
