"""Python CPU and queries of one request per page (issue 15, point 1), in process with
Django's test client against the database in the environment (e.g. the data directory of
``./run-demo``)::

    GUANXI_DATA_DIR=… python bench/request_cpu.py --user chenzhiqiang --repeat 40

Prints, per page, the median CPU time of the process (``time.process_time``: this
process's work only, not waiting for the database or another process), the median wall
time and the number of queries.
"""

import argparse
import re
import statistics
import time

from common import setup_django

PAGES = ["/customers/", "/customers/{customer}/", "/search/?q=华达", "/customers/duplicates/inline/?name=科技",
         "/sales/opportunities/", "/sales/orders/{order}/", "/finance/ageing/", "/sales/orders/", "/service/tickets/"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="chenzhiqiang")
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from guanxi.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=args.user))
    ids = {"customer": re.search(r'href="/customers/(\d+)/"', client.get("/customers/").content.decode()).group(1),
           "order": re.search(r'href="/sales/orders/(\d+)/"', client.get("/sales/orders/").content.decode()).group(1)}
    print(f"user {args.user}, {args.repeat} runs a page, median")
    print(f"{'page':<42}{'CPU ms':>8}{'wall ms':>9}{'queries':>9}")
    for page in PAGES:
        url = page.format(**ids)
        client.get(url)
        cpu, wall = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"{url[:42]:<42}{statistics.median(cpu):>8.1f}{statistics.median(wall):>9.1f}{len(queries):>9}")


if __name__ == "__main__":
    main()
