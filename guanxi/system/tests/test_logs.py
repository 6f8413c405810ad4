"""SYS-2: structured logs, the system log page, configuration changes audited, retention."""

import datetime
import json
import logging
import logging.config

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from guanxi.core.config_services import (
    custom_field_save,
    number_format_save,
    pick_item_save,
    print_template_save,
)
from guanxi.core.models import PickItem
from guanxi.settings.base import logging_config
from guanxi.system import log_handler
from guanxi.system.log_handler import DatabaseHandler, flush_all
from guanxi.system.logs import NEWLY_AUDITED, administrative_content_types, logs_purge
from guanxi.system.models import LogRecord


@pytest.fixture
def handler(settings):
    """The database handler LOGGING puts on the root logger, with storing turned on and
    fresh rate limits."""
    settings.GUANXI_LOG_TO_DATABASE = True
    settings.GUANXI_LOG_DB_RATE = 3
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, DatabaseHandler))
    handler.limits, handler.local.pending = log_handler._RateLimit(), []
    yield handler
    handler.local.pending = []


@pytest.mark.django_db
def test_warnings_errors_and_events_are_kept(handler):
    """SYS-2: warnings and errors of any module and runtime events are stored with their
    traceback; ordinary INFO and 4xx request warnings are not."""
    logger = logging.getLogger("guanxi.test")
    logger.warning("Disk almost full: %s%%", 93)
    try:
        raise ValueError("bad amount")
    except ValueError:
        logger.exception("Import failed")
    logger.info("just chatter")
    logging.getLogger("guanxi.events").info("Backup %s done", "x.gxbackup")
    logging.getLogger("django.request").warning("Not Found: /x", extra={"status_code": 404})
    handler.flush_pending(force=True)  # the test runs inside a transaction: write what waits
    rows = {row.message: row for row in LogRecord.objects.all()}
    assert set(rows) == {"Disk almost full: 93%", "Import failed", "Backup x.gxbackup done"}
    assert rows["Import failed"].kind == "error" and "ValueError: bad amount" in rows["Import failed"].details
    assert rows["Disk almost full: 93%"].kind == "warning"
    assert rows["Backup x.gxbackup done"].kind == "event"


@pytest.mark.django_db
def test_a_flood_of_one_message_is_rate_limited(handler, monkeypatch):
    """SYS-2: at most GUANXI_LOG_DB_RATE entries a minute per message; the next minute's
    first entry says how many were left out."""
    clock = [1000.0]
    monkeypatch.setattr(log_handler.time, "monotonic", lambda: clock[0])
    logger = logging.getLogger("guanxi.test")
    for number in range(50):
        logger.error("Mailbox unreachable (attempt %s)", number)
    logger.error("Another problem")
    clock[0] += 61
    logger.error("Mailbox unreachable (attempt %s)", 51)
    handler.flush_pending(force=True)
    flood = list(LogRecord.objects.filter(message__startswith="Mailbox").order_by("pk"))
    assert len(flood) == 4
    assert [row.suppressed for row in flood] == [0, 0, 0, 47]
    assert LogRecord.objects.filter(message="Another problem").exists()


@pytest.mark.django_db(transaction=True)
def test_an_error_in_a_rolled_back_transaction_is_kept(handler):
    """SYS-2: a record logged inside a transaction that rolls back waits and is written
    when the request or task ends."""
    with pytest.raises(RuntimeError), transaction.atomic():
        PickItem.objects.create(list_key="customers.industry", code="rolled_back", name_zh="x", name_en="x")
        logging.getLogger("guanxi.test").error("Order could not be saved")
        raise RuntimeError
    assert not PickItem.objects.filter(code="rolled_back").exists()
    flush_all()  # what request_finished / task_postrun call
    handler.flush_pending()
    assert LogRecord.objects.filter(message="Order could not be saved").count() == 1


def test_json_logs_are_one_object_per_line(capsys):
    """SYS-2: LOG_FORMAT=json writes one JSON object per record (python-json-logger)."""
    config = logging_config("json")
    config["handlers"].pop("system_log")
    config["root"]["handlers"] = ["console"]
    config["handlers"]["console"]["stream"] = "ext://sys.stdout"
    logger = logging.getLogger("guanxi.jsontest")
    before = logging.getLogger().handlers[:]
    logging.config.dictConfig(config)
    try:
        logger.warning("Queue depth %s", 120, extra={"queue": "celery"})
    finally:
        root = logging.getLogger()
        for added in root.handlers[:]:
            root.removeHandler(added)
        for previous in before:
            root.addHandler(previous)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["message"] == "Queue depth 120" and record["level"] == "WARNING"
    assert record["logger"] == "guanxi.jsontest" and record["queue"] == "celery" and record["time"]


