"""branches, departments, users, roles (API.md core resources)."""

from guanxi.api.common import domain_router

from . import branches, departments, roles, users

router = domain_router(
    "organization", branches.router, departments.router, users.router, roles.router,
)
