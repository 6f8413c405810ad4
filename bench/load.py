"""A mixed workload against a running Guanxi (issue 15, point 7): N concurrent users,
each signed in with its own session, request a weighted mix of pages for a while; prints
req/s and p50/p95/p99 per endpoint. Standard library only (threads + http.client), so it
runs against ``./run-demo`` or a production layout (gunicorn + PostgreSQL) alike::

    python bench/load.py --base http://127.0.0.1:8000 --users 25 --seconds 60 \\
        --username chenzhiqiang --password 'Guanxi@2026' [--token gx_...]

Record identifiers (a customer, an order) are taken from the first list pages. Without
``--token`` the API list is left out. Users who must pass two-factor cannot be used.
"""

import argparse
import http.client
import random
import re
import statistics
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode, urlsplit

KEYWORDS = ["华达", "科技", "贸易", "广州", "电子", "机械", "hd", "kj", "五金", "汽车"]


class Session:
    def __init__(self, base, token=None):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        self.https = parts.scheme == "https"
        self.cookies, self.token = {}, token
        self.conn = None

    def _connection(self):
        if self.conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            self.conn = cls(self.host, self.port, timeout=60)
        return self.conn

    def request(self, method, path, body=None, headers=None, api=False):
        headers = dict(headers or {})
        if api:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                conn = self._connection()
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn = None
                if attempt:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({key: morsel.value for key, morsel in cookie.items()})
        return response.status, data

    def login(self, username, password):
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        status, _ = self.request("POST", "/accounts/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": self.base_url() + "/accounts/login/"})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"sign-in failed for {username} ({status})")

    def base_url(self):
        return f"{'https' if self.https else 'http'}://{self.host}:{self.port}"


def first_id(session, list_path, pattern):
    status, page = session.request("GET", list_path)
    found = re.search(pattern.encode(), page)
    if status != 200 or not found:
        raise SystemExit(f"no record found on {list_path} ({status})")
    return found.group(1).decode()


def endpoints(session, with_api):
    customer = first_id(session, "/customers/", r'href="/customers/(\d+)/"')
    order = first_id(session, "/sales/orders/", r'href="/sales/orders/(\d+)/"')
    mix = [  # (name, weight, method, path factory, api)
        ("customer list", 3, lambda: "/customers/", False),
        ("customer detail", 2, lambda: f"/customers/{customer}/", False),
        ("global search", 2, lambda: "/search/?q=" + quote(random.choice(KEYWORDS)), False),
        ("duplicate check", 2, lambda: "/customers/duplicates/inline/?name=" + quote(random.choice(KEYWORDS)), False),
        ("pipeline board", 1, lambda: "/sales/opportunities/", False),
        ("order detail", 1, lambda: f"/sales/orders/{order}/", False),
        ("ageing", 1, lambda: "/finance/ageing/", False),
    ]
    if with_api:
        mix.append(("API list", 2, lambda: "/api/v1/customers", True))
    return mix


def worker(args, mix, deadline, results, lock):
    session = Session(args.base, args.token)
    session.login(args.username, args.password)
    names = [m[0] for m in mix for _ in range(m[1])]
    by_name = {m[0]: m for m in mix}
    while time.monotonic() < deadline:
        name, _weight, path, api = by_name[random.choice(names)]
        started = time.perf_counter()
        try:
            status, _ = session.request("GET", path(), api=api)
        except (http.client.HTTPException, OSError):
            status = 0
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            results.setdefault(name, []).append((elapsed, status))


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--username", default="chenzhiqiang")
    parser.add_argument("--password", default="Guanxi@2026")
    parser.add_argument("--token", help="a personal access token for the API list")
    args = parser.parse_args()
    probe = Session(args.base, args.token)
    probe.login(args.username, args.password)
    mix = endpoints(probe, bool(args.token))
    results, lock = {}, threading.Lock()
    deadline = time.monotonic() + args.seconds
    threads = [threading.Thread(target=worker, args=(args, mix, deadline, results, lock)) for _ in range(args.users)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    total = sum(len(v) for v in results.values())
    errors = sum(1 for v in results.values() for _ms, status in v if status != 200)
    print(f"{args.base}: {args.users} users, {wall:.1f} s, {total} requests, {total / wall:.1f} req/s, "
          f"{errors} errors")
    print(f"{'endpoint':<18}{'n':>6}{'req/s':>8}{'p50':>9}{'p95':>9}{'p99':>9}  ms")
    everything = []
    for name, _w, _p, _a in mix:
        samples = [ms for ms, _status in results.get(name, [])]
        everything += samples
        if samples:
            print(f"{name:<18}{len(samples):>6}{len(samples) / wall:>8.1f}{statistics.median(samples):>9.1f}"
                  f"{percentile(samples, 95):>9.1f}{percentile(samples, 99):>9.1f}")
    if everything:
        print(f"{'all':<18}{len(everything):>6}{len(everything) / wall:>8.1f}{statistics.median(everything):>9.1f}"
              f"{percentile(everything, 95):>9.1f}{percentile(everything, 99):>9.1f}")


if __name__ == "__main__":
    main()
