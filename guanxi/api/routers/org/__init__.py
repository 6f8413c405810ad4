"""branches, departments, users, roles (API.md core resources)."""

from ninja import Router

from . import branches, departments, roles, users

TAGS = ["organization"]
router = Router(tags=TAGS)
router.add_router("", branches.router, tags=TAGS)
router.add_router("", departments.router, tags=TAGS)
router.add_router("", users.router, tags=TAGS)
router.add_router("", roles.router, tags=TAGS)
