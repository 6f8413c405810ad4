"""Fixtures shared by every app's tests."""

import pytest
from django.test import Client

from guanxi.testing.factories import TEST_PASSWORD, BranchFactory, CompanyFactory


@pytest.fixture(scope="session")
def _demo_org_recording(django_db_setup, django_db_blocker):
    """What building the demo organization writes, recorded once per test process."""
    from guanxi.org import demo
    from guanxi.testing.replay import record

    with django_db_blocker.unblock():
        recording = record(demo.build)
    recording.result = {username: user.pk for username, user in recording.result.items()}
    return recording


@pytest.fixture
def demo_org(db, _demo_org_recording):
    """The demo organization (4 branches, 19 departments, 31 people), by username: the
    rows ``guanxi.org.demo.build`` writes, replayed (see ``guanxi.testing.replay``)."""
    from django.db import connection

    from guanxi.org import demo
    from guanxi.org.models import User
    from guanxi.testing.replay import replay

    if not connection.in_atomic_block:
        # A transactional test commits: its database holds what earlier ones left, and
        # recorded keys could be taken. Build it for real.
        return demo.build()
    replay(_demo_org_recording)
    users = User.objects.in_bulk(list(_demo_org_recording.result.values()))
    return {username: users[pk] for username, pk in _demo_org_recording.result.items()}


@pytest.fixture
def seller(demo_org):
    """The Guangzhou salesperson most sales and finance tests act as."""
    return demo_org["liuyang"]


@pytest.fixture
def cashier(demo_org):
    """The Guangzhou finance supervisor."""
    return demo_org["zhouhong"]


@pytest.fixture
def headquarters(db):
    CompanyFactory()
    return BranchFactory(name="总部", code="hq", is_headquarters=True)


@pytest.fixture
def client_for():
    """Return a logged-in test client for a user."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for(db):
    """Return (client, headers) that call the API as ``user`` with a fresh token."""
    from guanxi.accounts.services import token_issue

    def make(user):
        _token, raw = token_issue(actor=user, name="test")
        return Client(), {"Authorization": f"Bearer {raw}"}

    return make


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Give each test its own cache namespace (rate limits, lock-outs) without flushing
    a Redis that parallel workers share."""
    import uuid

    from django.core.cache import cache

    previous = cache.key_prefix
    cache.key_prefix = f"t{uuid.uuid4().hex[:12]}"
    yield
    cache.key_prefix = previous
