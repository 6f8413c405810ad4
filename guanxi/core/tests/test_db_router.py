"""SYS-8: report pages read business records from the replica; the rest from the primary."""

from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory

from guanxi.core import db_router
from guanxi.core.db_router import ReplicaReadsMiddleware, ReplicaRouter, replica_reads
from guanxi.customers.models import Customer
from guanxi.org.models import User
from guanxi.sales.models import Order


def test_reads_inside_replica_reads_go_to_the_replica_except_accounts_and_sessions(monkeypatch):
    """SYS-8: read routing for reports; a lagging replica never decides who is signed in."""
    router = ReplicaRouter()
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)  # DATABASE_REPLICA_URL set
    assert router.db_for_read(Customer) is None
    with replica_reads():
        assert router.db_for_read(Customer) == router.db_for_read(Order) == "replica"
        assert router.db_for_read(User) is None and router.db_for_read(Session) is None
        assert router.db_for_write(Customer) is None
    assert router.db_for_read(Customer) is None
    assert router.allow_migrate("replica", "customers") is False and router.allow_migrate("default", "customers")


def test_without_a_replica_everything_reads_from_the_primary():
    with replica_reads():
        assert ReplicaRouter().db_for_read(Customer) is None


def test_only_report_pages_read_from_the_replica(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)  # DATABASE_REPLICA_URL set
    seen = []
    middleware = ReplicaReadsMiddleware(lambda request: seen.append(db_router._reading.get()) or HttpResponse())
    factory = RequestFactory()
    for request in (factory.get("/analytics/funnel/"), factory.post("/analytics/lifecycle/settings/"),
                    factory.get("/customers/"), factory.get("/api/v1/customers")):
        middleware(request)
    assert seen == [True, False, False, False]
