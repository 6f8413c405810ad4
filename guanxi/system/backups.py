"""Backups and restore (SYS-1): one sealed archive of the database and the uploaded files.

An archive is a gzip'd tar inside the container of ``backup_crypto`` (AES-256-GCM when
``GUANXI_BACKUP_KEY`` is set). It holds ``database/guanxi.sqlite3`` (SQLite's online
backup API: consistent while the application writes) or ``database/guanxi.pgdump``
(``pg_dump --format=custom`` in an exported snapshot), ``media/…`` and ``manifest.json``:
version, migrations, per-table row counts and checksums, and each file's SHA-256, all
taken from the same snapshot as the data. A restore reads the whole archive into a
staging directory and checks it before it touches anything.
"""

import contextlib
import datetime
import gzip
import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import guanxi
from guanxi.core.errors import Conflict
from guanxi.core.permissions import ensure
from guanxi.core.services import service

from . import tasks  # module references both ways: the tasks call this module, this queues them
from .backup_crypto import ContainerError, OpeningReader, SealingWriter
from .models import Backup
from .monitoring import Alert
from .services import _claim_run as claim_run  # one claim per job and day, shared with the digest

logger = logging.getLogger("guanxi.backups")
events = logging.getLogger("guanxi.events")

FORMAT = 1
SQLITE_MEMBER = "database/guanxi.sqlite3"
PGDUMP_MEMBER = "database/guanxi.pgdump"
MANIFEST_MEMBER = "manifest.json"
MEDIA_PREFIX = "media/"
# SQLite's own bookkeeping, rebuilt by the engine; not data.
SQLITE_INTERNAL = ("sqlite_",)


class BackupError(Exception):
    """A backup or a restore that cannot go on; ``str()`` is the operator's message."""


REASONS = {
    "not_backup": gettext_lazy("This file is not a Guanxi backup."),
    "key_missing": gettext_lazy("This backup is encrypted: set GUANXI_BACKUP_KEY to the key it was made with."),
    "wrong_key": gettext_lazy("The backup key does not match this backup (wrong GUANXI_BACKUP_KEY). "
                              "Nothing was changed."),
    "damaged": gettext_lazy("The backup file is damaged: a part of it fails its integrity check. "
                            "Nothing was changed."),
    "truncated": gettext_lazy("The backup file is incomplete (cut short). Nothing was changed."),
}


# --- Settings -----------------------------------------------------------------------

def backup_dir():
    path = Path(settings.GUANXI_BACKUP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def backup_key():
    """Return the passphrase that seals backups, refusing to go on without one where
    the settings require it (production)."""
    key = settings.GUANXI_BACKUP_KEY or None
    if key is None and settings.GUANXI_BACKUP_REQUIRE_KEY:
        raise BackupError(_("No backup key: set GUANXI_BACKUP_KEY (backups are encrypted in production)."))
    if key is None:
        logger.warning("Backups are not encrypted: set GUANXI_BACKUP_KEY to encrypt them.")
    return key


def media_root():
    """Return the directory of uploaded files, or None when they are kept elsewhere
    (object storage backs up its own files)."""
    location = getattr(default_storage, "location", None)
    return Path(location) if location else None


# --- Fingerprints: per-table row counts and checksums -------------------------------

def _row_digest(row):
    return int.from_bytes(hashlib.sha256(repr(tuple(row)).encode()).digest(), "big")


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def table_fingerprints(cursor, tables):
    """Return ``{table: {"rows": n, "checksum": hex}}``.

    The checksum is the sum of each row's SHA-256 (mod 2**256): independent of the order
    rows come back in, changed by any added, lost or altered row. Values are compared as
    the driver returns them, so both sides must be the same database engine."""
    result = {}
    for table in tables:
        cursor.execute(f"SELECT * FROM {_quote(table)}")  # noqa: S608 - names from the catalogue
        count, total = 0, 0
        while rows := cursor.fetchmany(2000):
            for row in rows:
                total = (total + _row_digest(row)) % (1 << 256)
            count += len(rows)
        result[table] = {"rows": count, "checksum": f"{total:064x}"}
    return result


def sqlite_tables(cursor):
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    names = [name for (name,) in cursor.fetchall() if not name.startswith(SQLITE_INTERNAL)]
    # FTS5 shadow tables are rebuilt from their virtual table; the virtual one is data.
    return names


def postgres_tables(cursor):
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [name for (name,) in cursor.fetchall()]


def sqlite_fingerprints(path):
    """Fingerprint a SQLite database by file name (or URI), through a plain connection."""
    uri = str(path) if str(path).startswith("file:") else f"{Path(path).resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
        cursor = db.cursor()
        return table_fingerprints(cursor, sqlite_tables(cursor))


def pg_connect(settings_dict, dbname=None):
    """Open a new driver connection (autocommit off) to ``dbname`` on the server of a
    Django database; the backend is loaded by name, as Django does, since psycopg is
    installed only where PostgreSQL is used."""
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        dict(settings_dict, NAME=dbname or settings_dict["NAME"]), alias="guanxi-backup")
    return wrapper.get_new_connection(wrapper.get_connection_params())


