"""Nightly loyalty job (thin: it calls services). Safe to run twice: earning is keyed by
receipt, expiry by member and day, and tiers are recomputed from the ledger."""

from celery import shared_task

from .services.loyalty import points_catch_up, points_expire_all, tiers_recompute_all


@shared_task(acks_late=True, reject_on_worker_lost=True)
def loyalty_nightly():
    return {"earned": points_catch_up(days=7), "expired": points_expire_all(), "tiers_moved": tiers_recompute_all()}
