"""The monitoring page for administrators and the Prometheus endpoint (SYS-3, SYS-5)."""

import hmac

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from guanxi.core.permissions import PUBLIC, require

from . import monitoring


@require(monitoring.PERMISSION)
@never_cache
def monitoring_page(request):
    now = timezone.now()
    rows = monitoring.nodes(now)
    return render(request, "system/monitoring.html", {
        "nodes": rows, "alerts": monitoring.current_alerts(now), "stalled": monitoring.stalled_jobs(now),
        "interval": int(settings.MONITOR_INTERVAL),
    })


class NodeCollector:
    """Gauges read from every node's heartbeat row: one scrape covers the installation,
    whichever web process (of whichever machine) answers it."""

    FIGURES = [
        ("cpu_percent", "CPU used by the process, percent of one core"),
        ("memory_mb", "Resident memory of the process, MiB"),
        ("disk_free_percent", "Free space on the data directory's disk, percent"),
        ("queue_depth", "Messages waiting in the broker's default queue"),
        ("requests", "Requests in the last five minutes"),
        ("latency_p50_ms", "Median request time over the last five minutes, ms"),
        ("latency_p95_ms", "95th percentile request time over the last five minutes, ms"),
        ("slow_requests", "Slow requests in the last five minutes"),
        ("jobs_done", "Background jobs done since the process started"),
        ("job_failures", "Background jobs failed since the process started"),
    ]

    def collect(self):
        labels = ["node", "role", "host"]
        rows = monitoring.nodes()
        up = GaugeMetricFamily("guanxi_node_up", "1 while the node sends heartbeats", labels=labels)
        for row in rows:
            up.add_metric([row.node, row.role, row.host], 1 if row.alive else 0)
        yield up
        for field, text in self.FIGURES:
            family = GaugeMetricFamily(f"guanxi_node_{field}", text, labels=labels)
            for row in rows:
                value = getattr(row, field)
                if row.alive and value is not None:
                    family.add_metric([row.node, row.role, row.host], float(value))
            yield family
        alerts = GaugeMetricFamily("guanxi_alerts", "Conditions administrators are alerted about")
        alerts.add_metric([], len(monitoring.current_alerts()))
        yield alerts


def metrics_allowed(request):
    token = settings.METRICS_TOKEN
    auth = request.headers.get("Authorization", "")
    if token and auth[:7].lower() == "bearer " and hmac.compare_digest(auth[7:].strip(), token):
        return True
    return request.META.get("REMOTE_ADDR") in settings.METRICS_ALLOWED_ADDRESSES


@require(PUBLIC)
@csrf_exempt
@never_cache
def metrics(request):
    if not metrics_allowed(request):
        return HttpResponse(status=403)
    registry = CollectorRegistry()
    registry.register(NodeCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
