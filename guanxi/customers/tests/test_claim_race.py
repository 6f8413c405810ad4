"""CUS-7 (acceptance): the claim limit holds when one salesperson claims many pool
customers at the same moment (20 threads, each with its own database connection)."""

import threading

import pytest
from django.db import OperationalError, connection, connections

from guanxi.core.errors import DomainError
from guanxi.customers.models import Customer, CustomerSettings
from guanxi.customers.services import customer_claim, customer_create

LIMIT = 3
CLAIMS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_claims_end_with_exactly_the_limit(demo_org):
    """CUS-7: 20 claims at once by one salesperson with a limit of 3: exactly 3 are claimed on
    PostgreSQL (the claimant's row is locked before counting); never more than 3 on SQLite."""
    rules = CustomerSettings.current()
    rules.claim_limit = LIMIT
    rules.save()
    claimant = demo_org["liuyang"]
    Customer.objects.filter(owner=claimant).update(owner=None)
    pool = [customer_create(actor=demo_org["wangjianguo"], name=f"并发公海客户{i}", owner=None) for i in range(CLAIMS)]
    barrier = threading.Barrier(CLAIMS)
    outcomes = []

    def claim(customer):
        try:
            barrier.wait(timeout=30)
            customer_claim(actor=claimant, customer=customer)
            outcomes.append("claimed")
        except (DomainError, OperationalError) as exc:  # SQLite: a locked table is refused, not waited for
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(customer,)) for customer in pool]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    owned = Customer.objects.filter(owner=claimant).count()
    assert len(outcomes) == CLAIMS
    assert owned == outcomes.count("claimed")
    if connection.vendor == "postgresql":
        assert owned == LIMIT, outcomes
    else:
        assert owned <= LIMIT, outcomes
