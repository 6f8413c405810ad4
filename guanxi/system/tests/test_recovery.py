"""SYS-4: a long job whose worker is killed resumes from its checkpoint, without duplicates,
within a minute, on the embedded broker (SQLite) and on Redis (PostgreSQL)."""

import datetime
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from guanxi.core import imports, jobs
from guanxi.core.import_jobs import _commit_batch, import_run, import_start, import_upload
from guanxi.core.models import ImportJob, ImportStatus
from guanxi.customers.models import Customer
from guanxi.org.models import Role

ROWS = 12_000


def _seller(demo_org):
    role = Role.objects.get(code="salesperson")
    role.permissions = sorted(set(role.permissions) | {"customers.import"})
    role.save()
    return type(demo_org["liuyang"]).objects.get(username="liuyang")


def _upload(rows):
    lines = "".join(f"恢复测试客户{i:06d},1{3800000000 + i:010d}\n" for i in range(rows))
    return SimpleUploadedFile("big.csv", ("\ufeff客户名称,手机\n" + lines).encode(), content_type="text/csv")


def _queued_job(seller, rows):
    job = import_upload(actor=seller, entity="customers.customer", upload=_upload(rows))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.UPLOADED)
    return job


class Worker:
    """A real Celery worker (and scheduler) in another process, on the database of the test."""

    def __init__(self, tmp_path):
        self.data_dir = tmp_path / "data"
        self.data_dir.mkdir(exist_ok=True)
        self.env = {**os.environ, "GUANXI_DATA_DIR": str(self.data_dir),
                    "DJANGO_SETTINGS_MODULE": "guanxi.settings.base", "CELERY_TASK_ALWAYS_EAGER": "",
                    "GUANXI_JOB_HEARTBEAT_SECONDS": "1", "GUANXI_JOB_STALE_SECONDS": "4",
                    "GUANXI_JOB_RECOVERY_INTERVAL": "2", "PYTHONPATH": str(settings.BASE_DIR.parent)}
        self.sqlite = connection.vendor == "sqlite"
        if self.sqlite:
            self.env.pop("DATABASE_URL", None)
            self.env.pop("REDIS_URL", None)
            self.path = self.data_dir / "guanxi.sqlite3"
        else:
            name = connection.settings_dict["NAME"]
            self.env["DATABASE_URL"] = f"postgres://{connection.settings_dict['USER']}@" \
                                       f"{connection.settings_dict['HOST']}:{connection.settings_dict['PORT']}/{name}"
        self.processes = []

    def share(self, job):
        """Hand the test's data (and the uploaded file) to the worker's process."""
        source = os.path.join(settings.STORAGES["default"]["OPTIONS"]["location"], job.file_name)
        target = self.data_dir / "media" / job.file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
        if self.sqlite:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(self.path)])

    def python(self, code):
        subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], env=self.env,  # noqa: S603
                       check=True, timeout=120, capture_output=True)

    def start(self, beat=False):
        command = [sys.executable, "-m", "celery", "-A", "guanxi", "worker", "--pool=solo", "--loglevel=WARNING",
                   "-n", f"w{len(self.processes)}@%h"]
        if beat:
            command += ["--beat", "-s", str(self.data_dir / "beat-schedule")]
        process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL,  # noqa: S603
                                   stderr=subprocess.DEVNULL)
        self.processes.append(process)
        return process

    def job(self, pk):
        if self.sqlite:
            with sqlite3.connect(self.path, timeout=10) as db:
                row = db.execute("SELECT status, next_row, created_count FROM core_importjob WHERE id = ?",
                                 [pk]).fetchone()
        else:
            row = ImportJob.objects.filter(pk=pk).values_list("status", "next_row", "created_count").get()
        return row

    def customers(self):
        sql = ("SELECT COUNT(*), COUNT(DISTINCT name) FROM customers_customer "
               "WHERE name LIKE '恢复测试客户%%'")
        if self.sqlite:
            with sqlite3.connect(self.path, timeout=10) as db:
                return db.execute(sql.replace("%%", "%")).fetchone()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _kill_mid_import_and_recover(tmp_path, demo_org):
    seller = _seller(demo_org)
    job = _queued_job(seller, ROWS)
    job.status = ImportStatus.QUEUED  # import_start without running it inline
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED, heartbeat_at=timezone.now(),
                                               mapping={"0": "name", "1": "mobile"},
                                               options={"on_duplicate": "skip", "choices": {}})
    worker = Worker(tmp_path)
    worker.share(job)
    try:
        first = worker.start()
        worker.python(f"from guanxi.core.tasks import run_import; run_import.delay({job.pk})")
        _wait(lambda: worker.job(job.pk)[1] > 0 and worker.job(job.pk)[0] == "running", 120,
              "the first batch")
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = time.monotonic()
        status, checkpoint, _created = worker.job(job.pk)
        assert status == "running" and 0 < checkpoint < ROWS, "killed mid-import"
        worker.start(beat=True)  # what `guanxi up` does: restart the worker (with its scheduler)
        _wait(lambda: worker.job(job.pk)[0] == "done", 90, "the import to finish")
        recovered_in = time.monotonic() - killed_at
    finally:
        worker.stop()
    assert recovered_in < 60, f"finished {recovered_in:.0f} s after the kill"
    assert worker.job(job.pk) == ("done", ROWS, ROWS)
    assert worker.customers() == (ROWS, ROWS)  # every row once: no duplicates, none lost


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(240)
def test_an_import_whose_worker_is_killed_resumes_on_the_embedded_broker(tmp_path, demo_org):
    """SYS-4: kill -9 of the worker mid-import (SQLite, embedded broker): a new worker with
    its scheduler finds the stale heartbeat, resumes from the checkpoint, no duplicate."""
    if connection.vendor != "sqlite":
        pytest.skip("the embedded broker runs with SQLite; PostgreSQL goes with Redis below")
    _kill_mid_import_and_recover(tmp_path, demo_org)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(240)
