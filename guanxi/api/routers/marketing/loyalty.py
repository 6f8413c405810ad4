"""marketing/loyalty: endpoints of the loyalty part of marketing (API.md)."""

from ninja import Router

router = Router()
