"""Daily work: work-plans, directives, news, competitors and notifications (WRK-1…5,
ANA-12). Same services, selectors and scopes as the screens."""

from guanxi.api.common import domain_router

from . import directives, news, notifications, plans

router = domain_router(
    "daily work", plans.router, directives.router, news.router, notifications.router,
)
