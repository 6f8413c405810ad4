"""Registrations of the segments part of marketing (called from MarketingConfig.ready)."""


def connect():
    """Register permissions-checked menu items, search, recycle bin, audit, signals."""
