"""A mixed workload against a running Guanxi (issue 15, point 7; issue 14, point 6): N
concurrent users, each signed in with its own session, request a weighted mix of pages
for a while; prints req/s and p50/p95/p99 per endpoint. Standard library only (threads +
http.client), so it runs against ``./run-demo`` or a production layout (gunicorn +
PostgreSQL) alike::

    python bench/load.py --base http://127.0.0.1:8000 --users 25 --seconds 60 \\
        --username chenzhiqiang --password 'Guanxi@2026' [--token gx_...]

    # issue 14.6: 100 users of ten roles, 80 % reads / 20 % writes, 10 minutes, and a
    # check afterwards that every acknowledged write is there (read back through the API)
    python bench/load.py --users 100 --seconds 600 --writes 0.2 --verify \\
        --usernames chenzhiqiang,linhui,wangjianguo,zhangmin,liyang,liuyang,huangli,...

Record identifiers (customers, an order) are taken from each user's first list pages, so
each user reads and writes within his own scope. Without ``--token`` (or ``--writes``,
which asks each user's token from ``POST /api/v1/auth/token``) the API list is left out.
Writes go through the API with an Idempotency-Key each — log an interaction on one of the
user's customers, write a note, create a customer — and are sent again with the same key
after a 502/503 or a dropped connection, as a real client does. Users who must pass
two-factor cannot be used.
"""

import argparse
import http.client
import json
import random
import re
import statistics
import threading
import time
import uuid
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode, urlsplit

KEYWORDS = ["华达", "科技", "贸易", "广州", "电子", "机械", "hd", "kj", "五金", "汽车"]
CITIES = ["广州", "深圳", "北京", "上海", "佛山", "东莞", "杭州", "成都"]
WORDS = ["华达", "宏图", "鑫源", "瑞丰", "恒通", "金桥", "远航", "博雅"]


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

    def request(self, method, path, body=None, headers=None, api=False, token=None):
        headers = dict(headers or {})
        if api:
            headers["Authorization"] = f"Bearer {token or self.token}"
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


def ids_on(session, list_path, pattern):
    status, page = session.request("GET", list_path)
    return list(dict.fromkeys(m.decode() for m in re.findall(pattern.encode(), page))) if status == 200 else []


def api_token(session, username, password):
    status, data = session.request("POST", "/api/v1/auth/token", json.dumps(
        {"username": username, "password": password}), {"Content-Type": "application/json"})
    if status != 200:
        raise SystemExit(f"no API token for {username} ({status}): {data[:200]!r}")
    return json.loads(data)["token"]


class User:
    """What one signed-in user reads and writes: the records of his own first list pages."""

    def __init__(self, args, username, with_api):
        probe = Session(args.base)
        probe.login(username, args.password)
        self.username = username
        self.token = args.token or (api_token(probe, username, args.password) if args.writes else None)
        self.customers = ids_on(probe, "/customers/", r'href="/customers/(\d+)/"')
        self.orders = ids_on(probe, "/sales/orders/", r'href="/sales/orders/(\d+)/"')
        self.mix = [entry for entry in self.reads(with_api or bool(self.token)) if self.allowed(probe, entry)]

    def allowed(self, probe, entry):
        """Leave out what this user may not open (his menu does not show it)."""
        _name, _weight, path, api = entry
        return probe.request("GET", path(), api=api, token=self.token)[0] not in (403, 404)

    def reads(self, with_api):
        mix = [  # (name, weight, path factory, api)
            ("customer list", 3, lambda: "/customers/", False),
            ("global search", 2, lambda: "/search/?q=" + quote(random.choice(KEYWORDS)), False),
            ("duplicate check", 2, lambda: "/customers/duplicates/inline/?name=" + quote(random.choice(KEYWORDS)),
             False),
            ("pipeline board", 1, lambda: "/sales/opportunities/", False),
            ("ageing", 1, lambda: "/finance/ageing/", False),
        ]
        if self.customers:
            mix.append(("customer detail", 2, lambda: f"/customers/{random.choice(self.customers)}/", False))
        if self.orders:
            mix.append(("order detail", 1, lambda: f"/sales/orders/{random.choice(self.orders)}/", False))
        if with_api:
            mix.append(("API list", 2, lambda: "/api/v1/customers", True))
        return mix

    def write(self, serial):
        """One write: (name, path, JSON body, path to read it back under, given its id)."""
        stamp = f"{self.username}-{serial}-{random.randrange(10 ** 9)}"
        choices = [("new note", "/api/v1/notes", {"title": f"压测笔记 {stamp}", "body": "负载测试写入"}, "/api/v1/notes/{}"),
                   ("new customer", "/api/v1/customers", {
                       "name": f"压测{random.choice(CITIES)}{random.choice(WORDS)}有限公司 {stamp}",
                       "mobile": f"13{random.randrange(10 ** 9):09d}"}, "/api/v1/customers/{}")]
        if self.customers:
            choices += [("log interaction", "/api/v1/interactions", {
                "customer_id": int(random.choice(self.customers)), "summary": f"电话回访 {stamp}"},
                "/api/v1/interactions/{}")] * 2
        return random.choice(choices)


