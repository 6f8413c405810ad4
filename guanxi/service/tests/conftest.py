"""Fixtures of the service tests: real IMAP and SMTP servers (see mailservers.py)."""

import pytest

from .mailservers import new_mailbox, running_dovecot, running_smtp


@pytest.fixture(scope="session")
def dovecot():
    with running_dovecot() as server:
        yield server


@pytest.fixture
def imap_mailbox(dovecot):
    """A fresh folder of the shared test Dovecot."""
    return new_mailbox(dovecot)


@pytest.fixture
def smtp_server(settings):
    with running_smtp(settings) as sink:
        yield sink