def postgres_fingerprints(settings_dict, dbname=None):
    with contextlib.closing(pg_connect(settings_dict, dbname)) as pg:
        cursor = pg.cursor()
        cursor.execute("SET TIME ZONE 'UTC'")
        return table_fingerprints(cursor, postgres_tables(cursor))


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def media_fingerprints(root):
    """Return ``{relative path: sha256}`` of every file under ``root``."""
    if root is None or not root.is_dir():
        return {}
    return {path.relative_to(root).as_posix(): file_sha256(path)
            for path in sorted(root.rglob("*")) if path.is_file()}


def compare(expected, actual):
    """Return the differences between two fingerprint maps, as readable lines."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            problems.append(f"{name}: missing")
        elif name not in expected:
            problems.append(f"{name}: not in the backup")
        elif expected[name] != actual[name]:
            problems.append(f"{name}: {expected[name]} != {actual[name]}")
    return problems


# --- Making a backup ----------------------------------------------------------------

@dataclass
class Snapshot:
    """The database copied into the staging directory, with its manifest parts."""

    member: str
    path: Path
    vendor: str
    tables: dict
    migrations: dict = field(default_factory=dict)


def _migrations(tables_cursor):
    tables_cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied = {}
    for app, name in tables_cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def snapshot_sqlite(staging):
    """Copy the live SQLite database with the online backup API (readers and the
    writer go on; WAL keeps the copy consistent) and fingerprint the copy."""
    target = staging / "guanxi.sqlite3"
    if connection.in_atomic_block:
        # The copy would wait for this connection's own open transaction for ever.
        raise BackupError("A SQLite backup cannot run inside a transaction.")
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
    with contextlib.closing(sqlite3.connect(target)) as copy:
        migrations = _migrations(copy.cursor())
    return Snapshot(SQLITE_MEMBER, target, "sqlite", sqlite_fingerprints(target), migrations)


def pg_binary(name):
    folder = settings.GUANXI_PG_BIN_DIR
    return str(Path(folder) / name) if folder else name


def pg_environment(settings_dict):
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _run(command, env):
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")
    return done


def snapshot_postgres(staging):
    """Dump PostgreSQL (custom format) inside an exported snapshot, and fingerprint the
    tables in that same snapshot, so the manifest describes exactly what was dumped."""
    target = staging / "guanxi.pgdump"
    settings_dict = connection.settings_dict
    with contextlib.closing(pg_connect(settings_dict)) as pg:
        cursor = pg.cursor()
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot_id,) = cursor.fetchone()
        _run([pg_binary("pg_dump"), "--format=custom", "--compress=6", "--no-owner", "--no-privileges",
              f"--snapshot={snapshot_id}", f"--file={target}", settings_dict["NAME"]], pg_environment(settings_dict))
        cursor.execute("SET TIME ZONE 'UTC'")
        tables = table_fingerprints(cursor, postgres_tables(cursor))
        migrations = _migrations(cursor)
        pg.rollback()
    return Snapshot(PGDUMP_MEMBER, target, "postgresql", tables, migrations)


class _HashingReader:
    """Read a file for the archive and hash exactly the bytes archived."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        block = self.handle.read(size)
        self.digest.update(block)
        return block


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, fileobj=io.BytesIO(data))


