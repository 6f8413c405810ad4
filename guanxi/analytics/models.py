"""Analytics records; each concern keeps its models in its own module."""

from .lifecycle_models import LifecycleMove, LifecycleSettings
from .scorecard_models import Scorecard, ScorecardIndicator
from .value_models import CustomerValueSnapshot, ValueRun, ValueSettings

__all__ = ["CustomerValueSnapshot", "LifecycleMove", "LifecycleSettings", "Scorecard", "ScorecardIndicator",
           "ValueRun", "ValueSettings"]
