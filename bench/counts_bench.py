"""The customer list's capped count per scope at a million customers (issue 15.4).

The list shows its rows at once and fetches "N customers" (exact up to 10,000, else
"10,000+") in a second request; that count is ``core.pagination.capped_count`` over the
list's scoped queryset. This times it for a user of each scope kind of the demo
organization, and the customer list's first page (newest first) for the same users::

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gx_bench_counts
    python bench/clv_bench.py build --customers 1000000     # or any database with customers
    # realistic pool and shares: one customer in ten in the pool, shares for four people
    psql … -c "UPDATE customers_customer SET owner_id = NULL WHERE id % 10 = 0"
    psql … -c "INSERT INTO customers_customershare (customer_id, user_id, created_at, can_edit)
               SELECT c.id, u.id, now(), false FROM customers_customer c CROSS JOIN (SELECT id FROM
               org_user WHERE username IN ('liuyang','zhuwei','hanlei','wangjianguo')) u
               WHERE c.id % 197 = 1 AND c.owner_id IS NOT NULL AND c.owner_id <> u.id"
    vacuumdb --analyze-only …
    python bench/counts_bench.py [--repeat 30]
"""

import argparse
import os

from common import machine, setup_django, summary, timed

setup_django()

from django.db import connection  # noqa: E402

from guanxi.core.pagination import capped_count  # noqa: E402
from guanxi.customers import selectors  # noqa: E402
from guanxi.customers.models import Customer, CustomerShare  # noqa: E402
from guanxi.org.models import User  # noqa: E402

USERS = [("salesperson (own + shared + pool)", "liuyang"), ("sales manager (subordinates)", "wangjianguo"),
         ("key-account lead (department tree)", "zhangmin"), ("branch head (branch)", "majun"),
         ("chairman (everything)", "chenzhiqiang")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(machine())
    print(f"database: {connection.vendor}; customers {Customer.all_objects.count():,}, in the pool "
          f"{Customer.objects.filter(owner__isnull=True).count():,}, shares {CustomerShare.objects.count():,}; "
          f"load average {os.getloadavg()[0]:.2f}")
    for label, username in USERS:
        user = User.objects.get(username=username)
        queryset = selectors.customers_visible_to(user)
        count, capped = capped_count(queryset)
        summary(f"{label}: capped count", timed(lambda qs=queryset: capped_count(qs), args.repeat))
        page = queryset.order_by("-created_at", "-pk").values_list("pk", flat=True)[:26]
        summary(f"{label}: first page (26 ids)", timed(lambda p=page: list(p.all()), args.repeat))
        print(f"    count {count:,}{'+' if capped else ''}")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
