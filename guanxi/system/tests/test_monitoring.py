"""SYS-3, SYS-5: node heartbeats, the monitoring page, /metrics and alerts."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from guanxi.core.models import Notification
from guanxi.system import monitoring
from guanxi.system.models import NodeHeartbeat


def _node(name, role="worker", seconds_ago=0, **figures):
    return NodeHeartbeat.objects.create(node=name, role=role, host=name.split("@")[-1], pid=1,
                                        seen_at=timezone.now() - datetime.timedelta(seconds=seconds_ago), **figures)


def test_a_process_beats_with_its_figures(db, settings):
    """SYS-3: CPU, memory, disk, queue depth, request latency p50/p95 and job failures."""
    stats = monitoring.ProcessStats()
    for ms in [10] * 18 + [900, 3000]:
        stats.request(ms)
    stats.job(True)
    stats.job(False)
    figures = stats.snapshot()
    assert (figures["requests"], figures["latency_p50_ms"], figures["latency_p95_ms"]) == (20, 10, 900)
    assert (figures["slow_requests"], figures["job_failures"], figures["recent_job_failures"]) == (1, 1, 1)
    row = monitoring.beat("worker")
    assert row.node == monitoring.node_name("worker") and row.memory_mb > 0
    assert 0 <= row.disk_free_percent <= 100 and row.queue_depth is not None
    assert monitoring.beat("worker").pk == row.pk  # one row per process, updated


def test_requests_are_timed(demo_org, client_for, monkeypatch):
    """SYS-3: the latency middleware records every request of the web process.

    A fresh ProcessStats: on a slow run the shared one's five-minute window drops an old
    request while this one is added, and the count stays the same.
    """
    monkeypatch.setattr(monitoring, "stats", monitoring.ProcessStats())
    client = client_for(demo_org["zhaolei"])
    client.get("/healthz")
    figures = monitoring.stats.snapshot()
    assert figures["requests"] == 1 and figures["latency_p50_ms"] >= 0


def test_the_monitoring_page_is_for_administrators(demo_org, client_for):
    """SYS-3: administrators see every node, a stopped one marked; others are refused."""
    _node("worker@gz-1:1", seconds_ago=600)
    _node("web@gz-2:2", role="web", latency_p50_ms=12, latency_p95_ms=80, requests=40)
    page = client_for(demo_org["zhaolei"]).get("/system/monitoring/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "gz-1" in text and "gz-2" in text and "12 / 80 ms" in text
    assert client_for(demo_org["liuyang"]).get("/system/monitoring/").status_code == 403


def test_the_monitoring_page_empty_state(demo_org, client_for):
    NodeHeartbeat.objects.all().delete()
    assert "empty-state" in client_for(demo_org["zhaolei"]).get("/system/monitoring/").content.decode()


def test_metrics_for_prometheus_need_an_allowed_address_or_the_token(db, settings):
    """SYS-5: the Prometheus text format from every node's row; 403 to strangers."""
    settings.METRICS_TOKEN = "s3cret"
    _node("worker@gz-1:1", queue_depth=7)
    local = Client().get("/metrics")
    assert local.status_code == 200 and local["Content-Type"].startswith("text/plain")
    text = local.content.decode()
    assert 'guanxi_node_up{host="gz-1:1",node="worker@gz-1:1",role="worker"} 1.0' in text
    assert 'guanxi_node_queue_depth{host="gz-1:1",node="worker@gz-1:1",role="worker"} 7.0' in text
    stranger = Client(REMOTE_ADDR="10.0.0.9")
    assert stranger.get("/metrics").status_code == 403
    assert stranger.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert stranger.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_administrators_are_alerted_once_an_hour(demo_org, settings):
    """SYS-3: a dead worker, a growing queue, slow requests, failing jobs and low disk
    reach the administrators (not salespeople), once per alert and hour."""
    settings.MONITOR_QUEUE_ALERT = 100
    settings.MONITOR_SLOW_REQUEST_MS = 1000
    settings.MONITOR_DISK_FREE_ALERT_PERCENT = 10
    _node("worker@old:1", seconds_ago=900)
    _node("worker@busy:2", queue_depth=250, recent_job_failures=4, disk_free_percent=3.5)
    _node("web@slow:3", role="web", latency_p95_ms=2500)
    codes = {alert.code.split(":")[0] for alert in monitoring.check_and_alert()}
    assert codes == {"dead-worker", "queue", "failures", "slow", "disk"}
    admin = demo_org["zhaolei"]
    assert Notification.objects.filter(recipient=admin, kind="system.alert").count() == 5
    assert not Notification.objects.filter(recipient=demo_org["liuyang"], kind="system.alert").exists()
    monitoring.check_and_alert()
    assert Notification.objects.filter(recipient=admin, kind="system.alert").count() == 5


def test_other_modules_add_their_checks(demo_org, monkeypatch):
    """SYS-3: the hook the backup module uses to report failed backups."""
    monkeypatch.setattr(monitoring, "_checks", list(monitoring._checks))
    monitoring.register_check(lambda now: [monitoring.Alert("backup:7", "备份失败")])
    monitoring.check_and_alert()
    assert Notification.objects.filter(recipient=demo_org["zhaolei"], title="备份失败").exists()


@pytest.mark.parametrize("alive", [True, False])
def test_no_worker_at_all_is_an_alert(db, alive):
    _node("worker@a:1", seconds_ago=0 if alive else 900)
    codes = {alert.code for alert in monitoring.current_alerts()}
    assert ("no-worker" in codes) is not alive
