"""marketing/email: endpoints of the email part of marketing (API.md)."""

from ninja import Router

router = Router()
