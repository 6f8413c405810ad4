"""SYS-1: backups, restore, the restore drill, retention and the backups page."""

import datetime
import importlib
import io
import logging
import os
import secrets
import sqlite3
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone, translation

from guanxi.core.errors import Conflict
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_create
from guanxi.system import backup_crypto, backups
from guanxi.system.backups import (
    BackupError,
    Target,
    backup_create,
    backup_scheduled,
    backups_prune,
    backups_to_keep,
    restore_backup,
    table_fingerprints,
)
from guanxi.system.models import Backup, JobRun

KEY = "drill passphrase 演练"


class Recorder(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def backup_settings(settings, tmp_path):
    settings.GUANXI_BACKUP_DIR = str(tmp_path / "backups")
    settings.GUANXI_BACKUP_KEY = KEY
    settings.GUANXI_BACKUP_REQUIRE_KEY = False
    return settings


def live_fingerprints():
    """Fingerprints of the database the tests run on, read through a plain driver
    connection (as the backup reads its copy)."""
    return Target.current().fingerprints()


@pytest.fixture
def fresh_target(tmp_path):
    """A database that never held Guanxi data, of the engine the tests run on."""
    media = tmp_path / "restored-media"
    if connection.vendor != "postgresql":
        yield Target("sqlite", sqlite_path=str(tmp_path / "fresh.sqlite3"), media=media)
        return
    name = f"gx_drill_{secrets.token_hex(4)}"
    admin = backups.pg_connect(connection.settings_dict, "postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield Target("postgresql", pg_settings=connection.settings_dict, pg_name=name, media=media)
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def fill(demo_org, count=30):
    """Customers with Chinese names and amounts, and uploaded files (two in a folder)."""
    owner = demo_org["liuyang"]
    for number in range(count):
        customer_create(actor=owner, name=f"华南演练客户{number:03d}有限公司", phone=f"1380000{number:04d}")
    default_storage.save("drill/合同.pdf", ContentFile(b"%PDF-1.4 contract " * 100))
    default_storage.save("drill/photos/site.jpg", ContentFile(secrets.token_bytes(5000)))


@pytest.mark.django_db(transaction=True)
def test_restore_drill_into_a_fresh_database(backup_settings, demo_org, fresh_target, capsys):
    """SYS-1 restore drill: fill data, back up (``guanxi backup``), restore into a fresh
    database (``guanxi restore``), and compare every table's row count and checksum and
    every uploaded file with the live installation."""

    # Given an installation with customers and uploaded files
    fill(demo_org)
    media = backups.media_root()
    # When it is backed up and restored into a database that never held its data
    call_command("backup")
    backup = Backup.objects.get()
    assert backup.status == Backup.Status.DONE and backup.encrypted
    path = backups.backup_file(backup)
    live = live_fingerprints()
    target_option = (["--sqlite", fresh_target.sqlite_path] if fresh_target.vendor == "sqlite" else
                     ["--database-url", "postgres://{USER}@{HOST}:{PORT}/".format(**connection.settings_dict)
                      + fresh_target.pg_name])
    call_command("restore", str(path), *target_option, "--media-root", str(fresh_target.media))
    assert "match their checksums" in capsys.readouterr().out
    # Then every table matches: the backup row itself changed after its snapshot (done)
    restored = fresh_target.fingerprints()
    live.pop("system_backup")
    assert restored.pop("system_backup")["rows"] == 1
    assert restored == live
    assert restored["customers_customer"]["rows"] == 30
    assert restored["org_user"]["rows"] == len(demo_org)
    # And the uploaded files are the same bytes
    assert backups.media_fingerprints(fresh_target.media) == backups.media_fingerprints(media)
    assert "drill/photos/site.jpg" in backups.media_fingerprints(fresh_target.media)


@pytest.mark.django_db(transaction=True)
def test_a_backup_made_from_the_page_restores_into_another_data_directory(backup_settings, demo_org, fresh_target,
                                                                          client_for, capsys):
    """SYS-1: "Back up now" on the backups page makes a file that ``guanxi restore`` puts
    into another data directory (a database that never held the data, another media root):
    every table's rows and checksum and every uploaded file the same."""
    fill(demo_org, count=12)
    admin = client_for(demo_org["zhaolei"])
    assert admin.post(reverse("system:backup_now")).status_code in (200, 302)
    backup = Backup.objects.get()
    assert backup.status == Backup.Status.DONE and backup.requested_by == demo_org["zhaolei"]
    download = admin.get(reverse("system:backup_download", args=[backup.pk]))
    copied = fresh_target.media.parent / "downloaded.backup"
    copied.write_bytes(b"".join(download.streaming_content))
    live = live_fingerprints()
    target_option = (["--sqlite", fresh_target.sqlite_path] if fresh_target.vendor == "sqlite" else
                     ["--database-url", "postgres://{USER}@{HOST}:{PORT}/".format(**connection.settings_dict)
                      + fresh_target.pg_name])
    call_command("restore", str(copied), *target_option, "--media-root", str(fresh_target.media))
    assert "match their checksums" in capsys.readouterr().out
    restored = fresh_target.fingerprints()
    live.pop("system_backup")
    restored.pop("system_backup")
    assert restored == live and restored["customers_customer"]["rows"] == 12
    assert backups.media_fingerprints(fresh_target.media) == backups.media_fingerprints(backups.media_root())


@pytest.mark.django_db(transaction=True)
def test_backup_is_consistent_while_the_application_writes(backup_settings, demo_org, fresh_target):
    """SYS-1: a backup taken while another connection keeps writing restores to exactly
    what its manifest describes (one snapshot), never a half-written mix."""
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database is one connection; see the file-based test")
    fill(demo_org, count=5)
    stop = threading.Event()

    def write():
        try:
            number = 0
            while not stop.is_set():
                customer_create(actor=demo_org["zhuwei"], name=f"并发写入客户{number:05d}")
                number += 1
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        backup = backup_create(Backup.Trigger.COMMAND)
    finally:
        stop.set()
        writer.join()
    assert backup.status == Backup.Status.DONE, backup.error
    report = restore_backup(backups.backup_file(backup), key=KEY, target=fresh_target)
    assert report["problems"] == []
    assert Customer.all_objects.count() > fresh_target.fingerprints()["customers_customer"]["rows"] >= 5


def test_sqlite_online_backup_of_a_file_database_while_writing(tmp_path):
    """SYS-1: SQLite's online backup API copies a WAL database that another connection is
    writing to, and the copy is one consistent state (its rows sum to what was there)."""
    path = tmp_path / "live.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER)")
        db.executemany("INSERT INTO account (balance) VALUES (?)", [(100,)] * 50)
    stop = threading.Event()

    def transfer():
        writer = sqlite3.connect(path, timeout=10)
        while not stop.is_set():
            with writer:  # move money between two accounts in one transaction
                writer.execute("UPDATE account SET balance = balance - 7 WHERE id = 1")
                writer.execute("UPDATE account SET balance = balance + 7 WHERE id = 2")
        writer.close()

    thread = threading.Thread(target=transfer)
    thread.start()
    try:
        copies = []
        for number in range(5):
            copy = tmp_path / f"copy{number}.sqlite3"
            with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
                source.backup(target)
            copies.append(copy)
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        with sqlite3.connect(copy) as db:
            assert db.execute("SELECT SUM(balance), COUNT(*) FROM account").fetchone() == (5000, 50)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_wrong_key_or_a_damaged_file_and_changes_nothing(backup_settings, demo_org, tmp_path):
    """SYS-1: a wrong key, a damaged, cut or foreign file is refused with a clear message
    before anything is touched: the database and the uploaded files stay as they were."""
    fill(demo_org, count=3)
    backup = backup_create(Backup.Trigger.COMMAND)
    path = backups.backup_file(backup)
    # Data changes after the backup: a restore would undo this customer
    customer_create(actor=demo_org["liuyang"], name="备份之后的新客户")
    before, media_before = live_fingerprints(), backups.media_fingerprints(backups.media_root())
    data = path.read_bytes()
    damaged = tmp_path / "damaged.gxbackup"
    damaged.write_bytes(data[:4000] + bytes([data[4000] ^ 1]) + data[4001:])
    cut = tmp_path / "cut.gxbackup"
    cut.write_bytes(data[:len(data) // 2])
    foreign = tmp_path / "foreign.gxbackup"
    foreign.write_bytes(b"PK\x03\x04 not a backup" * 10)
    cases = [(path, "the wrong key", "does not match"), (path, None, "is encrypted"),
             (damaged, KEY, "damaged"), (cut, KEY, "incomplete"), (foreign, KEY, "not a Guanxi backup")]
    for file, key, message in cases:
        with translation.override("en"), pytest.raises(BackupError, match=message):
            restore_backup(file, key=key)
    with translation.override("en"), pytest.raises(CommandError, match="does not match"):
        backup_settings.GUANXI_BACKUP_KEY = "the wrong key"
        call_command("restore", str(path), "--yes")
    assert live_fingerprints() == before
    assert backups.media_fingerprints(backups.media_root()) == media_before
    assert Customer.objects.filter(name="备份之后的新客户").exists()


def test_container_detects_reordered_and_cut_chunks():
    """SYS-1: the container fails a swapped, dropped or altered chunk, and a wrong key."""
    payload = secrets.token_bytes(backup_crypto.CHUNK_SIZE * 2 + 10)
    sealed = io.BytesIO()
    writer = backup_crypto.SealingWriter(sealed, "k")
    writer.write(payload)
    writer.close()
    raw = sealed.getvalue()

    def read(data, key="k"):
        return backup_crypto.OpeningReader(io.BufferedReader(io.BytesIO(data)), key).read()

    assert read(raw) == payload
    header = raw[:backup_crypto.HEADER_SIZE]
    chunks, position = [], backup_crypto.HEADER_SIZE
    while position < len(raw):
        length = int.from_bytes(raw[position:position + 4], "big")
        chunks.append(raw[position:position + 4 + length])
        position += 4 + length
    assert len(chunks) == 3
    for broken in (header + chunks[1] + chunks[0] + chunks[2], header + chunks[0] + chunks[1]):
        with pytest.raises(backup_crypto.ContainerError):
            read(broken)
    with pytest.raises(backup_crypto.ContainerError, match="wrong_key"):
        read(raw, "other")


@pytest.mark.django_db
def test_production_refuses_a_backup_without_a_key(backup_settings):
    """SYS-1: where a key is required (production settings), a backup without one fails
    with a clear message, is shown as failed and leaves no file."""
    backup_settings.GUANXI_BACKUP_KEY = None
    backup_settings.GUANXI_BACKUP_REQUIRE_KEY = True
    backup = backup_create(Backup.Trigger.COMMAND)
    assert backup.status == Backup.Status.FAILED
    assert "GUANXI_BACKUP_KEY" in backup.error
    assert list(Path(backup_settings.GUANXI_BACKUP_DIR).iterdir()) == []


def test_production_settings_require_the_key(monkeypatch):
    """SYS-1: the production settings refuse backups without a key, and log JSON."""
    monkeypatch.delenv("GUANXI_BACKUP_REQUIRE_KEY", raising=False)
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    prod = importlib.import_module("guanxi.settings.prod")
    assert prod.GUANXI_BACKUP_REQUIRE_KEY is True
    assert prod.LOGGING["handlers"]["console"]["formatter"] == "json"


@pytest.mark.django_db(transaction=True)
def test_embedded_default_backs_up_plain_with_a_warning(backup_settings, tmp_path):
    """SYS-1: the embedded default may back up without a key, saying so; the manifest
    holds the version, the migrations and every table's count and checksum."""
    backup_settings.GUANXI_BACKUP_KEY = None
    seen = Recorder()
    logging.getLogger("guanxi.backups").addHandler(seen)
    try:
        backup = backup_create(Backup.Trigger.COMMAND)
    finally:
        logging.getLogger("guanxi.backups").removeHandler(seen)
    assert backup.status == Backup.Status.DONE and not backup.encrypted
    assert any("not encrypted" in record.getMessage() for record in seen.records)
    manifest = backups.open_backup(backups.backup_file(backup), None, tmp_path)
    assert manifest["version"] and "0001_initial" in manifest["migrations"]["system"]
    assert manifest["tables"]["django_migrations"]["rows"] == sum(len(v) for v in manifest["migrations"].values())
    assert backup.summary["tables"] == len(manifest["tables"]) > 50


def test_retention_keeps_the_newest_of_each_recent_day_and_week():
    """SYS-1 retention: keep N daily and M weekly; everything else goes."""
    tz = timezone.get_current_timezone()
    today = datetime.date(2026, 12, 4)  # a Friday
    stamps = [datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(hour), tz)
              for days in range(0, 40) for hour in (1, 13)]
    keep = backups_to_keep(stamps, daily=3, weekly=2, today=today)
    kept_days = sorted({stamp.date() for stamp in keep})
    # the last 3 days (newest of each) and the newest of last week (Sunday 29 Nov)
    assert kept_days == [datetime.date(2026, 11, 29), datetime.date(2026, 12, 2), datetime.date(2026, 12, 3),
                         datetime.date(2026, 12, 4)]
    assert all(stamp.hour == 13 for stamp in keep)


@pytest.mark.django_db
def test_prune_removes_files_past_retention(backup_settings):
    """SYS-1 retention: backups_prune deletes old files and marks their rows."""
    backup_settings.GUANXI_BACKUP_KEEP_DAILY, backup_settings.GUANXI_BACKUP_KEEP_WEEKLY = 2, 1
    folder = backups.backup_dir()
    now = datetime.datetime(2026, 12, 2, 12, tzinfo=timezone.get_current_timezone())  # a Wednesday
    for days in range(5):  # Wednesday back to Saturday
        name = f"old{days}.gxbackup"
        (folder / name).write_bytes(b"x")
        Backup.objects.create(status=Backup.Status.DONE, file_name=name, created_at=now - datetime.timedelta(days=days))
    removed = backups_prune(now)
    assert sorted(p.name for p in folder.iterdir()) == ["old0.gxbackup", "old1.gxbackup"]
    assert sorted(removed) == ["old2.gxbackup", "old3.gxbackup", "old4.gxbackup"]
    assert Backup.objects.filter(status=Backup.Status.REMOVED).count() == 3


@pytest.mark.django_db(transaction=True)
def test_scheduled_backup_runs_once_a_day(backup_settings):
    """SYS-1: the nightly backup (Celery beat) makes one backup however often it fires."""
    day = timezone.localdate()
    first, second = backup_scheduled(day), backup_scheduled(day)
    assert first["status"] == Backup.Status.DONE and second == {"skipped": True}
    assert Backup.objects.filter(trigger=Backup.Trigger.SCHEDULED).count() == 1
    assert JobRun.objects.get(job="backup", day=day).finished_at


@pytest.mark.django_db(transaction=True)
def test_backups_page_back_up_now_and_download(backup_settings, demo_org, client_for,
                                               django_capture_on_commit_callbacks):
    """SYS-1: the administrator sees the backups, starts one ("Back up now"), follows its
    progress and downloads it; nobody else sees the page, starts one or downloads."""
    admin = client_for(demo_org["zhaolei"])
    page = admin.get(reverse("system:backups"))
    assert page.status_code == 200 and reverse("system:backup_now") in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("system:backup_now"))
    backup = Backup.objects.get()
    assert backup.status == Backup.Status.DONE and backup.requested_by == demo_org["zhaolei"]
    download = admin.get(reverse("system:backup_download", args=[backup.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == backups.backup_file(backup).read_bytes()
    listing = admin.get(reverse("system:backups"), headers={"HX-Request": "true"})
    assert reverse("system:backup_download", args=[backup.pk]) in listing.content.decode()
    for username in ("linhui", "majun", "liuyang"):
        other = client_for(demo_org[username])
        assert other.get(reverse("system:backups")).status_code == 403
        assert other.get(reverse("system:backup_download", args=[backup.pk])).status_code == 403
        assert other.post(reverse("system:backup_now")).status_code == 403
    assert Backup.objects.count() == 1


@pytest.mark.django_db
def test_page_shows_progress_and_failures(backup_settings, demo_org, client_for):
    """SYS-1: a running backup polls its progress; a failed one shows why."""
    Backup.objects.create(status=Backup.Status.RUNNING, progress=40, stage="archive")
    Backup.objects.create(status=Backup.Status.FAILED, error="pg_dump failed: disk full",
                          created_at=timezone.now() - datetime.timedelta(days=1))
    body = client_for(demo_org["zhaolei"]).get(reverse("system:backups")).content.decode()
    assert 'hx-trigger="every 2s"' in body and 'value="40"' in body
    assert "pg_dump failed: disk full" in body


@pytest.mark.django_db
def test_back_up_now_refuses_while_one_runs(backup_settings, demo_org):
    """SYS-1: one backup at a time."""
    Backup.objects.create(status=Backup.Status.RUNNING)
    with pytest.raises(Conflict):
        backups.backup_request(actor=demo_org["zhaolei"])
    assert Backup.objects.count() == 1


def test_fingerprints_change_with_any_row():
    """SYS-1: the table checksum sees a changed value, not only a changed count."""
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, amount TEXT)")
        db.executemany("INSERT INTO t (amount) VALUES (?)", [(str(Decimal("1.10")),), ("2.00",)])
        first = table_fingerprints(db.cursor(), ["t"])
        db.execute("UPDATE t SET amount = '1.11' WHERE id = 1")
        second = table_fingerprints(db.cursor(), ["t"])
    assert first["t"]["rows"] == second["t"]["rows"] == 2
    assert first["t"]["checksum"] != second["t"]["checksum"]


def run_script(name, *args, env):
    script = Path(backups.__file__).resolve().parents[2] / "scripts" / name
    return subprocess.run([str(script), *map(str, args)], env=env, capture_output=True, timeout=60)  # noqa: S603


def test_wal_archive_scripts_round_trip(tmp_path):
    """SYS-1 WAL archiving: archive_command seals a segment (and refuses to overwrite it),
    restore_command gives back the same bytes; without the key it refuses."""
    segment = tmp_path / "000000010000000000000003"
    segment.write_bytes(secrets.token_bytes(300_000) + bytes(700_000))
    archive = tmp_path / "archive"
    archive.mkdir()
    env = {"PATH": os.environ["PATH"], "GUANXI_WAL_ARCHIVE": str(archive), "GUANXI_BACKUP_KEY": KEY,
           "GUANXI_PYTHON": sys.executable, "PYTHONPATH": str(Path(backups.__file__).resolve().parents[2])}
    assert run_script("pg_wal_archive.sh", segment, segment.name, env=env).returncode == 0
    sealed = archive / f"{segment.name}.gz.gxwal"
    assert sealed.exists() and segment.read_bytes()[:1000] not in sealed.read_bytes()
    assert run_script("pg_wal_archive.sh", segment, segment.name, env=env).returncode != 0  # no overwrite
    restored = tmp_path / "pg_wal" / "RECOVERYXLOG"
    restored.parent.mkdir()
    assert run_script("pg_wal_restore.sh", segment.name, restored, env=env).returncode == 0
    assert restored.read_bytes() == segment.read_bytes()
    assert run_script("pg_wal_restore.sh", "000000010000000000000099", restored, env=env).returncode == 1
    no_key = run_script("pg_wal_archive.sh", segment, "other", env={**env, "GUANXI_BACKUP_KEY": ""})
    assert no_key.returncode != 0 and not (archive / "other.gz.gxwal").exists()


@pytest.mark.django_db
def test_a_backup_whose_worker_died_is_marked_failed(backup_settings, demo_org):
    """SYS-1: a backup left running by a dead worker is shown as failed after a while and
    no longer blocks "Back up now"."""
    stuck = Backup.objects.create(status=Backup.Status.RUNNING, created_at=timezone.now() - datetime.timedelta(hours=7))
    backups.backup_request(actor=demo_org["zhaolei"])
    stuck.refresh_from_db()
    assert stuck.status == Backup.Status.FAILED and "Interrupted" in stuck.error
    assert Backup.objects.filter(status=Backup.Status.QUEUED).count() == 1


@pytest.mark.django_db
def test_failed_or_missing_backups_alert_the_administrators():
    """SYS-1, SYS-3: monitoring tells administrators when the last backup failed or none
    finished in two days."""
    now = timezone.now()
    assert backups.backup_alerts(now) == []
    Backup.objects.create(status=Backup.Status.DONE, created_at=now - datetime.timedelta(hours=20))
    assert backups.backup_alerts(now) == []
    Backup.objects.create(status=Backup.Status.FAILED, error="pg_dump failed: disk full",
                          created_at=now - datetime.timedelta(hours=1))
    assert [alert.body for alert in backups.backup_alerts(now)] == ["pg_dump failed: disk full"]
    codes = [alert.code for alert in backups.backup_alerts(now + datetime.timedelta(days=2))]
    assert "backup-missing" in codes
