"""marketing/...: one module per resource (API.md): segments, campaigns, e-mail campaigns,
lead capture, loyalty, scoped like the pages."""

from guanxi.api.common import domain_router

from . import campaigns, capture, email, loyalty, segments

router = domain_router("marketing", segments.router, campaigns.router, email.router, loyalty.router, capture.router)
