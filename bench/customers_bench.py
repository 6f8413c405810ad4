"""Customer benchmarks (issue 3): a realistic million-customer data set, the import
against PostgreSQL COPY, the duplicate check, and the customer list.

    export GUANXI_DATA_DIR=/tmp/bench-pg DATABASE_URL=postgres://postgres@127.0.0.1/guanxi_bench
    python bench/customers_bench.py generate --rows 1000000 --csv build/customers.csv
    python bench/customers_bench.py import --csv build/customers.csv      # through the real import job
    python bench/customers_bench.py copy --csv build/customers.csv        # PostgreSQL COPY baseline
    python bench/customers_bench.py dup --queries 1000
    python bench/customers_bench.py list

Every command prints the machine, the database and the data size.
"""

import argparse
import csv
import random
import resource
import sys
import time

from common import machine, setup_django, summary, timed, unique_customer_name

HEADER = ["客户名称", "手机", "电话", "邮箱", "省份", "城市", "行业", "客户分类", "负责人"]


def generate(args):
    sys.path.insert(0, ".")
    setup_django()
    from guanxi.customers import regions
    from guanxi.customers.namegen import landline, mobile
    from guanxi.org.demo import EMPLOYEES

    rng = random.Random(args.seed)
    sellers = [e[0] for e in EMPLOYEES if "salesperson" in e[4] or "sales_assistant" in e[4]]
    industries = ["制造业", "批发零售", "信息技术", "建筑工程", "交通物流", "食品饮料", "医疗健康", "能源化工"]
    seen = set()
    with open(args.csv, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        written = 0
        while written < args.rows:
            name, _industry, province, city = unique_customer_name(rng, seen)
            writer.writerow([
                name, mobile(rng) if rng.random() < 0.8 else "", landline(rng, province) if rng.random() < 0.3 else "",
                f"c{written}@example{rng.randint(1, 9999)}.cn" if rng.random() < 0.3 else "",
                regions.name(province), regions.name(city), rng.choice(industries),
                rng.choice(["客户", "潜在客户", "客户", "合作伙伴"]),
                rng.choice(sellers) if rng.random() < 0.9 else "公海",
            ])
            written += 1
    print(f"{written} rows written to {args.csv}")


def _prepare_database():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from guanxi.org import demo

    return demo.build()


def import_rows(args):
    setup_django()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from guanxi.core.import_jobs import import_run, import_start, import_upload
    from guanxi.customers.models import Customer

    users = _prepare_database()
    actor = users["chenzhiqiang"]
    before = Customer.objects.count()
    with open(args.csv, "rb") as handle:
        upload = SimpleUploadedFile("customers.csv", handle.read(), content_type="text/csv")
    started = time.perf_counter()
    job = import_upload(actor=actor, entity="customers.customer", upload=upload)
    uploaded = time.perf_counter()
    job = import_start(actor=actor, job=job, mapping=job.mapping, options={})
    import_run(job.pk)
    job.refresh_from_db()
    finished = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{connection.vendor}; {machine()}")
    print(f"import of {job.total_rows} rows: upload+count {uploaded - started:.1f} s, run {finished - uploaded:.1f} s, "
          f"total {finished - started:.1f} s ({job.total_rows / (finished - started):.0f} rows/s); created "
          f"{job.created_count}, duplicates {job.duplicate_count}, errors {job.error_count}; "
          f"customers {before} → {Customer.objects.count()}; peak RSS {rss:.0f} MB")


def copy_baseline(args):
    """COPY the same file into a table shaped and indexed like customers_customer."""
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("COPY is a PostgreSQL baseline")
        return
    _prepare_database()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute("CREATE TABLE bench_copy (LIKE customers_customer INCLUDING ALL)")
        cursor.execute("ALTER TABLE bench_copy ADD COLUMN province_name text, ADD COLUMN city_name text, "
                       "ADD COLUMN industry_name text, ADD COLUMN category_name text, ADD COLUMN owner_name text")
        # Same columns and indexes (the GIN index included); Django's defaults live in Python, so
        # let the columns COPY does not fill be empty.
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'bench_copy' "
                       "AND is_nullable = 'NO' AND column_name <> 'id'")
        for (column,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE bench_copy ALTER COLUMN "{column}" DROP NOT NULL')  # noqa: S608
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'bench_copy'")
        indexes = cursor.fetchone()[0]
        started = time.perf_counter()
        with cursor.copy(
            "COPY bench_copy (name, mobile, phone, email, province_name, city_name, industry_name, category_name, "
            "owner_name) FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy, open(args.csv, "rb") as handle:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_copy")
    print(f"postgresql; {machine()}")
    print(f"COPY of {rows} rows into a copy of customers_customer with its {indexes} indexes: {elapsed:.1f} s "
          f"({rows / elapsed:.0f} rows/s)")


def copy_computed(args):
    """COPY the same rows with the columns Guanxi computes (normalized name, tokens…)
    filled in beforehand: what loading costs once the duplicate-check index is real."""
    setup_django()
    import tempfile

    from django.db import connection

    from guanxi.customers.normalize import name_core, normalize_name, phone_or_none
    from guanxi.customers.tokens import name_tokens

    if connection.vendor != "postgresql":
        print("COPY is a PostgreSQL baseline")
        return
    _prepare_database()
    started = time.perf_counter()
    out = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="")  # noqa: SIM115
    writer = csv.writer(out)
    seen = set()
    with open(args.csv, encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            norm = normalize_name(row[0])
            if norm in seen:  # the rows the import keeps: exact duplicates are skipped there too
                continue
            seen.add(norm)
            writer.writerow([row[0], norm, name_core(norm), " ".join(name_tokens(norm)), row[1],
                             phone_or_none(row[1]) or "", row[2], phone_or_none(row[2]) or "", row[3], row[3].lower()])
    out.close()
    prepared = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute("CREATE TABLE bench_copy (LIKE customers_customer INCLUDING ALL)")
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'bench_copy' "
                       "AND is_nullable = 'NO' AND column_name <> 'id'")
        for (column,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE bench_copy ALTER COLUMN "{column}" DROP NOT NULL')  # noqa: S608
        started = time.perf_counter()
        with cursor.copy("COPY bench_copy (name, name_norm, name_core, search_tokens, mobile, mobile_norm, phone, "
                         "phone_norm, email, email_norm) FROM STDIN WITH (FORMAT csv)") as copy, \
                open(out.name, "rb") as handle:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        loaded = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_copy")
    import os

    os.unlink(out.name)
    print(f"postgresql; {machine()}")
    print(f"computing the matching columns of {rows} rows in Python: {prepared:.1f} s; COPY of them with the "
          f"real tokens into the indexed table: {loaded:.1f} s")


def _keywords(rng, names, count, length):
    keywords = []
    while len(keywords) < count:
        name = rng.choice(names)
        if len(name) >= length:
            start = rng.randrange(0, len(name) - length + 1)
            keywords.append(name[start:start + length])
    return keywords


def duplicate_check(args):
    setup_django()
    from django.db import connection

    from guanxi.customers import selectors
    from guanxi.customers.models import Customer
    from guanxi.customers.pinyin import is_han, readings

    users = _prepare_database()
    user = users["liuyang"]
    total = Customer.objects.count()
    rng = random.Random(5)
    sample = list(Customer.objects.order_by("?").values_list("name_norm", flat=True)[:5000]) if \
        connection.vendor == "postgresql" else [n for (n,) in Customer.objects.values_list("name_norm")[:: max(
            1, total // 5000)]]
    print(f"{connection.vendor}, {total} customers; {machine()}")
    results = {}
    for length in (2, 3, 4):
        keywords = _keywords(rng, [n for n in sample if all(is_han(c) for c in n)], args.queries // 3, length)
        samples = timed_each(lambda kw: selectors.duplicate_check(user, name=kw, limit=10), keywords)
        results[length] = summary(f"duplicate check, {length}-character keywords", samples)
    initials = []
    while len(initials) < args.queries // 4:
        name = rng.choice(sample)
        if len(name) >= 4 and all(is_han(c) for c in name[:4]):
            initials.append("".join(readings(c)[0][0] for c in name[:4]))
    summary("duplicate check, 4-letter pinyin initials", timed_each(
        lambda kw: selectors.duplicate_check(user, name=kw, limit=10), initials))
    full = []
    while len(full) < args.queries // 10:
        name = rng.choice(sample)
        if len(name) >= 3 and all(is_han(c) for c in name[:3]):
            full.append("".join(readings(c)[0] for c in name[:3]))
    summary("duplicate check, full pinyin of 3 characters", timed_each(
        lambda kw: selectors.duplicate_check(user, name=kw, limit=10), full))
    # No false negatives: the index answers exactly what a full scan would.
    checked = 0
    for keyword in _keywords(rng, sample, args.verify, 2) + _keywords(rng, sample, args.verify, 3):
        expected = set(Customer.objects.filter(name_norm__contains=keyword).values_list("pk", flat=True))
        found = set(selectors.customer_search(Customer.objects.all(), keyword).values_list("pk", flat=True))
        assert found == expected, (keyword, len(found), len(expected))
        checked += 1
    print(f"no false negatives: {checked} keywords, index results equal a full scan")
    return results


def timed_each(func, items):
    samples = []
    for item in items:
        started = time.perf_counter()
        func(item)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def customer_list(args):
    setup_django()
    import re

    from django.db import connection
    from django.test import Client

    from guanxi.customers.models import Customer

    users = _prepare_database()
    print(f"{connection.vendor}, {Customer.objects.count()} customers; {machine()}")
    for username in ("liuyang", "wangjianguo", "majun", "chenzhiqiang"):
        client = Client()
        client.force_login(users[username])
        summary(f"customer list page 1 ({username})", timed(lambda c=client: c.get("/customers/"), args.repeat))
        url = "/customers/?province=44&category=customer"
        html = client.get(url).content.decode()
        for _ in range(args.depth):
            match = re.search(r'rel="next" href="([^"]+)"', html)
            if not match:
                break
            url = "/customers/" + match.group(1).replace("&amp;", "&")
            html = client.get(url).content.decode()
        summary(f"customer list page {args.depth + 1}, 2 filters ({username})",
                timed(lambda c=client, u=url: c.get(u), args.repeat))
        summary(f"capped count, 2 filters ({username})",
                timed(lambda c=client: c.get("/customers/?province=44&category=customer&count=1"), args.repeat))
        summary(f"list search 华达 ({username})", timed(lambda c=client: c.get("/customers/?q=华达"), args.repeat))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("generate")
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--csv", default="build/customers.csv")
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("import")
    p.add_argument("--csv", default="build/customers.csv")
    p = sub.add_parser("copy")
    p.add_argument("--csv", default="build/customers.csv")
    p = sub.add_parser("copy-computed")
    p.add_argument("--csv", default="build/customers.csv")
    p = sub.add_parser("dup")
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--verify", type=int, default=25)
    p = sub.add_parser("list")
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--depth", type=int, default=20)
    args = parser.parse_args()
    {"generate": generate, "import": import_rows, "copy": copy_baseline, "copy-computed": copy_computed,
     "dup": duplicate_check, "list": customer_list}[args.command](args)


if __name__ == "__main__":
    main()
