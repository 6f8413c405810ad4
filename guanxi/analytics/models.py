"""Analytics records; each concern keeps its models in its own module."""

from .lifecycle_models import LifecycleMove, LifecycleSettings
from .value_models import CustomerValueSnapshot, ValueRun, ValueSettings

__all__ = ["CustomerValueSnapshot", "LifecycleMove", "LifecycleSettings", "ValueRun", "ValueSettings"]
