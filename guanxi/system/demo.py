"""The order in which each module builds its demo data (later modules append)."""

DEMO_BUILDERS = [
    "guanxi.org.demo",
    "guanxi.workplace.demo",
    "guanxi.customers.demo",
    "guanxi.sales.demo",
    "guanxi.analytics.dashboard_demo",
    "guanxi.finance.demo",
    "guanxi.finance.demo_pay",
    "guanxi.service.demo",
    "guanxi.marketing.demo",
    "guanxi.workplace.demo_day",
    "guanxi.analytics.clv_demo",
    "guanxi.analytics.lifecycle_demo",
    "guanxi.analytics.scorecard_demo",
    "guanxi.analytics.alerts_demo",
    "guanxi.marketing.demo_segments",
    "guanxi.marketing.demo_email",
    "guanxi.marketing.demo_loyalty",
    "guanxi.marketing.demo_capture",
]
