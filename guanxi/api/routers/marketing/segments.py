"""marketing/segments: endpoints of the segments part of marketing (API.md)."""

from ninja import Router

router = Router()
