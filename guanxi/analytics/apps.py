from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "guanxi.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models.signals import post_save

        from guanxi.core import homepage, memo, navigation, notifications, permissions
        from guanxi.customers.models import Customer
        from guanxi.finance.models import Receipt
        from guanxi.sales.panels import register_form_helper
        from guanxi.sales.signals import order_cancelled, order_confirmed

        from . import (  # noqa: F401  (measures register on import)
            alerts,
            customer_page,
            dashboard_views,
            measures,
            receivers,
            rollups,
            satisfaction,
            tenc,
        )
        from .lifecycle_models import LifecycleSettings
        from .rollup_models import RollupRun
        from .scorecard_models import Scorecard, ScorecardIndicator

        permissions.register_module("analytics", _("Analytics"), {"view": _("View"), "export": _("Export"),
                                                                   "manage": _("Manage scorecards and alert rules")})
        navigation.register(navigation.Section("analytics", _("Analytics"), "analytics.view", [
            navigation.Item(_("Sales funnel"), "analytics:funnel", "analytics.view"),
            navigation.Item(_("Performance"), "analytics:performance", "analytics.view"),
            navigation.Item(_("Forecast"), "analytics:forecast", "analytics.view"),
            navigation.Item(_("Customer lifecycle"), "analytics:lifecycle", "analytics.view"),
            navigation.Item(_("Customer value"), "analytics:customer_value", "analytics.view"),
            navigation.Item(_("10C measures"), "analytics:tenc", "analytics.view"),
            navigation.Item(_("Regional analysis"), "analytics:regions", "analytics.view"),
            navigation.Item(_("Scorecards"), "analytics:scorecards", "analytics.view"),
            navigation.Item(_("Satisfaction and feedback"), "analytics:forms_report", "analytics.view"),
            navigation.Item(_("Decision-support reports"), "analytics:decision_reports", "analytics.view"),
            navigation.Item(_("Lifetime value and churn"), "analytics:clv", "analytics.view"),
            navigation.Item(_("Basket rules"), "analytics:basket", "analytics.view"),
            navigation.Item(_("Quality alerts"), "analytics:alerts", "analytics.view"),
            navigation.Item(_("Alert rules"), "analytics:alert_rules", "analytics.manage"),
        ], order=30))
        auditlog.register(LifecycleSettings)
        auditlog.register(Scorecard)
        auditlog.register(ScorecardIndicator)
        # Reports on daily work sit in the daily-work menu, for who may see the staff's day.
        navigation.add_items("workplace", navigation.Item(_("Staff's day"), "analytics:staff_day", "workplace.overview"))
        order_confirmed.connect(receivers.order_confirmed, dispatch_uid="analytics.order_confirmed")
        customer_page.register()
        homepage.register(dashboard_views.home)
        register_form_helper(customer_page.basket_form_helper)
        notifications.register_kind(alerts.NOTICE_KIND, _("Quality alerts"), email=True)
        order_confirmed.connect(rollups.order_changed, dispatch_uid="analytics.rollups.order_confirmed")
        order_cancelled.connect(rollups.order_changed, dispatch_uid="analytics.rollups.order_cancelled")
        memo.watch(RollupRun)
        post_save.connect(rollups.receipt_saved, sender=Receipt, dispatch_uid="analytics.rollups.receipt")
        post_save.connect(rollups.customer_moved, sender=Customer, dispatch_uid="analytics.rollups.customer_moved")
