"""Analytics records; each concern keeps its models in its own module."""

from .alert_models import Alert, AlertRule
from .clv_models import AnalysisJob, BasketRule, BasketRuleItem, CustomerClv, ProductTierPopularity
from .dashboard_models import DashboardLayout
from .lifecycle_models import LifecycleMove, LifecycleSettings
from .report_models import DecisionReport, ReportKind
from .rollup_models import CustomerDay, DailySales, MonthlyProductSales, RollupRun
from .scorecard_models import Scorecard, ScorecardIndicator
from .value_models import CustomerValueSnapshot, ValueRun, ValueSettings

__all__ = ["Alert", "AlertRule", "AnalysisJob", "BasketRule", "BasketRuleItem", "CustomerClv", "CustomerDay",
           "CustomerValueSnapshot", "DailySales", "DashboardLayout", "DecisionReport", "LifecycleMove",
           "LifecycleSettings", "MonthlyProductSales", "ProductTierPopularity", "ReportKind", "RollupRun", "Scorecard", "ScorecardIndicator", "ValueRun",
           "ValueSettings"]
