#!/usr/bin/env python3
"""SYS-8: the multi-node layout on loopback, under load, with one web node and one worker killed.

Starts a PostgreSQL primary (initdb in a temporary directory) and a streaming replica of
it (pg_basebackup, a second postgres on another port), Redis (the one on 127.0.0.1:6379,
database 12 by default), two web nodes (waitress, the same code gunicorn runs) that read
report pages from the replica, two Celery workers and one scheduler. Then it drives API
load (80 % reads, 20 % writes with Idempotency-Keys) through both web nodes, retrying on
the other node when one does not answer (as nginx's ``proxy_next_upstream`` does), runs
an import, kills -9 one worker in the middle of the import and one web node in the middle
of the load, and checks that every acknowledged write is in the database exactly once,
that the import finished with each row once, and that the replica caught up.

    .venv/bin/python scripts/multinode_check.py [--seconds 40] [--rows 20000] [--keep]

Exit code 0 when nothing acknowledged was lost or duplicated and the work completed.
Needs PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup) and a Redis server.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(command):
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)  # noqa: S603


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Inside Django (this file run with --django STEP) ---------------------------------


def django_step(step, argument):
    import django  # noqa: PLC0415 - only in the child process, whose environment is set

    django.setup()
    from django.core.files.base import ContentFile  # noqa: PLC0415
    from django.core.files.storage import default_storage  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from guanxi.core.db_router import replica_reads  # noqa: PLC0415
    from guanxi.core.models import ImportJob, ImportStatus  # noqa: PLC0415
    from guanxi.customers.models import Customer  # noqa: PLC0415
    from guanxi.org import demo  # noqa: PLC0415
    from guanxi.org.models import Role  # noqa: PLC0415
    from guanxi.workplace.models import Note  # noqa: PLC0415

    if step == "setup":
        people = demo.build()
        role = Role.objects.get(code="salesperson")
        role.permissions = sorted(set(role.permissions) | {"customers.import"})
        role.save()
        rows = int(argument)
        text = "\ufeff客户名称,手机\n" + "".join(f"多节点客户{i:06d},1{3900000000 + i:010d}\n" for i in range(rows))
        name = default_storage.save(f"imports/{uuid.uuid4().hex}.csv", ContentFile(text.encode()))
        job = ImportJob.objects.create(
            entity="customers.customer", created_by=people["liuyang"], file_name=name, original_name="big.csv",
            kind="csv", size=len(text.encode()), header=["客户名称", "手机"], mapping={"0": "name", "1": "mobile"},
            options={"on_duplicate": "skip", "choices": {}}, total_rows=rows, status=ImportStatus.UPLOADED)
        print(json.dumps({"job": job.pk, "password": demo.DEMO_PASSWORD}))
    elif step == "enqueue":
        from guanxi.core.tasks import run_import  # noqa: PLC0415

        ImportJob.objects.filter(pk=int(argument)).update(status=ImportStatus.QUEUED, heartbeat_at=timezone.now())
        run_import.delay(int(argument))
    elif step == "job":
        job = ImportJob.objects.get(pk=int(argument))
        print(json.dumps({"status": job.status, "next_row": job.next_row, "created": job.created_count,
                          "finished": job.finished_at.timestamp() if job.finished_at else None}))
    elif step == "verify":
        titles = json.loads(Path(argument).read_text())
        found = {}
        for title in Note.objects.filter(title__startswith="多节点").values_list("title", flat=True):
            found[title] = found.get(title, 0) + 1
        with replica_reads():
            replica_notes = Note.objects.filter(title__startswith="多节点").count()
            replica_db = Note.objects.filter(title__startswith="多节点").db
        customers = Customer.objects.filter(name__startswith="多节点客户")
        print(json.dumps({
            "acknowledged": len(titles), "lost": sum(1 for t in titles if t not in found),
            "duplicates": sum(n - 1 for n in found.values() if n > 1), "stored": sum(found.values()),
            "replica_notes": replica_notes, "replica_alias": replica_db,
            "customers": customers.count(), "distinct_customers": customers.values("name").distinct().count(),
        }))


# --- The cluster ------------------------------------------------------------------------
# The upstream and proxy settings of docs/deployment.md ("When one machine is outgrown"):
# nginx passes a request to the next node when one does not answer; a write already sent
# to a node that died is not repeated by nginx (no ``non_idempotent``): the client retries
# it with its Idempotency-Key.
NGINX_CONF = """daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    upstream guanxi {{
{servers}        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 50m;
        location / {{
            proxy_pass http://guanxi;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""



class Cluster:
    def __init__(self, keep=False, redis_db=12):
        self.tmp = Path(tempfile.mkdtemp(prefix="guanxi-multinode-"))
        self.tmp.chmod(0o755)
        self.keep = keep
        self.pg = self.tmp / "pg"
        self.pg.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.pg, "postgres", "postgres")
        self.primary_port, self.replica_port = free_port(), free_port()
        self.redis_url = f"redis://127.0.0.1:6379/{redis_db}"
        self.processes = {}
        self.env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "guanxi.settings.base", "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.primary_port}/guanxi",
            "REDIS_URL": self.redis_url, "GUANXI_DATA_DIR": str(self.tmp / "data"),  # shared media
            "SECRET_KEY": "multinode-check-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "GUANXI_API_RATE": "1000000/min", "GUANXI_JOB_HEARTBEAT_SECONDS": "2",
            "GUANXI_JOB_STALE_SECONDS": "10", "GUANXI_JOB_RECOVERY_INTERVAL": "5", "GUANXI_MONITOR_INTERVAL": "5",
            "CELERY_TASK_ALWAYS_EAGER": "",
        }

    def postgres(self, name, port):
        data = self.pg / name
        run(as_postgres(["pg_ctl", "-D", str(data), "-w", "-l", str(self.pg / f"{name}.log"), "-o",
                         f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.pg} "
                         f"-c wal_level=replica -c max_wal_senders=5 -c hot_standby=on", "start"]))

    def start_databases(self):
        run(as_postgres(["initdb", "-D", str(self.pg / "primary"), "-U", "postgres", "-A", "trust", "--no-sync",
                         "-E", "UTF8", "--locale", "C.UTF-8"]))
        self.postgres("primary", self.primary_port)
        run(["psql", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres", "-qc",
             "CREATE DATABASE guanxi"])
        run(["redis-cli", "-u", self.redis_url, "FLUSHDB"])

    def start_replica(self):
        run(as_postgres(["pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres", "-D",
                         str(self.pg / "replica"), "-R", "-X", "stream", "--checkpoint=fast"]))
        self.postgres("replica", self.replica_port)
        self.env["DATABASE_REPLICA_URL"] = f"postgres://postgres@127.0.0.1:{self.replica_port}/guanxi"

    def sql(self, query):
        """One value or row from the primary, quickly (no Django start-up)."""
        done = run(["psql", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres", "-d", "guanxi",
                    "-AtF", ",", "-c", query])
        return done.stdout.strip()

    def job(self, pk):
        query = f"SELECT status, next_row FROM core_importjob WHERE id = {int(pk)}"  # noqa: S608 - an integer
        status, next_row = self.sql(query).split(",")
        return status, int(next_row)

    def django(self, step, argument=""):
        done = run([PY, __file__, "--django", step, str(argument)], env=self.env, timeout=600, cwd=ROOT)
        return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None

    def spawn(self, name, command):
        out = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT,  # noqa: S603
                                                cwd=ROOT)
        return self.processes[name]

    def web(self, name, port):
        self.spawn(name, [str(BIN / "waitress-serve"), f"--listen=127.0.0.1:{port}", "--threads=8",
                          "guanxi.wsgi:application"])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"web node {name} did not start")

    def nginx(self, ports):
        """nginx in front of the web nodes with the upstream of docs/deployment.md; returns
        its address, or None when nginx is not installed (clients then fail over themselves)."""
        binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
        if binary is None:
            return None
        port, conf = free_port(), self.tmp / "nginx.conf"
        servers = "".join(f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;\n" for p in ports)
        conf.write_text(NGINX_CONF.format(tmp=self.tmp, port=port, servers=servers))
        self.spawn("nginx", [binary, "-p", str(self.tmp), "-c", str(conf)])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
                return f"127.0.0.1:{port}"
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("nginx did not start")

    def worker(self, name):
        return self.spawn(name, [PY, "-m", "celery", "-A", "guanxi", "worker", "--pool=solo", "--loglevel=WARNING",
                                 "-n", f"{name}@%h"])

    def beat(self):
        return self.spawn("beat", [PY, "-m", "celery", "-A", "guanxi", "beat", "--loglevel=WARNING", "--pidfile",
                                   str(self.tmp / "beat.pid"), "-s", str(self.tmp / "beat-schedule")])

    def kill(self, name):
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait()

    def bring_up(self, rows):
        """Databases, the demo and an import of ``rows`` rows, the replica, two workers, the
        scheduler and two web nodes; returns (setup, workers, ports, token) once the workers
        beat and the import has started."""
        self.start_databases()
        run([PY, "-m", "guanxi", "migrate", "-v0"], env=self.env, cwd=ROOT, timeout=900)
        setup = self.django("setup", rows)
        self.start_replica()
        workers = [self.worker("worker1"), self.worker("worker2")]
        self.beat()
        ports = [free_port(), free_port()]
        for index, port in enumerate(ports):
            self.web(f"web{index + 1}", port)
        log(f"web nodes on :{ports[0]} and :{ports[1]}")
        deadline = time.monotonic() + 240
        for worker in workers:  # ready once it has written its first heartbeat
            while not self.sql(f"SELECT 1 FROM system_nodeheartbeat WHERE role = 'worker' AND pid = {worker.pid}"):  # noqa: S608
                assert time.monotonic() < deadline, "a worker did not start"
                time.sleep(1)
        token = json.loads(urllib.request.urlopen(urllib.request.Request(  # noqa: S310
            f"http://127.0.0.1:{ports[0]}/api/v1/auth/token", method="POST",
            headers={"Content-Type": "application/json"},
            data=json.dumps({"username": "liuyang", "password": setup["password"]}).encode()), timeout=30).read())["token"]
        self.django("enqueue", setup["job"])
        while self.job(setup["job"])[1] == 0:
            assert time.monotonic() < deadline, "the import did not start"
            time.sleep(0.5)
        return setup, workers, ports, token

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for name in ("replica", "primary"):
            if (self.pg / name / "postmaster.pid").exists():
                subprocess.run(as_postgres(["pg_ctl", "-D", str(self.pg / name), "-m", "fast", "stop"]),  # noqa: S603
                               capture_output=True, check=False)
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


# --- Load ----------------------------------------------------------------------------


RETRY_STATUSES = (502, 503, 504)  # the front had no node to answer: the client tries again


class Load:
    """API clients spread over the web nodes, failing over like nginx's proxy_next_upstream,
    or all through nginx (one node): then a request nginx could not place (502/503/504) is
    sent again, a write with the same Idempotency-Key, as API.md asks of clients."""

    def __init__(self, nodes, token):
        self.nodes = list(nodes)
        self.token = token
        self.lock = threading.Lock()
        self.acknowledged = []
        self.events = []  # (time, kind, ok, failed_over, status or None when no node answered)
        self.stopped = threading.Event()

    def request(self, node, method, path, body=None, key=None):
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(f"http://{node}{path}", method=method, headers=headers,  # noqa: S310
                                         data=json.dumps(body).encode() if body is not None else None)
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")

    def one(self, rng):
        write = rng.random() < 0.2
        title = f"多节点{uuid.uuid4().hex}"
        key = uuid.uuid4().hex if write else None
        order = rng.sample(self.nodes, len(self.nodes)) if len(self.nodes) > 1 else self.nodes * 3
        for attempt, node in enumerate(order):
            try:
                if write:
                    status, _ = self.request(node, "POST", "/api/v1/notes", {"title": title}, key)
                else:
                    status, _ = self.request(node, "GET", "/api/v1/notes?limit=20")
            except urllib.error.HTTPError as exc:
                status = exc.code
                if status in RETRY_STATUSES and attempt + 1 < len(order):
                    time.sleep(0.2)
                    continue
            except (OSError, http.client.HTTPException):
                continue  # the node does not answer: the next one (same Idempotency-Key)
            ok = status in (200, 201)
            with self.lock:
                self.events.append((time.monotonic(), "write" if write else "read", ok, attempt > 0, status))
                if ok and write:
                    self.acknowledged.append(title)
            return
        with self.lock:
            self.events.append((time.monotonic(), "write" if write else "read", False, True, None))

    def client(self, seed):
        rng = random.Random(seed)  # noqa: S311 - a load mix, not a secret
        while not self.stopped.is_set():
            self.one(rng)

    def run(self, clients, seconds, during=()):
        threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for at, action in during:
            time.sleep(max(0.0, started + at - time.monotonic()))
            action()
        time.sleep(max(0.0, started + seconds - time.monotonic()))
        self.stopped.set()
        for thread in threads:
            thread.join(timeout=30)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busiest(workers, seconds=2.0):
    """The name of the worker that used the most CPU over a few seconds."""
    before = {w.args[-1].split("@")[0]: (w.pid, cpu_seconds(w.pid)) for w in workers}
    time.sleep(seconds)
    return max(before, key=lambda name: cpu_seconds(before[name][0]) - before[name][1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=40, help="load duration")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rows", type=int, default=20000, help="rows of the import a worker is killed in")
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    parser.add_argument("--django", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.django:
        return django_step(*args.django)

    began = time.monotonic()
    cluster = Cluster(keep=args.keep, redis_db=args.redis_db)
    report = {}
    try:
        log(f"primary on :{cluster.primary_port}, replica on :{cluster.replica_port}, {cluster.tmp}")
        setup, workers, ports, token = cluster.bring_up(args.rows)
        busy = busiest(workers)  # the worker running the import
        moments = {}

        def kill_worker():
            moments["worker"] = time.time()
            moments["checkpoint"] = cluster.job(setup["job"])[1]
            cluster.kill(busy)
            log(f"killed {busy} (kill -9) at row {moments['checkpoint']} of {args.rows}")

        def kill_web():
            moments["web"] = time.monotonic()
            cluster.kill("web1")
            log("killed web1 (kill -9)")

        front = cluster.nginx(ports)
        load = Load([front] if front else [f"127.0.0.1:{port}" for port in ports], token)
        log(f"load: {args.clients} clients for {args.seconds} s, 80 % reads / 20 % writes, "
            f"through {'nginx at ' + front if front else 'both nodes (client failover)'}")
        load.run(args.clients, args.seconds, during=[(2, kill_worker),
                                                     (args.seconds * 0.4, kill_web)])
        deadline = time.monotonic() + 120
        while cluster.job(setup["job"])[0] != "done" and time.monotonic() < deadline:
            time.sleep(1)
        job = cluster.django("job", setup["job"])
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{ports[1]}/metrics", timeout=30).read().decode()  # noqa: S310
        up = [line for line in metrics.splitlines() if line.startswith("guanxi_node_up{")]
        titles = cluster.tmp / "acknowledged.json"
        titles.write_text(json.dumps(load.acknowledged))
        time.sleep(2)  # let the replica replay the last writes
        check = cluster.django("verify", titles)
        after_web = [e for e in load.events if e[0] >= moments["web"]]
        first_ok = next((e[0] for e in after_web if e[2]), None)
        report = {
            "requests": len(load.events), "failed": sum(1 for e in load.events if not e[2]),
            "failed_over": sum(1 for e in load.events if e[3]),
            "reads": sum(1 for e in load.events if e[1] == "read"),
            "writes_acknowledged": len(load.acknowledged),
            "web_kill": {"requests_failed_after": sum(1 for e in after_web if not e[2]),
                         "seconds_to_first_success": round(first_ok - moments["web"], 2) if first_ok else None},
            "worker_kill": {"at_row": moments["checkpoint"], "import_status": job["status"],
                            "seconds_to_finish": round(job["finished"] - moments["worker"], 1) if job["finished"]
                            else None,
                            "rows": args.rows, "customers": check["customers"],
                            "distinct_customers": check["distinct_customers"]},
            "rows_lost": check["lost"], "duplicates": check["duplicates"],
            "replica": {"alias": check["replica_alias"], "notes": check["replica_notes"],
                        "primary_notes": check["stored"]},
            "metrics_nodes": {"up": sum(1 for line in up if line.endswith(" 1.0")),
                              "down": sum(1 for line in up if line.endswith(" 0.0"))},
            "front": "nginx" if front else "client failover",
            "seconds": round(time.monotonic() - began, 1),
        }
    finally:
        cluster.stop()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    good = (report and 0 < report["worker_kill"]["at_row"] < args.rows and report["web_kill"]["requests_failed_after"] == 0
            and (report["failed_over"] > 0 or report["front"] == "nginx") and report["metrics_nodes"]["down"] >= 2 and report["rows_lost"] == 0 and report["duplicates"] == 0
            and report["worker_kill"]["import_status"] == "done"
            and report["worker_kill"]["customers"] == report["worker_kill"]["distinct_customers"] == args.rows
            and report["replica"]["notes"] == report["replica"]["primary_notes"]
            and report["replica"]["alias"] == "replica" and report["web_kill"]["requests_failed_after"] == 0)
    log("PASS" if good else "FAIL")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
