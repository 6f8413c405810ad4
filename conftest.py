"""Fixtures shared by every app's tests."""

import pytest
from django.db import connection
from django.test import Client

from guanxi.org import demo as org_demo
from guanxi.testing.factories import TEST_PASSWORD, BranchFactory, CompanyFactory
from guanxi.testing.replay import record, replay
from guanxi.testing.world import build_world, demo_users


@pytest.fixture(scope="session")
def _demo_org_recording(django_db_setup, django_db_blocker):
    """What building the demo organization writes, recorded once per test process."""
    with django_db_blocker.unblock():
        recording = record(org_demo.build)
    recording.result = {username: user.pk for username, user in recording.result.items()}
    return recording


@pytest.fixture(scope="session")
def _demo_world_recording(_demo_org_recording, django_db_blocker):
    """What the demo of every module writes on 40 customers (``guanxi.testing.world``),
    recorded once per test process: the crawl and the query budgets replay it."""

    def build():
        replay(_demo_org_recording)
        build_world()
        return dict(_demo_org_recording.result)

    with django_db_blocker.unblock():
        return record(build)


@pytest.fixture
def demo_world(db, _demo_world_recording):
    """The demo of every module (40 customers), replayed into the test's transaction."""
    replay(_demo_world_recording)
    return demo_users(_demo_world_recording)


@pytest.fixture
def demo_org(db, _demo_org_recording):
    """The demo organization (4 branches, 19 departments, 31 people), by username: the
    rows ``guanxi.org.demo.build`` writes, replayed (see ``guanxi.testing.replay``)."""
    if not connection.in_atomic_block:
        # A transactional test commits: its database holds what earlier ones left, and
        # recorded keys could be taken. Build it for real.
        return org_demo.build()
    replay(_demo_org_recording)
    return demo_users(_demo_org_recording)


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
