"""Crawl acceptance (issue 11): every demo role opens every menu page in Chinese and in
English; no page offers a link the user may not follow, and the Chinese pages show no
English the catalogue translates. Issue 16.3: no GET of the crawl writes to the database.

The demo is built with fewer customers than ``guanxi demo`` (every module's builder runs,
on 40 customers instead of 2,000: ``guanxi.testing.world``), once per test process, and
replayed for each role.
"""

import re
from collections import defaultdict
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve

import guanxi
from guanxi.core.navigation import menu_for

# One person per distinct set of demo roles.
ROLES = ["chenzhiqiang", "zhaolei", "wangjianguo", "liuyang", "huangli", "zhouhong", "gaoyan", "wuqiang",
         "xuting", "majun"]
# Links whose GET changes the session rather than showing a page.
SKIP_PATHS = ("/accounts/logout/", "/i18n/", "/static/", "/media/")
PER_ROUTE = 2  # links checked per URL pattern and role: enough to meet object-level rules
# A write: the statement and its table. Signing in may write the session, the last login
# and django-axes' records, and a page may fill the cache (a table in the embedded default);
# nothing else may change on a GET.
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
MAY_WRITE = re.compile(r'^(?:django_session|axes_\w+|guanxi_cache)$')  # the cache is not the record
# Known offenders, by route and table (none left).
KNOWN_GET_WRITES: dict[str, set[str]] = {}
LAST_LOGIN = re.compile(r'^\s*UPDATE\s+"?org_user"?\s+SET\s+"?last_login"?\s*=\s*%s\s+WHERE', re.IGNORECASE)
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z' -]*[A-Za-z]")
PLACEHOLDER = re.compile(r"\{\{.*?\}\}")  # an e-mail template's {{ customer.name }}: code, not words


@pytest.fixture
def demo(demo_world):
    return demo_world


class _Page(HTMLParser):
    """Collect the visible text and the addresses a page offers (links, forms, htmx)."""

    # Not text to translate: code, user input, and identifiers shown as <code> (a role's code).
    HIDDEN = {"script", "style", "template", "textarea", "code"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self.links, self._hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        for name in ("href", "hx-get", "hx-post", "hx-delete", "hx-put", "hx-patch", "action"):
            if attrs.get(name) and not (tag == "link" and name == "href"):
                self.links.append(attrs[name])
        for name in ("placeholder", "aria-label", "title"):
            if attrs.get(name):
                self.texts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data)


def _catalogue_english():
    """Return (untranslated msgids, {casefolded English msgid: msgid}) of the zh_Hans catalogue.

    Only msgids the catalogue translates into something else count, and only ones made
    of words (not "CSV", "OK", "%(n)s"): those are what a Chinese page must never show.
    """
    po = polib.pofile(str(Path(guanxi.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    untranslated, english = set(), {}
    for entry in po:
        if entry.obsolete or entry.msgid_plural:
            continue
        if not entry.msgstr:
            untranslated.add(entry.msgid)
        elif entry.msgstr != entry.msgid and "%" not in entry.msgid and "{" not in entry.msgid \
                and re.fullmatch(r"[A-Za-z][A-Za-z ,.'’()/-]*[A-Za-z.)]", entry.msgid) \
                and len(entry.msgid) >= 4 and not entry.msgid.isupper():
            english[entry.msgid.casefold()] = entry.msgid
    return untranslated, english


def _client(user, language):
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _route(path):
    try:
        return resolve(path).route
    except Resolver404:
        return None


def _inspect(html, url, username, untranslated, english, failures):
    """Report English a Chinese page shows; return the addresses it offers."""
    page = _Page()
    page.feed(html)
    for text in page.texts:
        text = " ".join(PLACEHOLDER.sub(" ", text).split())
        if text in untranslated or text.casefold() in english:
            failures.append(f"{username} {url}: untranslated {text!r}")
        elif CJK.search(text):  # English words inside Chinese text ("统计维度 Person")
            for phrase in ENGLISH_RUN.findall(text):
                if phrase.casefold() in english:
                    failures.append(f"{username} {url}: untranslated {phrase!r} in {text!r}")
    targets = []
    for link in page.links:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP_PATHS):
            continue
        targets.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return targets


@contextmanager
def _writes():
    """Collect the tables written by the statements run inside the block (issue 16.3)."""
    tables = []

    def record(execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match and not MAY_WRITE.match(match[1]) and not LAST_LOGIN.match(sql):
            tables.append(match[1])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield tables


def _get(client, url, username, failures):
    """GET ``url``; a write to the database is a failure (GET never writes)."""
    with _writes() as tables:
        response = client.get(url)
    if set(tables) - KNOWN_GET_WRITES.get(_route(urlsplit(url).path), set()):
        failures.append(f"{username} GET {url} writes to {', '.join(sorted(set(tables)))}")
    return response


@pytest.mark.parametrize("username", ROLES)
def test_every_role_opens_every_menu_page_in_both_languages(demo, username):
    """ORG-5, issue 11: 200 everywhere, no link that answers 403, no English in Chinese.

    Menu pages are read in both languages; in Chinese, the links they offer are followed
    (a few per URL pattern) and the first page of each pattern is read in turn, so the
    buttons of detail pages (ship, record a receipt) are checked too. Issue 16.3: none of
    these GETs writes to the database (sessions, last login and lockout records aside).
    One test per role, so the crawl spreads over the test workers.
    """
    untranslated, english = _catalogue_english()
    failures = []
    user = demo[username]
    pages = [item.url() for _section, items in menu_for(user) for item in items]
    assert pages, username
    for url in pages:
        response = _get(_client(user, "en"), url, username, failures)
        if response.status_code != 200:
            failures.append(f"{username} en {url}: status {response.status_code}")
    client = _client(user, "zh-hans")
    checked, read, seen = defaultdict(int), set(), set(pages)
    queue = [(url, 0, None) for url in pages]
    while queue:
        url, depth, source = queue.pop(0)
        response = _get(client, url, username, failures)
        if response.status_code == 403:
            failures.append(f"{username} {source}: offers {url}, which answers 403")
            continue
        if depth == 0 and response.status_code != 200:
            failures.append(f"{username} zh-hans {url}: status {response.status_code}")
        route = _route(urlsplit(url).path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", "") or depth > 1 \
                or (depth and route in read):
            continue
        read.add(route)
        for target in _inspect(response.content.decode(), url, username, untranslated, english, failures):
            target_route = _route(urlsplit(target).path)
            if target in seen or target_route is None or checked[target_route] >= PER_ROUTE:
                continue
            seen.add(target)
            checked[target_route] += 1
            queue.append((target, depth + 1, url))
    assert not failures, "\n".join(sorted(set(failures)))


@pytest.mark.django_db
def test_the_write_detector_sees_a_write_and_passes_over_sessions(django_user_model):
    """Issue 16.3: the crawl's write check is not blind (a write counts, a session does not)."""
    with _writes() as tables:
        django_user_model.objects.create(username="probe")
    assert "org_user" in tables
    client = Client()
    with _writes() as tables:
        client.force_login(django_user_model.objects.get(username="probe"))
    assert tables == []
