#!/usr/bin/env python3
"""SYS-1: a point-in-time recovery drill of the PostgreSQL backup scripts, on loopback.

Runs what docs/operations.md tells an operator to set up, then recovers as it says:

1. a PostgreSQL from initdb with ``archive_command`` = ``scripts/pg_wal_archive.sh``
   (each WAL segment compressed and encrypted into an archive folder);
2. rows written, then ``scripts/pg_base_backup.sh`` (pg_basebackup, sealed, retention);
3. more rows written, the moment noted, more rows after it;
4. the server stopped for good; a new data directory made from the sealed base backup,
   ``restore_command`` = ``scripts/pg_wal_restore.sh`` and ``recovery_target_time`` = the
   moment; started, promoted;
5. checked: every row written before the moment is there (with its checksum), none after.

    .venv/bin/python scripts/pitr_drill.py [--rows 5000] [--keep]

Prints a JSON report and PASS/FAIL; exit code 0 on PASS. Needs PostgreSQL's server
binaries and, for the archive scripts run by the postgres user, a ``python3`` with the
``cryptography`` package (``GUANXI_PYTHON``, default ``/usr/bin/python3``).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from multinode_check import as_postgres, free_port, log, run

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
KEY = "pitr-drill-passphrase"


class Drill:
    def __init__(self, keep, python):
        self.tmp = Path(tempfile.mkdtemp(prefix="guanxi-pitr-"))
        self.tmp.chmod(0o755)
        self.keep = keep
        self.archive, self.backups = self.tmp / "wal-archive", self.tmp / "base-backups"
        for folder in (self.archive, self.backups):
            folder.mkdir()
        if os.geteuid() == 0:
            for folder in (self.tmp, self.archive, self.backups):
                shutil.chown(folder, "postgres", "postgres")
        self.env = {**os.environ, "GUANXI_WAL_ARCHIVE": str(self.archive), "GUANXI_BASE_BACKUPS": str(self.backups),
                    "GUANXI_BACKUP_KEY": KEY, "GUANXI_PYTHON": python, "PYTHONPATH": str(ROOT),
                    "PGHOST": "127.0.0.1", "PGUSER": "postgres"}
        self.running = []

    def shell_env(self):
        """The environment of archive_command and restore_command, written into the command
        (the server's own environment is the operator's systemd drop-in in production)."""
        names = ("GUANXI_WAL_ARCHIVE", "GUANXI_BACKUP_KEY", "GUANXI_PYTHON")
        return " ".join(f"{name}={self.env[name]}" for name in names)

    def start(self, data, port):
        run(as_postgres(["pg_ctl", "-D", str(data), "-w", "-t", "120", "-l", str(self.tmp / f"{data.name}.log"),
                         "-o", f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.tmp}",
                         "start"]), env=self.env)
        self.running.append(data)

    def stop(self, data):
        subprocess.run(as_postgres(["pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"]),  # noqa: S603
                       capture_output=True, check=False)
        if data in self.running:
            self.running.remove(data)

    def sql(self, port, query):
        return run(["psql", "-p", str(port), "-h", "127.0.0.1", "-U", "postgres", "-d", "drill", "-AtF", ",", "-c",
                    query]).stdout.strip()

    def primary(self, port):
        data = self.tmp / "primary"
        run(as_postgres(["initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8",
                         "--locale", "C.UTF-8"]))
        with open(data / "postgresql.auto.conf", "a") as conf:
            conf.write(f"archive_mode = on\nwal_level = replica\narchive_timeout = 0\n"
                       f"archive_command = '{self.shell_env()} sh {SCRIPTS / 'pg_wal_archive.sh'} %p %f'\n")
        self.start(data, port)
        run(["psql", "-p", str(port), "-h", "127.0.0.1", "-U", "postgres", "-qc", "CREATE DATABASE drill"])
        self.sql(port, "CREATE TABLE drill_row (id bigserial PRIMARY KEY, phase text NOT NULL, body text NOT NULL, "
                       "written_at timestamptz NOT NULL DEFAULT clock_timestamp())")
        return data

    def write(self, port, phase, rows):
        self.sql(port, f"INSERT INTO drill_row (phase, body) SELECT '{phase}', md5(g::text) || '客户' "  # noqa: S608
                       f"FROM generate_series(1, {int(rows)}) g")

    def checksum(self, port, where):
        return self.sql(port, f"SELECT count(*), coalesce(md5(string_agg(id || ':' || phase || ':' || body, ',' "  # noqa: S608
                              f"ORDER BY id)), '') FROM drill_row WHERE {where}")

    def archived_through(self, port):
        """Switch to a new WAL segment and wait until the finished one is archived."""
        segment = self.sql(port, "SELECT pg_walfile_name(pg_switch_wal())")
        deadline = time.monotonic() + 120
        while not (self.archive / f"{segment}.gz.gxwal").exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"segment {segment} was not archived")
            time.sleep(0.5)
        return segment

    def base_backup(self, port):
        done = run(as_postgres(["env", f"PGPORT={port}", "sh", str(SCRIPTS / "pg_base_backup.sh")]), env=self.env)
        return done.stdout.strip().splitlines()[-1]

    def restore(self, target_time, port):
        """A new data directory from the newest sealed base backup, recovering to the moment."""
        newest = sorted(p for p in self.backups.iterdir() if p.name.startswith("2"))[-1]
        data = self.tmp / "restored"
        data.mkdir(mode=0o700)
        for sealed in sorted(newest.glob("*.gxbackup")):
            plain = self.tmp / sealed.name.removesuffix(".gxbackup")
            with open(sealed, "rb") as source, open(plain, "wb") as target:
                subprocess.run([sys.executable, "-m", "guanxi.system.backup_crypto", "decrypt"], stdin=source,  # noqa: S603
                               stdout=target, check=True, env=self.env, cwd=ROOT)
            if not plain.name.endswith(".tar.gz"):
                continue  # backup_manifest: kept beside, for pg_verifybackup on a plain copy
            into = data if plain.name == "base.tar.gz" else data / "pg_wal"
            with tarfile.open(plain) as archive:
                archive.extractall(into, filter="fully_trusted")  # noqa: S202 - our own backup
        (data / "pg_wal").mkdir(exist_ok=True)
        with open(data / "postgresql.auto.conf", "a") as conf:
            conf.write(f"archive_mode = off\n"
                       f"restore_command = '{self.shell_env()} sh {SCRIPTS / 'pg_wal_restore.sh'} %f %p'\n"
                       f"recovery_target_time = '{target_time}'\nrecovery_target_action = 'promote'\n")
        (data / "recovery.signal").touch()
        if os.geteuid() == 0:
            run(["chown", "-R", "postgres:postgres", str(data)])
        self.start(data, port)
        deadline = time.monotonic() + 180
        while self.sql(port, "SELECT pg_is_in_recovery()") != "f":
            if time.monotonic() > deadline:
                raise RuntimeError("the restored server did not finish recovery")
            time.sleep(0.5)
        return data, newest.name

    def close(self):
        for data in list(self.running):
            self.stop(data)
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="rows written in each phase")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    parser.add_argument("--python", default=os.environ.get("GUANXI_PYTHON", "/usr/bin/python3"),
                        help="the python3 (with cryptography) the archive scripts run as the postgres user")
    args = parser.parse_args()
    began = time.monotonic()
    drill = Drill(args.keep, args.python)
    report = {}
    try:
        port, restored_port = free_port(), free_port()
        log(f"primary on :{port}, {drill.tmp}")
        primary = drill.primary(port)
        drill.write(port, "before-backup", args.rows)
        backup = drill.base_backup(port)
        log(backup)
        drill.write(port, "after-backup", args.rows)
        time.sleep(1.1)
        moment = drill.sql(port, "SELECT clock_timestamp()")
        time.sleep(1.1)
        drill.write(port, "after-moment", args.rows)
        expected = drill.checksum(port, "phase <> 'after-moment'")
        last_segment = drill.archived_through(port)
        drill.stop(primary)
        log(f"primary stopped for good; recovering to {moment}")
        _data, used = drill.restore(moment, restored_port)
        got = drill.checksum(restored_port, "true")
        after = drill.sql(restored_port, "SELECT count(*) FROM drill_row WHERE phase = 'after-moment'")
        archived = sorted(p.name for p in drill.archive.iterdir())
        report = {
            "rows_per_phase": args.rows, "base_backup": used, "target_time": moment,
            "wal_segments_archived": len(archived), "last_segment": last_segment,
            "archive_sealed": all(p.read_bytes()[:8] == b"GXBACKUP" for p in drill.archive.iterdir()),
            "expected": expected, "restored": got, "rows_after_moment_restored": int(after),
            "seconds": round(time.monotonic() - began, 1),
        }
    finally:
        drill.close()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    good = bool(report) and report["restored"] == report["expected"] and report["rows_after_moment_restored"] == 0 \
        and report["archive_sealed"] and report["expected"].startswith(str(2 * args.rows) + ",")
    log("PASS" if good else "FAIL")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
