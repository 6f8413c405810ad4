#!/usr/bin/env python3
"""SYS-4 / issue 14.6: faults under load, each with what failed, how long recovery took and
whether anything acknowledged was lost or duplicated.

Builds the loopback cluster of ``scripts/multinode_check.py`` (PostgreSQL primary +
replica, two web nodes, two Celery workers, a scheduler) but with a Redis server of its own
(so it can be stopped), then runs API load (80 % reads, 20 % writes with Idempotency-Keys)
through both web nodes, failing over like nginx, while it:

1. kills -9 the worker running an import (the import must finish, each row once);
2. terminates every database backend (``pg_terminate_backend``) in the middle of writes;
3. stops Redis (cache and broker) for ``--redis-down`` seconds, then starts it again;
4. kills -9 a web node.

For each fault: requests that failed while it lasted and after, the time to the first
success after it (after Redis returns, for Redis), and at the end every acknowledged write
is looked up: lost (must be 0) and duplicated (must be 0).

    .venv/bin/python bench/faults.py [--redis-down 60] [--clients 8]

Prints a JSON report and PASS/FAIL; exit code 0 on PASS. Not part of the test suite
(about five minutes); results in docs/benchmarks.md.
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import multinode_check as cluster_kit  # noqa: E402 - a script beside this one, not a package

PY = sys.executable
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    """A redis-server of the fault test's own, on a free port, that can be stopped and
    started again on the same port."""

    def __init__(self, directory):
        self.port = cluster_kit.free_port()
        self.directory = directory
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,  # noqa: S603, S607
                              text=True, check=False).stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def window(events, start, end=None):
    return [e for e in events if e[0] >= start and (end is None or e[0] < end)]


def summary(events, start, end, recovered_from=None):
    """What the load saw from ``start`` to ``end``; recovery counted from ``recovered_from``."""
    during = window(events, start, end)
    origin = recovered_from if recovered_from is not None else start
    first_ok = next((e[0] for e in events if e[0] >= origin and e[2]), None)
    statuses = {}
    for event in during:
        if not event[2]:
            statuses[str(event[4])] = statuses.get(str(event[4]), 0) + 1
    return {"requests": len(during), "failed": sum(1 for e in during if not e[2]), "failed_by_status": statuses,
            "seconds_to_first_success": round(first_ok - origin, 2) if first_ok else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rows", type=int, default=20000, help="rows of the import a worker is killed in")
    parser.add_argument("--redis-down", type=int, default=60, help="seconds Redis stays down")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    began = time.monotonic()
    cluster = cluster_kit.Cluster(keep=args.keep)
    redis = RedisServer(cluster.tmp)
    redis.start()
    cluster.redis_url = f"redis://127.0.0.1:{redis.port}/0"
    cluster.env["REDIS_URL"] = cluster.redis_url
    report = {}
    try:
        setup, workers, ports, token = cluster.bring_up(args.rows)
        busy = cluster_kit.busiest(workers)
        at = {}

        def kill_worker():
            at["worker"], at["worker_wall"] = time.monotonic(), time.time()
            at["checkpoint"] = cluster.job(setup["job"])[1]
            cluster.kill(busy)
            cluster_kit.log(f"fault 1: killed {busy} (kill -9) at import row {at['checkpoint']} of {args.rows}")

        def terminate_backends():
            at["database"] = time.monotonic()
            killed = cluster.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                 "WHERE datname = 'guanxi' AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
            at["backends"] = int(killed or 0)
            cluster_kit.log(f"fault 2: terminated {at['backends']} database backends")

        def redis_down():
            at["redis_down"] = time.monotonic()
            redis.stop()
            cluster_kit.log(f"fault 3: Redis stopped for {args.redis_down} s")

        def redis_up():
            redis.start()
            at["redis_up"] = time.monotonic()
            cluster_kit.log("fault 3: Redis started again")

        def kill_web():
            at["web"] = time.monotonic()
            cluster.kill("web1")
            cluster_kit.log("fault 4: killed web1 (kill -9)")

        t_db, t_redis = 15, 30
        t_redis_up = t_redis + args.redis_down
        t_web = t_redis_up + 15
        seconds = t_web + 20
        front = cluster.nginx(ports)
        load = cluster_kit.Load([front] if front else [f"127.0.0.1:{port}" for port in ports], token)
        cluster_kit.log(f"load through {'nginx' if front else 'both web nodes (client failover)'}")
        cluster_kit.log(f"load: {args.clients} clients for {seconds} s, 80 % reads / 20 % writes")
        started = time.monotonic()
        load.run(args.clients, seconds, during=[(2, kill_worker), (t_db, terminate_backends), (t_redis, redis_down),
                                                 (t_redis_up, redis_up), (t_web, kill_web)])
        deadline = time.monotonic() + 180
        while cluster.job(setup["job"])[0] != "done" and time.monotonic() < deadline:
            time.sleep(1)
        job = cluster.django("job", setup["job"])
        titles = cluster.tmp / "acknowledged.json"
        titles.write_text(json.dumps(load.acknowledged))
        time.sleep(2)
        check = cluster.django("verify", titles)
        events = load.events
        report = {
            "load": {"clients": args.clients, "seconds": seconds, "requests": len(events),
                     "failed": sum(1 for e in events if not e[2]), "writes_acknowledged": len(load.acknowledged),
                     "before_faults": summary(events, started, at["worker"])},
            "faults": {
                "1 worker killed mid-import": {
                    "at_row": at["checkpoint"], "rows": args.rows, "import_status": job["status"],
                    "seconds_to_finish": round(job["finished"] - at["worker_wall"], 1) if job["finished"] else None,
                    "customers": check["customers"], "distinct_customers": check["distinct_customers"],
                    "load": summary(events, at["worker"], at["database"])},
                "2 database backends terminated": {"backends": at["backends"],
                                                   "load": summary(events, at["database"], at["redis_down"])},
                "3 Redis down": {"seconds_down": args.redis_down,
                                 "load_while_down": summary(events, at["redis_down"], at["redis_up"]),
                                 "load_after": summary(events, at["redis_up"], at["web"], recovered_from=at["redis_up"])},
                "4 web node killed": {"load": summary(events, at["web"], None)},
            },
            "rows_lost": check["lost"], "duplicates": check["duplicates"],
            "seconds": round(time.monotonic() - began, 1),
        }
    finally:
        cluster.stop()
        redis.stop()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    faults = report.get("faults", {})
    good = bool(report) and report["rows_lost"] == 0 and report["duplicates"] == 0 and (
        faults["1 worker killed mid-import"]["import_status"] == "done"
        and faults["1 worker killed mid-import"]["customers"] == args.rows
        and faults["1 worker killed mid-import"]["distinct_customers"] == args.rows)
    cluster_kit.log("PASS" if good else "FAIL")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
