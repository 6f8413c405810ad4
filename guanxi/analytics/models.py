"""Analytics records; each concern keeps its models in its own module."""

from .lifecycle_models import LifecycleMove, LifecycleSettings

__all__ = ["LifecycleMove", "LifecycleSettings"]
