"""marketing/campaigns: endpoints of the campaigns part of marketing (API.md)."""

from ninja import Router

router = Router()