def test_an_import_whose_worker_is_killed_resumes_on_redis(tmp_path, demo_org):
    """SYS-4: the same on PostgreSQL with Redis, whose own redelivery waits an hour."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    _kill_mid_import_and_recover(tmp_path, demo_org)


def test_a_stalled_job_is_queued_again_once(demo_org, monkeypatch, settings, django_capture_on_commit_callbacks):
    """SYS-4: the recovery task queues a job whose heartbeat stopped, once per period; a
    live one is left alone."""
    settings.JOB_STALE_SECONDS = 30
    seller = _seller(demo_org)
    stalled, live = _queued_job(seller, 3), _queued_job(seller, 3)
    old = timezone.now() - datetime.timedelta(seconds=60)
    ImportJob.objects.filter(pk=stalled.pk).update(status=ImportStatus.RUNNING, heartbeat_at=old)
    ImportJob.objects.filter(pk=live.pk).update(status=ImportStatus.RUNNING, heartbeat_at=timezone.now())
    sent = []
    monkeypatch.setattr(jobs, "_registry", [jobs.Recoverable(ImportJob, ("queued", "running"), sent.append)])
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_stalled() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_stalled() == 0  # claimed: its heartbeat moved forward
    assert sent == [stalled.pk]


def test_a_run_that_lost_the_checkpoint_writes_nothing(demo_org):
    """SYS-4: two runs of one import at once (a redelivered message): the run whose
    checkpoint another run moved stops instead of writing its batch again."""
    seller = _seller(demo_org)
    job = _queued_job(seller, 5)
    job = import_start(actor=seller, job=ImportJob.objects.get(pk=job.pk), mapping={"0": "name", "1": "mobile"},
                       options={})
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, next_row=3)  # the other run's batch
    importer = imports.importer_for(job.entity)
    batch = [(line, {"name": f"另一次运行{line}", "mobile": ""}) for line in (2, 3, 4)]
    assert _commit_batch(ImportJob.objects.get(pk=job.pk), importer, batch, 0, last_line=4) is None
    assert not Customer.objects.filter(name__startswith="另一次运行").exists()
    assert ImportJob.objects.get(pk=job.pk).next_row == 3
    import_run(job.pk)  # the run holding the checkpoint finishes
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 2)
