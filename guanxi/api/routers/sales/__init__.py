"""products, price-lists, leads, pipelines, opportunities, quotes, orders, shipments (API.md)."""

from ninja import Router

from . import documents, leads, opportunities, products, shipments

TAGS = ["sales"]
router = Router(tags=TAGS)
router.add_router("", products.router, tags=TAGS)
router.add_router("", opportunities.router, tags=TAGS)
router.add_router("", leads.router, tags=TAGS)
router.add_router("", documents.router, tags=TAGS)
router.add_router("", shipments.router, tags=TAGS)
