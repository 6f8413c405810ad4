"""SYS-4: `guanxi up` supervises its worker and scheduler."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.system import supervisor
from guanxi.system.supervisor import AlreadyRunning, Supervisor, single_instance

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def _wait(predicate, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_dead_child_is_restarted_with_back_off_and_all_stop_together(monkeypatch):
    """SYS-4: a killed worker comes back; quick deaths back off; stop ends every child."""
    monkeypatch.setattr(supervisor, "BACKOFF_FIRST", 0.2)
    sup = Supervisor([("worker", SLEEPER), ("scheduler", SLEEPER)], poll=0.05, log=lambda *_: None)
    sup.children[0].backoff = 0.2
    sup.start()
    try:
        first = sup.pids()
        os.kill(first["worker"], signal.SIGKILL)
        assert _wait(lambda: sup.pids().get("worker") not in (None, first["worker"]))
        assert sup.pids()["scheduler"] == first["scheduler"]  # the other one untouched
        worker = sup.children[0]
        assert worker.restarts == 1 and worker.backoff == 0.4  # the next quick death waits longer
    finally:
        sup.stop(timeout=5)
    assert not any(_alive(pid) for pid in [*first.values(), *sup.pids().values()])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_children_die_with_a_supervisor_killed_by_sigkill(tmp_path):
    """SYS-4: kill -9 of `guanxi up` leaves no orphaned worker or scheduler."""
    code = ("import sys, time; from guanxi.system.supervisor import Supervisor; "
            f"s = Supervisor([('worker', {SLEEPER!r}), ('scheduler', {SLEEPER!r})]).start(); "
            "print(*s.pids().values(), flush=True); time.sleep(120)")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,  # noqa: S603
                              env={**os.environ, "PYTHONPATH": os.getcwd()})
    pids = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(pids) == 2 and all(_alive(pid) for pid in pids)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert _wait(lambda: not any(_alive(pid) for pid in pids)), "orphaned children"


def test_one_guanxi_up_per_data_directory(tmp_path):
    """SYS-4: a second `guanxi up` on the same data directory refuses; the lock goes with
    the process however it dies."""
    lock = tmp_path / "up.lock"
    holder = subprocess.Popen([sys.executable, "-c", (  # noqa: S603
        "import sys, time; from guanxi.system.supervisor import single_instance\n"
        f"with single_instance({str(lock)!r}):\n    print('held', flush=True); time.sleep(120)")],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(AlreadyRunning), single_instance(lock):
        pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with single_instance(lock):
        assert lock.read_text() == str(os.getpid())


@pytest.mark.timeout(120)
def test_a_second_scheduler_refuses_while_one_lives_and_a_stale_pidfile_is_replaced(tmp_path):
    """SYS-4: never two schedulers: the beat pidfile keeps a second out; after kill -9 the
    stale pidfile does not keep the next one out."""
    env = {**os.environ, "GUANXI_DATA_DIR": str(tmp_path), "PYTHONPATH": os.getcwd()}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    (_name, command), = [c for c in supervisor.background_commands(tmp_path) if c[0] == "scheduler"]
    pidfile = tmp_path / "celerybeat.pid"
    first = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        assert _wait(pidfile.exists, 60), "the scheduler did not start"
        second = subprocess.run(command, env=env, capture_output=True, timeout=60)  # noqa: S603
        assert second.returncode != 0
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert pidfile.exists()  # stale
        third = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)  # noqa: S603
        try:
            assert _wait(lambda: pidfile.exists() and pidfile.read_text().strip() == str(third.pid), 60)
            assert third.poll() is None
        finally:
            third.terminate()
            third.wait(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()


def test_guanxi_up_refuses_to_start_twice_on_one_data_directory(settings, tmp_path):
    """SYS-4: `guanxi up` checks the lock before migrating or starting anything."""
    settings.DATA_DIR = tmp_path
    with single_instance(tmp_path / "up.lock"), pytest.raises(CommandError, match="already running"):
        call_command("up")
