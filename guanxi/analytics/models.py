"""Analytics records; each concern keeps its models in its own module."""

from .clv_models import AnalysisJob, BasketRule, BasketRuleItem, CustomerClv, ProductTierPopularity
from .dashboard_models import DashboardLayout
from .lifecycle_models import LifecycleMove, LifecycleSettings
from .report_models import DecisionReport, ReportKind
from .scorecard_models import Scorecard, ScorecardIndicator
from .value_models import CustomerValueSnapshot, ValueRun, ValueSettings

__all__ = ["AnalysisJob", "BasketRule", "BasketRuleItem", "CustomerClv", "CustomerValueSnapshot", "DashboardLayout",
           "DecisionReport", "LifecycleMove", "LifecycleSettings", "ProductTierPopularity", "ReportKind", "Scorecard",
           "ScorecardIndicator", "ValueRun", "ValueSettings"]