@pytest.mark.django_db
def test_configuration_changes_are_audited(demo_org):
    """SYS-2: pick-lists, custom fields, numbering and print templates (and roles, already)
    leave audit entries with the actor, listed among the configuration changes."""
    admin = demo_org["zhaolei"]
    item = pick_item_save(actor=admin, list_key="customers.industry", code="drones", name_zh="无人机", name_en="Drones")
    pick_item_save(actor=admin, list_key="customers.industry", item=item, name_zh="无人机与航模", name_en="Drones")
    field = custom_field_save(actor=admin, entity="customers.customer", key="vip_level", label_zh="VIP 等级",
                              label_en="VIP level", field_type="text")
    number = number_format_save(actor=admin, doc_type="sales.order", prefix="SO", width=7, reset="monthly")
    template = print_template_save(actor=admin, doc_type="sales.quote", name="简洁版",
                                   html="<h1>{{ document.number }}</h1>")
    for record in (item, field, number, template):
        entries = LogEntry.objects.get_for_object(record)
        assert entries.exists(), type(record).__name__
        assert entries.first().actor == admin
    assert LogEntry.objects.get_for_object(item).count() == 2
    types = set(administrative_content_types())
    for label in NEWLY_AUDITED + ["org.Role", "org.User"]:
        app, model = label.split(".")
        assert ContentType.objects.get_by_natural_key(app, model.lower()) in types, label


@pytest.mark.django_db
def test_system_log_pages_for_administrators_only(demo_org, client_for):
    """SYS-2: the administrator sees warnings, errors and events with search and filters,
    and the configuration changes; other roles get 403 and see nothing."""
    LogRecord.objects.create(kind="error", level="ERROR", logger="guanxi.imports", message="Import 12 failed")
    LogRecord.objects.create(kind="warning", level="WARNING", logger="axes", message="Locked out: liuyang")
    LogRecord.objects.create(kind="event", level="INFO", logger="guanxi.events", message="Backup a.gxbackup done")
    with set_actor(demo_org["zhaolei"]):
        PickItem.objects.create(list_key="customers.industry", code="robots", name_zh="机器人配置项", name_en="Robots")
    admin = client_for(demo_org["zhaolei"])
    body = admin.get(reverse("system:logs")).content.decode()
    assert "Import 12 failed" in body and "Locked out: liuyang" in body and "Backup a.gxbackup done" in body
    errors = admin.get(reverse("system:logs"), {"kind": "error"}).content.decode()
    assert "Import 12 failed" in errors and "Locked out" not in errors
    found = admin.get(reverse("system:logs"), {"q": "liuyang"}).content.decode()
    assert "Locked out: liuyang" in found and "Import 12" not in found
    changes = admin.get(reverse("system:configuration_changes")).content.decode()
    assert "机器人配置项" in changes
    for username in ("linhui", "majun", "liuyang", "zhouhong"):
        other = client_for(demo_org[username])
        for name in ("system:logs", "system:configuration_changes"):
            response = other.get(reverse(name))
            assert response.status_code == 403 and "Import 12 failed" not in response.content.decode()


@pytest.mark.django_db
def test_retention_deletes_old_log_entries(settings):
    """SYS-2 retention: the nightly job deletes system log entries older than
    GUANXI_LOG_RETENTION_DAYS; audit entries stay unless their own retention is set."""
    settings.GUANXI_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    old = LogRecord.objects.create(kind="error", level="ERROR", logger="x", message="old",
                                   created_at=now - datetime.timedelta(days=31))
    recent = LogRecord.objects.create(kind="error", level="ERROR", logger="x", message="recent",
                                      created_at=now - datetime.timedelta(days=29))
    with set_actor(None):
        PickItem.objects.create(list_key="customers.industry", code="old_config", name_zh="旧", name_en="Old")
    LogEntry.objects.update(timestamp=now - datetime.timedelta(days=400))
    assert logs_purge(now) == {"log": 1}
    assert not LogRecord.objects.filter(pk=old.pk).exists() and LogRecord.objects.filter(pk=recent.pk).exists()
    assert LogEntry.objects.exists()
    settings.GUANXI_AUDIT_RETENTION_DAYS = 365
    assert logs_purge(now)["audit"] >= 1
    assert not LogEntry.objects.exists()
