"""Issue 11.5a: ``guanxi migrate`` alone leaves a working system."""

import os
import sqlite3
import subprocess
import sys
import tempfile
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import caches
from django.db import connection

LOGIN_CHECK = """
from django.test import Client
from django.test.utils import setup_test_environment
from guanxi.org.models import User
setup_test_environment()
User.objects.create_user(username="first", password="Install-check-2026")
response = Client().post("/accounts/login/", {"username": "first", "password": "Install-check-2026"})
print("STATUS", response.status_code)
"""


def _guanxi(data_dir, *args):
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL")}
    env.update(GUANXI_DATA_DIR=str(data_dir), SECRET_KEY="install-test-secret-key-0123456789abcdef-xyz")
    return subprocess.run([sys.executable, "-m", "guanxi", *args], env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=240, check=False)


def test_migrate_alone_creates_the_cache_table_and_login_works():
    """SYS: a fresh database after ``guanxi migrate`` (nothing else) has the database cache
    table, and signing in answers a redirect, not a 500."""
    with tempfile.TemporaryDirectory() as data_dir:
        migrated = _guanxi(data_dir, "migrate", "--verbosity", "0")
        assert migrated.returncode == 0, migrated.stderr
        with sqlite3.connect(Path(data_dir) / "guanxi.sqlite3") as db:
            tables = {row[0] for row in db.execute("select name from sqlite_master where type='table'")}
        assert "guanxi_cache" in tables
        login = _guanxi(data_dir, "shell", "-c", LOGIN_CHECK)
        assert "STATUS 302" in login.stdout, login.stdout + login.stderr


@pytest.mark.django_db(transaction=True)
def test_cache_table_migration_is_idempotent():
    """Running the cache-table step twice (tables already there, or dropped) is harmless."""

    migration = import_module("guanxi.core.migrations.0008_cache_table")
    table = caches["default"]._table if hasattr(caches["default"], "_table") else None
    if table is None:
        pytest.skip("the cache is not a database cache here (Redis configured)")
    with connection.schema_editor() as editor:
        migration.create_cache_tables(apps, editor)
        migration.create_cache_tables(apps, editor)
    assert table in connection.introspection.table_names()
