"""What analytics does when other modules announce something (wired in AnalyticsConfig.ready)."""

from .value import value_recompute_customer


def order_confirmed(sender, order, actor, **kwargs):
    """ANA-1: rescore the customer in the confirmation's transaction (one customer: a few queries;
    before any nightly run, the first confirmation computes everyone once)."""
    value_recompute_customer(order.customer_id)
