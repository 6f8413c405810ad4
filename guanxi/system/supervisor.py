"""`guanxi up` supervises its background processes: the Celery worker and the scheduler.

- A child that dies is started again, after a back-off that doubles (1 s … 60 s) while
  it keeps dying quickly and resets once it has run for a minute.
- On Linux each child gets PR_SET_PDEATHSIG: when `guanxi up` dies, even by kill -9,
  the kernel sends its children SIGTERM, so no scheduler is left orphaned.
- The scheduler keeps a pidfile (celery beat ``--pidfile``): a second scheduler refuses
  to start while the first lives; a pidfile left by a dead one is stale and replaced.
- `guanxi up` holds an exclusive lock on ``up.lock`` in the data directory (released by
  the kernel when the process dies however it dies): a second `guanxi up` on the same
  data directory refuses to start.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

try:
    import fcntl
except ImportError:  # Windows: no lock (one `guanxi up` is the operator's care there)
    fcntl = None  # type: ignore[assignment]

PR_SET_PDEATHSIG = 1
BACKOFF_FIRST, BACKOFF_MAX, HEALTHY_AFTER = 1.0, 60.0, 60.0


class AlreadyRunning(Exception):
    pass


def die_with_parent(parent_pid):
    """``preexec_fn``: ask the kernel for SIGTERM when the parent dies (Linux)."""

    def preexec():
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the parent died before prctl
            os._exit(1)

    return preexec if sys.platform.startswith("linux") else None


@contextlib.contextmanager
def single_instance(path):
    """Hold an exclusive lock on ``path`` for the block, or raise AlreadyRunning."""
    handle = open(path, "a+")  # noqa: SIM115 - held for the block
    try:
        try:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AlreadyRunning(path) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


@dataclass
class Child:
    name: str
    argv: list
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    backoff: float = BACKOFF_FIRST
    next_start: float = 0.0
    history: list = field(default_factory=list)  # (time, event) for the report


class Supervisor:
    def __init__(self, children, *, env=None, log=print, poll=0.5):
        self.children = [Child(name, list(argv)) for name, argv in children]
        self.env = env if env is not None else os.environ.copy()
        self.log = log
        self.poll = poll
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = None

    def start(self):
        for child in self.children:
            self._spawn(child)
        self.thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)
        self.thread.start()
        return self

    def _spawn(self, child):
        child.process = subprocess.Popen(child.argv, env=self.env,  # noqa: S603 - fixed arguments
                                         preexec_fn=die_with_parent(os.getpid()))  # noqa: PLW1509
        child.started_at = time.monotonic()
        child.history.append((time.time(), "started", child.process.pid))

    def _watch(self):
        # PR_SET_PDEATHSIG follows the thread that forked: children restarted here die
        # with this thread, which lives as long as the supervisor.
        while not self.stopping.wait(self.poll):
            with self.lock:
                for child in self.children:
                    try:
                        self._check(child)
                    except Exception as exc:  # noqa: BLE001 - keep supervising the others
                        self.log(f"cannot restart {child.name}: {exc}")

    def _check(self, child):
        now = time.monotonic()
        if child.process is not None and child.process.poll() is None:
            return
        if child.process is not None:  # just died
            code = child.process.returncode
            child.history.append((time.time(), "exited", code))
            ran = now - child.started_at
            if ran >= HEALTHY_AFTER:
                child.backoff = BACKOFF_FIRST
            child.next_start = now + child.backoff
            child.backoff = min(child.backoff * 2, BACKOFF_MAX)
            child.process = None
            self.log(f"{child.name} stopped (exit code {code}); restarting in {child.next_start - now:.0f} s")
        if now >= child.next_start and not self.stopping.is_set():
            child.restarts += 1
            self._spawn(child)

    def pids(self):
        return {child.name: child.process.pid for child in self.children if child.process is not None}

    def stop(self, timeout=20):
        """Stop every child together: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=5)
        with self.lock:
            running = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
            for process in running:
                process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout
            for process in running:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def background_commands(data_dir, python=sys.executable):
    """The worker and the scheduler of one machine (one scheduler per installation)."""
    celery = [python, "-m", "celery", "--quiet", "-A", "guanxi"]
    return [
        ("worker", [*celery, "worker", "--pool=solo", "--loglevel=ERROR", "-n", "worker@%h"]),
        ("scheduler", [*celery, "beat", "--loglevel=ERROR", "--pidfile", str(data_dir / "celerybeat.pid")]),
    ]
