"""FIN-1 (acceptance): two people allocating at once never allocate more than is
outstanding. The two cashiers are separate processes with their own PostgreSQL
connections. SQLite is skipped: its in-memory test database locks whole tables across
connections (no busy wait), and the embedded default has one writer at a time anyway
(WAL, BEGIN IMMEDIATE), so there is no race to lose there."""

import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from guanxi.customers.services import customer_create
from guanxi.finance import services
from guanxi.finance.models import Allocation

ROOT = Path(__file__).resolve().parents[3]
CHILD = """
import json, os, sys, time
import django
django.setup()
from decimal import Decimal
from guanxi.core.errors import DomainError
from guanxi.finance import services
from guanxi.finance.models import Receipt, Receivable
from guanxi.org.models import User
actor = User.objects.get(username=sys.argv[1])
receipt = Receipt.objects.get(pk=int(sys.argv[2]))
mode = sys.argv[4]
allocations = "oldest" if mode == "oldest" else [(Receivable.objects.get(pk=int(sys.argv[3])), Decimal(mode))]
while time.time() < float(sys.argv[5]):
    time.sleep(0.001)
try:
    made = services.receipt_allocate(actor=actor, receipt=receipt, allocations=allocations)
    print(json.dumps({"ok": True, "amount": str(sum(a.amount for a in made))}))
except DomainError as exc:
    print(json.dumps({"ok": False, "error": str(exc.message)}))
"""


def _database_url():
    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def _race(jobs):
    """Run each (username, receipt id, receivable id, mode) at the same instant in its own
    process; return their results."""
    start = time.time() + 4.0  # every process waits for the same instant, after its start-up
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "guanxi.settings.test"}
    children = [subprocess.Popen([sys.executable, "-c", CHILD, *map(str, job), str(start)],  # noqa: S603
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for job in jobs]
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["800.00", "oldest"])
def test_two_cashiers_at_once_never_over_allocate(demo_org, mode):
    """FIN-1: a ¥1,000 receivable, two receipts of ¥800 allocated at the same moment by two
    people: ¥1,000 at most is allocated, and each receipt keeps what it could not place."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: separate processes on one database")
    seller, first, second = demo_org["liuyang"], demo_org["zhouhong"], demo_org["linhui"]
    customer = customer_create(actor=seller, name="并发收款客户")
    receivable = services.receivable_create(actor=first, customer=customer, amount="1000")
    receipts = [services.receipt_record(actor=first, customer=customer, amount="800", allocate=None)
                for _ in range(2)]
    results = _race([(first.username, receipts[0].pk, receivable.pk, mode),
                     (second.username, receipts[1].pk, receivable.pk, mode)])
    receivable.refresh_from_db()
    allocated = sum((a.amount for a in Allocation.objects.filter(receivable=receivable)), Decimal("0"))
    assert receivable.allocated == allocated <= receivable.amount
    if mode == "oldest":
        assert all(r["ok"] for r in results) and allocated == Decimal("1000.00")
        assert sorted(Decimal(r["amount"]) for r in results) == [Decimal("200.00"), Decimal("800.00")]
    else:
        assert sorted(r["ok"] for r in results) == [False, True] and allocated == Decimal("800.00")
    for receipt in receipts:
        receipt.refresh_from_db()
        assert receipt.allocated == sum((a.amount for a in receipt.allocations.all()), Decimal("0"))
