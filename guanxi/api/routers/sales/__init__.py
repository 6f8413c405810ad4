"""products, price-lists, leads, pipelines, opportunities, quotes, orders, shipments (API.md)."""

from guanxi.api.common import domain_router

from . import documents, leads, opportunities, products, shipments

router = domain_router(
    "sales", products.router, opportunities.router, leads.router, documents.router, shipments.router,
)
