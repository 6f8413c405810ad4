"""Guanxi (关系): an open-source CRM for sales companies with a headquarters and branches."""

from .celery import app as celery_app

__all__ = ["celery_app"]
__version__ = "0.1.0"
