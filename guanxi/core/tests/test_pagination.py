import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.core.errors import ValidationFailed
from guanxi.core.pagination import capped_count, encode_cursor, keyset_page
from guanxi.workplace.models import Note


def _walk(queryset, sort, limit):
    """Page forward to the end, then back to the start; return both id sequences."""
    forward, page = [], keyset_page(queryset, sort=sort, limit=limit)
    pages = [page]
    forward += [n.pk for n in page.items]
    while page.next_cursor:
        page = keyset_page(queryset, sort=sort, cursor=page.next_cursor, limit=limit)
        pages.append(page)
        forward += [n.pk for n in page.items]
    backward = [n.pk for n in page.items]
    while page.prev_cursor:
        page = keyset_page(queryset, sort=sort, cursor=page.prev_cursor, limit=limit)
        backward = [n.pk for n in page.items] + backward
    return forward, backward, pages


@pytest.fixture
def notes(db, demo_org):
    owner = demo_org["liuyang"]

    def make(days):
        base = timezone.now().replace(microsecond=0)
        Note.objects.all().delete()
        created = []
        for i, day in enumerate(days):
            created.append(Note(title=f"n{i:03d}", owner=owner, branch=owner.branch, created_by=owner,
                                created_at=base - datetime.timedelta(days=day)))
        Note.objects.bulk_create(created)
        return Note.objects.all()

    return make


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.lists(st.integers(min_value=0, max_value=5), min_size=0, max_size=40),
       limit=st.integers(min_value=1, max_value=7),
       sort=st.sampled_from(["-created_at", "created_at", "title", "-title"]))
def test_keyset_pages_cover_every_row_once_in_order_both_ways(notes, days, limit, sort):
    """Walking next then prev visits every row once, in the ORM's order, even with ties."""
    queryset = notes(days)
    field = sort.lstrip("-")
    ordering = [sort, "-pk" if sort.startswith("-") else "pk"]
    expected = list(queryset.order_by(*ordering).values_list("pk", flat=True))
    forward, backward, pages = _walk(queryset, sort, limit)
    assert forward == expected
    assert backward == expected
    assert all(len(p.items) <= limit for p in pages)
    assert field in {"created_at", "title"}


def test_cursor_for_another_sort_is_rejected(db):
    cursor = encode_cursor("title", "a", 1, "next")
    with pytest.raises(ValidationFailed):
        keyset_page(Note.objects.all(), sort="-created_at", cursor=cursor)


@pytest.mark.parametrize("cursor", ["garbage", "e30", "!!!", "eyJzIjoidGl0bGUifQ"])
def test_tampered_cursor_is_a_clear_error(db, cursor):
    with pytest.raises(ValidationFailed):
        keyset_page(Note.objects.all(), sort="title", cursor=cursor)


def test_capped_count(db, notes):
    queryset = notes([0] * 12)
    assert capped_count(queryset, cap=20) == (12, False)
    assert capped_count(queryset, cap=10) == (10, True)
