"""Analytics records; each concern keeps its models in its own module."""

from .lifecycle_models import LifecycleMove, LifecycleSettings
from .rollup_models import DailySales, RollupRun
from .value_models import CustomerValueSnapshot, ValueRun, ValueSettings

__all__ = ["CustomerValueSnapshot", "DailySales", "LifecycleMove", "LifecycleSettings", "RollupRun", "ValueRun",
           "ValueSettings"]
