"""marketing/capture: endpoints of the capture part of marketing (API.md)."""

from ninja import Router

router = Router()