def _add_media(archive, root, progress):
    """Add every uploaded file; return ``{path: sha256}`` of what was archived."""
    files = {}
    if root is None or not root.is_dir():
        return files
    paths = [path for path in sorted(root.rglob("*")) if path.is_file()]
    for number, path in enumerate(paths, start=1):
        relative = path.relative_to(root).as_posix()
        with open(path, "rb") as handle:
            info = archive.gettarinfo(fileobj=handle, arcname=MEDIA_PREFIX + relative)
            reader = _HashingReader(handle)
            archive.addfile(info, fileobj=reader)
        files[relative] = reader.digest.hexdigest()
        if number % 50 == 0:
            progress(60 + 30 * number // len(paths), "media")
    return files


def write_backup(destination, *, key, include_media=True, progress=lambda percent, stage: None):
    """Write a backup of the default database (and the uploaded files) to ``destination``;
    return its manifest."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".staging-", dir=destination.parent) as folder:
        staging = Path(folder)
        progress(5, "database")
        snap = snapshot_postgres(staging) if connection.vendor == "postgresql" else snapshot_sqlite(staging)
        progress(40, "archive")
        partial = destination.with_name(destination.name + ".part")
        try:
            manifest = _write_archive(partial, snap, key=key, include_media=include_media, progress=progress)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, destination)
    progress(100, "done")
    return manifest


def _write_archive(partial, snap, *, key, include_media, progress):
    """Seal the database copy, the media files and the manifest into ``partial``."""
    with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as raw:
        sealed = SealingWriter(raw, key)
        with gzip.GzipFile(fileobj=sealed, mode="wb", compresslevel=6, mtime=0) as packed, \
                tarfile.open(fileobj=packed, mode="w|") as archive:
            archive.add(snap.path, arcname=snap.member)
            progress(60, "media")
            media = _add_media(archive, media_root(), progress) if include_media else {}
            manifest = {
                "format": FORMAT,
                "version": guanxi.__version__,
                "created_at": timezone.now().isoformat(),
                "vendor": snap.vendor,
                "database": snap.member,
                "database_sha256": file_sha256(snap.path),
                "migrations": snap.migrations,
                "tables": snap.tables,
                "media": media,
                "encrypted": key is not None,
            }
            _add_bytes(archive, MANIFEST_MEMBER, json.dumps(manifest, indent=1, sort_keys=True).encode())
        sealed.close()
        raw.flush()
        os.fsync(raw.fileno())
    return manifest


def summarize(manifest):
    """The short form of a manifest kept on the Backup row and shown on the page."""
    return {
        "version": manifest["version"], "vendor": manifest["vendor"],
        "tables": len(manifest["tables"]), "rows": sum(t["rows"] for t in manifest["tables"].values()),
        "media_files": len(manifest["media"]), "migrations": sum(len(v) for v in manifest["migrations"].values()),
    }


def backup_file_name(now=None):
    now = timezone.localtime(now or timezone.now())
    return f"guanxi-{now:%Y%m%d-%H%M%S}.gxbackup"


# --- Reading and restoring ----------------------------------------------------------

def _safe_member(member, root):
    """Refuse links and paths that leave the staging directory."""
    if not (member.isfile() or member.isdir()):
        raise BackupError(f"Unexpected entry in the backup: {member.name}")
    target = (root / member.name).resolve()
    if root.resolve() not in target.parents and target != root.resolve():
        raise BackupError(f"Unexpected path in the backup: {member.name}")
    return target


def open_backup(path, key, staging):
    """Unseal and unpack ``path`` into ``staging``; check every chunk, the database file
    and every media file against the manifest. Return the manifest. Raise BackupError
    (and leave nothing behind) on a wrong key or damage."""
    staging = Path(staging)
    try:
        with open(path, "rb") as raw:
            reader = OpeningReader(raw, key)
            with gzip.GzipFile(fileobj=reader, mode="rb") as packed, \
                    tarfile.open(fileobj=packed, mode="r|") as archive:
                for member in archive:
                    target = _safe_member(member, staging)
                    if member.isdir():
                        target.mkdir(parents=True, exist_ok=True)
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with archive.extractfile(member) as source, open(target, "wb") as out:
                        shutil.copyfileobj(source, out, 1 << 20)
                while packed.read(1 << 20):
                    pass  # the rest of the stream (gzip's trailer and CRC) is checked too
            if not reader.finished:
                raise ContainerError("truncated")
    except ContainerError as exc:
        raise BackupError(str(REASONS[exc.reason])) from exc
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as exc:
        if isinstance(exc, FileNotFoundError):
            raise BackupError(f"No such backup file: {path}") from exc
        raise BackupError(str(REASONS["damaged"])) from exc
    manifest_path = staging / MANIFEST_MEMBER
    if not manifest_path.exists():
        raise BackupError(str(REASONS["damaged"]))
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError("This backup was made by an unknown version of Guanxi.")
    database = staging / manifest["database"]
    if not database.exists() or file_sha256(database) != manifest["database_sha256"]:
        raise BackupError(str(REASONS["damaged"]))
    problems = compare(manifest["media"], media_fingerprints(staging / MEDIA_PREFIX.rstrip("/")))
    if problems:
        raise BackupError(f"{REASONS['damaged']} {'; '.join(problems[:5])}")
    if manifest["vendor"] == "sqlite":
        problems = compare(manifest["tables"], sqlite_fingerprints(database))
        if problems:
            raise BackupError(f"{REASONS['damaged']} {'; '.join(problems[:5])}")
    return manifest


@dataclass
class Target:
    """Where a restore goes: a SQLite file, a PostgreSQL database (Django settings dict
    plus a name), and a media directory."""

    vendor: str
    sqlite_path: str = ""
    pg_settings: dict | None = None
    pg_name: str = ""
    media: Path | None = None

    @classmethod
    def current(cls):
        """The database and media directory this installation uses."""
        settings_dict = connection.settings_dict
        if connection.vendor == "postgresql":
            return cls("postgresql", pg_settings=settings_dict, pg_name=settings_dict["NAME"], media=media_root())
        return cls("sqlite", sqlite_path=settings_dict["NAME"], media=media_root())

    def fingerprints(self):
        if self.vendor == "postgresql":
            return postgres_fingerprints(self.pg_settings, self.pg_name)
        return sqlite_fingerprints(self.sqlite_path)


def _restore_sqlite(database, target):
    if target.sqlite_path == connection.settings_dict["NAME"]:
        # The live database: copy through Django's connection, page by page, in one step.
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(database)) as source:
            source.backup(connection.connection)
        return
    with contextlib.closing(sqlite3.connect(database)) as source, \
            contextlib.closing(sqlite3.connect(target.sqlite_path)) as dest:
        source.backup(dest)


def _restore_postgres(database, target):
    settings_dict = target.pg_settings
    env = pg_environment(settings_dict)
    _run([pg_binary("pg_restore"), "--list", str(database)], env)
    # One transaction: a failure half-way leaves the target as it was.
    _run([pg_binary("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={target.pg_name}", str(database)], env)


def _restore_media(staged, root):
    """Put the archived files in place; the previous folder is kept beside it."""
    if root is None:
        return ""
    kept = ""
    if root.exists() and any(root.iterdir()):
        kept = f"{root}.before-restore-{timezone.now():%Y%m%d%H%M%S}"
        os.replace(root, kept)
    if staged.is_dir():
        root.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), str(root))
    else:
        root.mkdir(parents=True, exist_ok=True)
    return kept


def _is_current(target):
    current = Target.current()
    return (target.vendor, target.sqlite_path, target.pg_name) == (current.vendor, current.sqlite_path, current.pg_name)


def restore_backup(path, *, key, target=None, progress=lambda percent, stage: None):
    """Restore ``path`` into ``target`` (default: this installation) and prove it: the
    restored tables must match the manifest's counts and checksums. Return a report."""
    target = target or Target.current()
    work = Path(target.sqlite_path).parent if target.sqlite_path and Path(target.sqlite_path).parent.is_dir() \
        else backup_dir()
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=work) as folder:
        staging = Path(folder)
        progress(10, "checking")
        manifest = open_backup(path, key, staging)
        if manifest["vendor"] != target.vendor:
            raise BackupError(f"This backup is of a {manifest['vendor']} database; the target is {target.vendor}.")
        progress(50, "database")
        database = staging / manifest["database"]
        if target.vendor == "postgresql":
            _restore_postgres(database, target)
        else:
            _restore_sqlite(database, target)
        progress(80, "media")
        kept = _restore_media(staging / MEDIA_PREFIX.rstrip("/"), target.media)
        problems = compare(manifest["tables"], target.fingerprints())
        problems += compare(manifest["media"], media_fingerprints(target.media) if target.media else {})
    if _is_current(target):
        # The copy was taken while its own backup ran: that row would say "running" for ever.
        Backup.objects.filter(status__in=[Backup.Status.QUEUED, Backup.Status.RUNNING]).update(
            status=Backup.Status.FAILED, finished_at=timezone.now(),
            error="In progress when the restored copy was taken; see the backup files for the result.")
    report = {"tables": len(manifest["tables"]), "rows": sum(t["rows"] for t in manifest["tables"].values()),
              "media_files": len(manifest["media"]), "problems": problems, "previous_media": kept,
              "created_at": manifest["created_at"], "version": manifest["version"]}
    progress(100, "done")
    if problems:
        logger.error("Restore of %s does not match its manifest: %s", path, "; ".join(problems[:10]))
    else:
        events.info("Restored %s: %s tables, %s rows, %s files", Path(path).name, report["tables"],
                    report["rows"], report["media_files"])
    return report


