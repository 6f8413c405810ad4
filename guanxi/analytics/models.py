"""Analytics records; each concern keeps its models in its own module."""

from .clv_models import AnalysisJob, BasketRule, BasketRuleItem, CustomerClv, ProductTierPopularity
from .lifecycle_models import LifecycleMove, LifecycleSettings
from .value_models import CustomerValueSnapshot, ValueRun, ValueSettings

__all__ = ["AnalysisJob", "BasketRule", "BasketRuleItem", "CustomerClv", "CustomerValueSnapshot", "LifecycleMove",
           "LifecycleSettings", "ProductTierPopularity", "ValueRun", "ValueSettings"]
