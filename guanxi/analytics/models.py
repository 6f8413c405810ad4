"""Analytics records; each concern keeps its models in its own module."""

from .dashboard_models import DashboardLayout
from .lifecycle_models import LifecycleMove, LifecycleSettings
from .report_models import DecisionReport, ReportKind
from .scorecard_models import Scorecard, ScorecardIndicator
from .value_models import CustomerValueSnapshot, ValueRun, ValueSettings

__all__ = ["CustomerValueSnapshot", "DashboardLayout", "DecisionReport", "LifecycleMove", "LifecycleSettings",
           "ReportKind", "Scorecard", "ScorecardIndicator", "ValueRun", "ValueSettings"]
