"""Give the customers of a bench database realistic Chinese names, regions, mobile
numbers, creation times spread over three years, and the derived columns the product keeps (normalized name, name core, search
tokens, normalized mobile), so a load test at scale searches and checks duplicates over
data like a company's (issue 14.6). The generators that build a million customers fast
(`bench/clv_bench.py build`) write placeholder names ("基准客户0000001"); this rewrites
them in place, by batches, with the product's own normalization and tokens::

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gx_bench_load
    python bench/realistic_customers.py [--batch 50000] [--seed 7]

PostgreSQL only (COPY into a temporary table, one UPDATE … FROM per batch).
"""

import argparse
import datetime
import io
import random
import time

from common import setup_django, unique_customer_name

setup_django()

from django.db import connection, transaction  # noqa: E402

from guanxi.customers.normalize import name_core, normalize_name  # noqa: E402
from guanxi.customers.tokens import name_tokens  # noqa: E402

NOW = datetime.datetime.now(datetime.UTC)


def rows_for(ids, rng, seen, norms):
    """The new columns of each customer; normalized names are unique (as the product keeps them)."""
    for pk in ids:
        name, _industry, province, city = unique_customer_name(rng, seen)
        norm = normalize_name(name)[:200]
        while norm in norms:
            name, _industry, province, city = unique_customer_name(rng, seen)
            norm = normalize_name(name)[:200]
        norms.add(norm)
        mobile = f"1{rng.choice('3456789')}{rng.randrange(10 ** 9):09d}"
        created = NOW - datetime.timedelta(seconds=rng.randrange(3 * 365 * 86400))
        yield (pk, name, norm, name_core(norm), " ".join(name_tokens(norm)), province or "", city or "",
               mobile, "+86" + mobile, created.isoformat())


def copy_text(rows):
    out = io.StringIO()
    for row in rows:
        out.write("\t".join(str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ") for v in row))
        out.write("\n")
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng, seen, norms = random.Random(args.seed), set(), set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM customers_customer ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
    started = time.monotonic()
    for first in range(0, len(ids), args.batch):
        chunk = ids[first:first + args.batch]
        text = copy_text(rows_for(chunk, rng, seen, norms))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE realistic (id bigint, name text, name_norm text, name_core text, "
                           "search_tokens text, province text, city text, mobile text, mobile_norm text, "
                           "created_at timestamptz) "
                           "ON COMMIT DROP")
            with cursor.copy("COPY realistic FROM STDIN") as copy:
                copy.write(text)
            cursor.execute("UPDATE customers_customer c SET name = r.name, name_norm = r.name_norm, "
                           "name_core = r.name_core, search_tokens = r.search_tokens, province = r.province, "
                           "city = r.city, mobile = r.mobile, mobile_norm = r.mobile_norm, created_at = r.created_at "
                           "FROM realistic r WHERE c.id = r.id")
        print(f"  {first + len(chunk):,} of {len(ids):,} ({time.monotonic() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")


if __name__ == "__main__":
    main()
