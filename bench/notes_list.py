"""Benchmark the list kit over the scope helper: the notes list (first page and a deep
page with a filter) for users of every scope, against a raw-SQL baseline.

    GUANXI_DATA_DIR=/tmp/bench DATABASE_URL=... python bench/notes_list.py --rows 200000
"""

import argparse
import random
import re

from common import machine, setup_django, summary, timed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    setup_django()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from guanxi.org import demo
    from guanxi.org.models import User
    from guanxi.workplace.models import Note

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    users = demo.build()
    have = Note.all_objects.count()
    if have < args.rows:
        rng = random.Random(1)
        owners = list(User.objects.filter(branch__isnull=False))
        batch = []
        for i in range(have, args.rows):
            owner = rng.choice(owners)
            batch.append(Note(title=f"拜访记录 {i}", category=rng.choice(["general", "visit", "meeting", "idea"]),
                              owner=owner, branch_id=owner.branch_id, created_by=owner))
            if len(batch) == 10_000:
                Note.objects.bulk_create(batch)
                batch = []
        Note.objects.bulk_create(batch)
    from guanxi.system.services import database_optimize

    database_optimize()  # what the nightly job does on SQLite
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # autovacuum would, some time after a bulk load
    print(f"{connection.vendor}, {Note.all_objects.count()} notes; {machine()}")
    for username in ("liuyang", "wangjianguo", "majun", "chenzhiqiang"):
        client = Client()
        client.force_login(users[username])
        first = client.get("/work/notes/").content.decode()
        summary(f"list page 1 ({username})", timed(lambda c=client: c.get("/work/notes/"), args.repeat))
        url = "/work/notes/?category=visit"
        html = client.get(url).content.decode()
        for _ in range(20):  # walk 20 pages deep
            match = re.search(r'rel="next" href="([^"]+)"', html)
            if not match:
                break
            url = "/work/notes/" + match.group(1).replace("&amp;", "&")
            html = client.get(url).content.decode()
        summary(f"list page 21, filtered ({username})", timed(lambda c=client, u=url: c.get(u), args.repeat))
        summary(f"capped count, filtered ({username})",
                timed(lambda c=client: c.get("/work/notes/?category=visit&count=1"), args.repeat))
        assert "list-table" in first
    with connection.cursor() as cursor:
        def raw():
            cursor.execute(
                "SELECT id, title FROM workplace_note WHERE deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 26"
            )
            cursor.fetchall()
        summary("raw SQL baseline, first page", timed(raw, args.repeat))


if __name__ == "__main__":
    main()
