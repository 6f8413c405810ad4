"""customers, contacts, the duplicate check, pool actions and custom fields (API.md)."""

from ninja import Router

from . import contacts, custom_fields, customers, interactions

TAGS = ["customers"]
router = Router(tags=TAGS)
router.add_router("", customers.router, tags=TAGS)
router.add_router("", contacts.router, tags=TAGS)
router.add_router("", custom_fields.router, tags=TAGS)
router.add_router("", interactions.router, tags=TAGS)