def send_write(session, token, path, payload, retries=3):
    """POST with an Idempotency-Key; a 502/503 or a lost connection is sent again with the same key."""
    headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
    body = json.dumps(payload, ensure_ascii=False).encode()
    for attempt in range(retries + 1):
        try:
            status, data = session.request("POST", path, body, headers, api=True, token=token)
        except (http.client.HTTPException, OSError):
            status, data = 0, b""
        if status not in (0, 502, 503) or attempt == retries:
            return status, data
        time.sleep(0.5 * (attempt + 1))
    return status, data


def worker(args, user, deadline, results, acknowledged, lock):
    session = Session(args.base)
    session.login(user.username, args.password)
    names = [m[0] for m in user.mix for _ in range(m[1])]
    by_name = {m[0]: m for m in user.mix}
    serial = 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        if args.writes and random.random() < args.writes:
            serial += 1
            name, path, payload, read_back = user.write(serial)
            status, data = send_write(session, user.token, path, payload)
            ok = status == 201
            if ok:
                with lock:
                    acknowledged.append((user, name, read_back.format(json.loads(data)["id"])))
        else:
            name, _weight, path, api = by_name[random.choice(names)]
            try:
                status, _ = session.request("GET", path(), api=api, token=user.token)
            except (http.client.HTTPException, OSError):
                status = 0
            ok = status == 200
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            results.setdefault(name, []).append((elapsed, status, ok))


def verify(args, acknowledged):
    """Read every acknowledged write back through the API, as the user who made it."""
    sessions, missing = {}, []
    for user, name, path in acknowledged:
        session = sessions.setdefault(user.username, Session(args.base))
        status, _ = session.request("GET", path, api=True, token=user.token)
        if status != 200:
            missing.append((name, path, status))
    return missing


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--username", default="chenzhiqiang")
    parser.add_argument("--usernames", help="comma-separated: the simulated users take these in turn")
    parser.add_argument("--password", default="Guanxi@2026")
    parser.add_argument("--token", help="a personal access token for the API list (and writes)")
    parser.add_argument("--writes", type=float, default=0.0, help="share of requests that write (0.2 = 20 %%)")
    parser.add_argument("--verify", action="store_true", help="read every acknowledged write back afterwards")
    args = parser.parse_args()
    usernames = (args.usernames or args.username).split(",")
    people = [User(args, name, bool(args.token)) for name in usernames]
    results, acknowledged, lock = {}, [], threading.Lock()
    deadline = time.monotonic() + args.seconds
    threads = [threading.Thread(target=worker, args=(args, people[i % len(people)], deadline, results,
                                                     acknowledged, lock)) for i in range(args.users)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    total = sum(len(v) for v in results.values())
    errors = sum(1 for v in results.values() for *_rest, ok in v if not ok)
    print(f"{args.base}: {args.users} users ({len(people)} accounts), {wall:.1f} s, {total} requests, "
          f"{total / wall:.1f} req/s, {errors} errors")
    print(f"{'endpoint':<18}{'n':>7}{'req/s':>8}{'p50':>9}{'p95':>9}{'p99':>9}{'errors':>8}  ms")
    everything = []
    for name in sorted(results, key=lambda n: -len(results[n])):
        samples = [ms for ms, *_rest in results[name]]
        failed = [status for _ms, status, ok in results[name] if not ok]
        everything += samples
        print(f"{name:<18}{len(samples):>7}{len(samples) / wall:>8.1f}{statistics.median(samples):>9.1f}"
              f"{percentile(samples, 95):>9.1f}{percentile(samples, 99):>9.1f}{len(failed):>8}"
              + (f"  statuses {sorted(set(failed))}" if failed else ""))
    if everything:
        print(f"{'all':<18}{len(everything):>7}{len(everything) / wall:>8.1f}{statistics.median(everything):>9.1f}"
              f"{percentile(everything, 95):>9.1f}{percentile(everything, 99):>9.1f}{errors:>8}")
    if args.verify:
        missing = verify(args, acknowledged)
        print(f"acknowledged writes: {len(acknowledged)}, read back: {len(acknowledged) - len(missing)}, "
              f"missing: {len(missing)}" + (f" e.g. {missing[:5]}" if missing else ""))


if __name__ == "__main__":
    main()