# --- Retention ----------------------------------------------------------------------

def backups_to_keep(stamps, *, daily, weekly, today):
    """Return the subset of ``stamps`` (local datetimes) to keep: the newest of each of
    the last ``daily`` days and the newest of each of the last ``weekly`` ISO weeks."""
    keep = set()
    newest_per_day, newest_per_week = {}, {}
    for stamp in sorted(stamps):
        newest_per_day[stamp.date()] = stamp
        newest_per_week[stamp.isocalendar()[:2]] = stamp
    for day, stamp in newest_per_day.items():
        if (today - day).days < daily:
            keep.add(stamp)
    this_monday = today - datetime.timedelta(days=today.weekday())
    for (year, week), stamp in newest_per_week.items():
        monday = datetime.date.fromisocalendar(year, week, 1)
        if (this_monday - monday).days // 7 < weekly:
            keep.add(stamp)
    return keep


def backups_prune(now=None):
    """Apply retention: keep the newest backup of each of the last GUANXI_BACKUP_KEEP_DAILY
    days and of each of the last GUANXI_BACKUP_KEEP_WEEKLY weeks; delete the other files."""
    now = now or timezone.now()
    done = list(Backup.objects.filter(status=Backup.Status.DONE))
    stamps = {timezone.localtime(b.created_at): b for b in done}
    keep = backups_to_keep(stamps, daily=settings.GUANXI_BACKUP_KEEP_DAILY,
                           weekly=settings.GUANXI_BACKUP_KEEP_WEEKLY, today=timezone.localdate(now))
    removed = []
    for stamp, backup in stamps.items():
        if stamp in keep:
            continue
        with contextlib.suppress(FileNotFoundError):
            (backup_dir() / backup.file_name).unlink()
        Backup.objects.filter(pk=backup.pk).update(status=Backup.Status.REMOVED)
        removed.append(backup.file_name)
    if removed:
        events.info("Backup retention removed %s old backups: %s", len(removed), ", ".join(removed))
    return removed


