"""What analytics does when other modules announce something (wired in AnalyticsConfig.ready)."""

from django.db import transaction

from .value import value_recompute_customer


def order_confirmed(sender, order, actor, **kwargs):
    """ANA-1: rescore the customer once the confirmation is committed."""
    customer_id = order.customer_id
    transaction.on_commit(lambda: value_recompute_customer(customer_id))
