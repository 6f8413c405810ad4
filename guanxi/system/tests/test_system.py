import datetime
import os
import subprocess
import sys
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from guanxi.celery import app
from guanxi.core import digest
from guanxi.system import health
from guanxi.system.management.commands.i18n import extraction_problems
from guanxi.system.models import JobRun
from guanxi.system.services import digest_send_all, purge_expired_records
from guanxi.system.tasks import nightly_digest
from guanxi.workplace.models import Note
from guanxi.workplace.selectors import notes_visible_to


def test_healthz(db):
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_cache_and_broker(db):
    response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_reports_a_dead_dependency(db, monkeypatch):
    def broken():
        raise ConnectionError("down")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["broker"]["ok"] is False


@pytest.fixture
def digest_section():
    def section(user, day):
        count = notes_visible_to(user).filter(created_at__date=day).count()
        return [f"notes: {count}"] if count else []

    digest.register("Notes", section)
    yield
    digest._sections.remove(("Notes", section))


def test_nightly_digest_runs_once_per_day_and_respects_scope(demo_org, digest_section):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    noon = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(12)))
    liuyang = demo_org["liuyang"]
    Note.objects.create(title="x", owner=liuyang, branch=liuyang.branch, created_by=liuyang, created_at=noon)
    result = digest_send_all()
    recipients = {m.to[0].split("@")[0] for m in mail.outbox}
    assert "liuyang" in recipients and "chenzhiqiang" in recipients and "wangjianguo" in recipients
    assert "zhuwei" not in recipients  # a Beijing salesperson cannot see it, so is not told about it
    assert result == {"sent": len(mail.outbox)}
    assert digest_send_all() == {"skipped": True}
    assert JobRun.objects.filter(job="nightly_digest").count() == 1


def test_purge_removes_only_expired_recycle_bin_records(demo_org, settings):
    owner = demo_org["liuyang"]
    old = Note.objects.create(title="old", owner=owner, branch=owner.branch, created_by=owner,
                              deleted_at=timezone.now() - datetime.timedelta(days=settings.GUANXI_RECYCLE_DAYS + 1))
    recent = Note.objects.create(title="recent", owner=owner, branch=owner.branch, created_by=owner,
                                 deleted_at=timezone.now() - datetime.timedelta(days=1))
    live = Note.objects.create(title="live", owner=owner, branch=owner.branch, created_by=owner)
    purged = purge_expired_records()
    assert purged["workplace.note"] == 1
    assert set(Note.all_objects.values_list("pk", flat=True)) >= {recent.pk, live.pk}
    assert not Note.all_objects.filter(pk=old.pk).exists()


def _finished():
    try:
        return JobRun.objects.filter(job="nightly_digest", finished_at__isnull=False).exists()
    except OperationalError:
        # The in-memory SQLite of the tests locks a table while the worker thread writes.
        return False


def test_the_embedded_brokers_messages_appear_whole(tmp_path, monkeypatch):
    """Background jobs: a message file of the embedded broker is renamed into place
    complete, so a worker never reads a half-written one (kombu's own channel creates
    the file, then writes it; a worker reading in between stopped on JSONDecodeError)."""
    from kombu import Connection

    folders = {name: tmp_path / name for name in ("in", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    seen_before_rename = []
    real_replace = os.replace

    def replace(src, dst):
        seen_before_rename.append(sorted(os.listdir(folders["in"])))
        assert os.path.getsize(src) > 0
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    options = {"data_folder_in": str(folders["in"]), "data_folder_out": str(folders["in"]),
               "processed_folder": str(folders["processed"]), "control_folder": str(folders["control"]),
               "store_processed": False}
    with Connection("filesystem://", transport="guanxi.core.broker:Transport", transport_options=options) as conn:
        queue = conn.SimpleQueue("guanxi-test")
        queue.put({"job": "nightly", "text": "每日摘要"})
        message = queue.get(timeout=2)
        assert message.payload == {"job": "nightly", "text": "每日摘要"}
        message.ack()
        queue.close()
    assert seen_before_rename and not any(name.endswith(".msg") for name in seen_before_rename[0])
    assert os.listdir(folders["in"]) == []  # nothing half-written left behind


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_nightly_job():
    """Background jobs: the nightly job goes through the configured broker (files when
    embedded, Redis in production) to a real worker, which records its run."""

    from celery.contrib.testing.worker import start_worker

    if os.environ.get("REDIS_URL"):
        assert app.conf.broker_url.startswith("redis://")
    else:
        assert app.conf.broker_url == "filesystem://"
    app.conf.task_always_eager = False  # the test settings run tasks inline; not here
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            nightly_digest.delay()
            deadline = time.monotonic() + 30
            while not _finished():
                assert time.monotonic() < deadline, "the worker did not run the task"
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = True


def test_translation_catalogues_are_complete():
    """ORG-5: every user-facing string is in both the zh-Hans and the en catalogue."""

    call_command("i18n", "check")


def test_i18n_check_extracts_first_so_new_source_strings_fail(tmp_path):
    """ORG-5, issue 11: a msgid new in the source but not yet in the catalogue fails the check,
    and the check leaves the real catalogues untouched."""
    import polib

    for locale in ("zh_Hans", "en"):
        folder = tmp_path / "locale" / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        po = polib.POFile()
        po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
        po.append(polib.POEntry(msgid="Customers", msgstr="客户" if locale == "zh_Hans" else "Customers"))
        po.save(str(folder / "django.po"))
    (tmp_path / "views.py").write_text('from django.utils.translation import gettext as _\n'
                                       '_("Customers")\n')
    assert extraction_problems(tmp_path) == []
    (tmp_path / "views.py").write_text('from django.utils.translation import gettext as _\n'
                                       '_("Customers")\n_("A sentence nobody translated")\n')
    problems = extraction_problems(tmp_path)
    assert any("A sentence nobody translated" in problem for problem in problems), problems
    assert "A sentence nobody translated" not in (tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po").read_text()


def test_guanxi_up_builds_the_web_app_only_after_collecting_static_files():
    """SYS-7 (issue 11.5): `guanxi up` collects static files before the WSGI app exists;
    WhiteNoise indexes the static root when the app is built, so building it at import time
    served every stylesheet as 404 on a fresh data directory."""

    code = ("import django, sys; django.setup(); import guanxi.system.management.commands.up; "
            "print('guanxi.wsgi' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,  # noqa: S603
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "guanxi.settings.test"})
    assert result.stdout.strip().endswith("False"), result.stdout + result.stderr
