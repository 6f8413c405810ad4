"""Registrations of the capture part of marketing (called from MarketingConfig.ready)."""


def connect():
    """Register permissions-checked menu items, search, recycle bin, audit, signals."""
