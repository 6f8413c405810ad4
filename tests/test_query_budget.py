"""probe"""
import os

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from guanxi.core.listing import ListPageView
from guanxi.customers import demo as customers_demo
from guanxi.finance import demo as finance_demo
from guanxi.finance import demo_pay
from guanxi.org import demo as org_demo
from guanxi.sales import demo as sales_demo
from guanxi.service import demo as service_demo
from guanxi.workplace import demo as workplace_demo
from guanxi.workplace import demo_day


def list_routes():
    out = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                cls = getattr(p.callback, "view_class", None)
                if cls and issubclass(cls, ListPageView) and not p.pattern.regex.groups:
                    out.append("/" + prefix + str(p.pattern))
    walk(get_resolver().url_patterns, "")
    return out


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            users = org_demo.build()
            workplace_demo.build(per_user=1)
            customers_demo.build(total=40)
            for module in (sales_demo, finance_demo, demo_pay, service_demo, demo_day):
                module.build()
            yield users
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(world, db):
    return world


def _count(client, url):
    client.get(url)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [q["sql"].replace("\n", " ") for q in ctx.captured_queries]


@pytest.mark.parametrize("url", list_routes())
@pytest.mark.parametrize("username", ["chenzhiqiang", "liuyang"])
def test_probe(username, url, demo):
    client = Client()
    client.force_login(demo[username])
    r, qs = _count(client, url)
    rows = r.context["rows"] if r.status_code == 200 and r.context and "rows" in r.context else []
    lines = [f"LIST {url} {r.status_code} rows={len(rows)} q={len(qs)}"]
    if len(qs) > 6:
        open(f"/tmp/perf/{username}-{url.replace('/', '_')}.sql", "w").write("\n".join(qs))
    detail = next((row["url"] for row in rows if row["url"]), None)
    if detail:
        r2, qs2 = _count(client, detail)
        lines.append(f"  DETAIL {detail} {r2.status_code} q={len(qs2)}")
        if len(qs2) > 10:
            open(f"/tmp/perf/{username}-{detail.replace('/', '_')}.sql", "w").write("\n".join(qs2))
    with open(f"/tmp/perf/{username}.txt", "a") as f:
        f.write("\n".join(lines) + "\n")
