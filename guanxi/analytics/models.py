"""Analytics records; each concern keeps its models in its own module."""

from .alert_models import Alert, AlertRule
from .lifecycle_models import LifecycleMove, LifecycleSettings
from .rollup_models import DailySales, RollupRun
from .value_models import CustomerValueSnapshot, ValueRun, ValueSettings

__all__ = ["Alert", "AlertRule", "CustomerValueSnapshot", "DailySales", "LifecycleMove", "LifecycleSettings", "RollupRun", "ValueRun",
           "ValueSettings"]