# --- The Backup rows: requested from the page, scheduled, or run from the command line

STALE_AFTER = datetime.timedelta(hours=6)


def backups_fail_stale(now=None):
    """Mark backups queued or running for hours as failed: their worker died (a re-delivered
    task does not run a backup twice), and they must not block the next one."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    return Backup.objects.filter(status__in=[Backup.Status.QUEUED, Backup.Status.RUNNING],
                                 created_at__lt=cutoff).update(
        status=Backup.Status.FAILED, error="Interrupted: the worker stopped before the backup finished.",
        finished_at=timezone.now())


@service
def backup_request(*, actor):
    """Queue a backup now ("Back up now"); refuse while another one runs."""
    ensure(actor, "system.backup")
    backups_fail_stale()
    if Backup.objects.filter(status__in=[Backup.Status.QUEUED, Backup.Status.RUNNING]).exists():
        raise Conflict(_("A backup is already running."))
    backup = Backup.objects.create(trigger=Backup.Trigger.MANUAL, requested_by=actor)
    transaction.on_commit(lambda: tasks.run_backup.delay(backup.pk))
    return backup


def _reporter(backup_id):
    def report(percent, stage):
        Backup.objects.filter(pk=backup_id).update(progress=percent, stage=stage)
    return report


def backup_run(backup_id):
    """Run a queued backup (once: only a queued row is taken); return the row."""
    if not Backup.objects.filter(pk=backup_id, status=Backup.Status.QUEUED).update(
            status=Backup.Status.RUNNING, stage="database", progress=1):
        return Backup.objects.filter(pk=backup_id).first()
    name = backup_file_name()
    path = backup_dir() / name
    try:
        key = backup_key()
        manifest = write_backup(path, key=key, include_media=settings.GUANXI_BACKUP_INCLUDE_MEDIA,
                                progress=_reporter(backup_id))
    except Exception as exc:  # every failure is shown on the page and logged
        logger.exception("Backup %s failed", name)
        Backup.objects.filter(pk=backup_id).update(status=Backup.Status.FAILED, error=str(exc)[:2000],
                                                   finished_at=timezone.now())
        return Backup.objects.get(pk=backup_id)
    size = path.stat().st_size
    Backup.objects.filter(pk=backup_id).update(
        status=Backup.Status.DONE, file_name=name, size=size, encrypted=key is not None, progress=100,
        stage="done", summary=summarize(manifest), finished_at=timezone.now())
    events.info("Backup %s done: %s bytes, %s tables", name, size, len(manifest["tables"]))
    backups_prune()
    return Backup.objects.get(pk=backup_id)


def backup_create(trigger, requested_by=None):
    """Make a backup at once (the scheduler, the command line); return the row."""
    backup = Backup.objects.create(trigger=trigger, requested_by=requested_by)
    return backup_run(backup.pk)


def backup_scheduled(day=None):
    """The nightly backup: once a day however often the scheduler fires."""
    run = claim_run("backup", day or timezone.localdate())
    if run is None:
        return {"skipped": True}
    backups_fail_stale()
    backup = backup_create(Backup.Trigger.SCHEDULED)
    run.finished_at = timezone.now()
    run.result = {"backup": backup.pk, "status": backup.status}
    run.save(update_fields=["finished_at", "result"])
    return run.result


def backup_file(backup):
    """Return the path of a finished backup's file, or None."""
    if backup.status != Backup.Status.DONE or not backup.file_name:
        return None
    path = backup_dir() / Path(backup.file_name).name
    return path if path.exists() else None


def backup_alerts(now):
    """Monitoring check (``monitoring.register_check``): the latest backup failed, or
    none finished in two days."""
    latest = Backup.objects.exclude(status=Backup.Status.REMOVED).order_by("-created_at").first()
    if latest is None:
        return []
    alerts = []
    if latest.status == Backup.Status.FAILED:
        alerts.append(Alert(f"backup-failed:{latest.pk}", _("The last backup failed"), latest.error[:500]))
    last_done = Backup.objects.filter(status=Backup.Status.DONE).order_by("-created_at").first()
    if last_done is None or now - last_done.created_at > datetime.timedelta(days=2):
        alerts.append(Alert("backup-missing", _("No backup has finished in the last two days")))
    return alerts
