"""customers, contacts, the duplicate check, pool actions and custom fields (API.md)."""

from guanxi.api.common import domain_router

from . import contacts, custom_fields, customers, interactions

router = domain_router(
    "customers", customers.router, contacts.router, custom_fields.router, interactions.router,
)
