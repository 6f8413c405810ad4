"""CUS-10: the history tab shows what changed in words people use."""

import re

from auditlog.models import LogEntry
from django.utils import translation

from guanxi.core.history import field_label, history_for
from guanxi.customers.services import customer_create
from guanxi.finance.models import Receivable
from guanxi.testing.sales import confirmed_order


def test_creation_entry_lists_own_fields_only(demo_org):
    """CUS-10: an order's creation shows its number and total, not "lines: sales.OrderLine.None"."""
    seller = demo_org["liuyang"]
    order = confirmed_order(seller, customer_create(actor=seller, name="历史客户"))
    created = history_for(order)[-1]
    values = {str(row["new"]) for row in created["changes"]}
    assert order.number in values
    assert not any(value.endswith(".None") for value in values)


def _changes(entry):
    return {str(row["field"]): (row["old"], row["new"]) for row in entry["changes"]}


def test_choices_show_their_labels_and_fields_their_verbose_names(demo_org):
    """CUS-10: a status change reads "草稿→已确认", not "draft→confirmed"."""
    seller = demo_org["liuyang"]
    order = confirmed_order(seller, customer_create(actor=seller, name="历史客户"))
    with translation.override("zh-hans"):
        entries = history_for(order)
        changes = {}
        for entry in reversed(entries):
            changes.update(_changes(entry))
        assert changes["状态"][1] == "已确认", changes
        assert "status" not in changes and "confirmed" not in {str(v[1]) for v in changes.values()}


def test_foreign_keys_show_the_related_record_and_empty_shows_a_dash(demo_org):
    """CUS-10: "客户 None→2001" shows the customer's name; an empty old value is "—"."""
    seller = demo_org["liuyang"]
    customer = customer_create(actor=seller, name="广州历史贸易有限公司")
    order = confirmed_order(seller, customer)
    with translation.override("zh-hans"):
        created = _changes(history_for(order)[-1])
    assert created["客户"] == ("—", "广州历史贸易有限公司"), created
    assert all(old == "—" for old, _new in created.values())


def test_times_are_local_without_microseconds(demo_org):
    """CUS-10: a recorded time is shown in Asia/Shanghai, to the minute or second."""
    seller = demo_org["liuyang"]
    order = confirmed_order(seller, customer_create(actor=seller, name="历史客户"))
    entry = LogEntry.objects.get_for_object(order).filter(action=LogEntry.Action.CREATE).get()
    entry.changes = {"created_at": ["None", "2026-12-04 01:30:15.123456+00:00"]}
    entry.save(update_fields=["changes"])
    with translation.override("zh-hans"):
        created = _changes(history_for(order)[-1])
    shown = next(new for field, (_old, new) in created.items() if field == "创建时间")
    assert "09:30" in str(shown) and "123456" not in str(shown) and not re.search(r"\+00:?00", str(shown))


def test_fields_without_a_verbose_name_are_still_translated(demo_org):
    """CUS-10: a receivable's "created by" reads 创建人 in Chinese."""

    with translation.override("zh-hans"):
        assert field_label(Receivable, "created_by") == "创建人"
    with translation.override("en"):
        assert field_label(Receivable, "created_by") == "created by"
