"""MKT-3: the segment pages: list with live counts, the rule builder (rows, live count),
the segment with its members (paged, exported), static lists, freeze, delete, the customer
page's panel, and the customer list's selection."""

import io

import openpyxl
import pytest
from django.conf import settings
from django.utils import translation

from guanxi.core import recycle
from guanxi.customers.models import Customer
from guanxi.marketing.models import Segment, SegmentKind, SegmentMember
from guanxi.marketing.services import segments as services

from .segment_fixtures import customers_of


@pytest.fixture
def gm(demo_org):
    return demo_org["linhui"]


@pytest.fixture
def people(demo_org):
    return customers_of(demo_org)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for):
    """Clients that ask for the English pages (the texts the tests look for)."""

    def make(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def _dynamic(actor, **rules):
    return services.segment_create(actor=actor, name="A级客户", kind="dynamic",
                                   rules={"match": "all", "conditions": [
                                       {"field": "value_tier", "op": "eq", "value": "A"}]})


def test_list_page_with_live_counts_and_empty_state(gm, people, client_for, django_assert_max_num_queries):
    """MKT-3: the list shows segments; each row loads its live count by HTMX."""
    client = client_for(gm)
    assert "No segments yet" in client.get("/marketing/segments/").content.decode()
    segment = _dynamic(gm)
    with django_assert_max_num_queries(6):
        html = client.get("/marketing/segments/").content.decode()
    assert "A级客户" in html and f'hx-get="/marketing/segments/{segment.pk}/count/"' in html
    assert client.get(f"/marketing/segments/{segment.pk}/count/").content.decode().strip() == "5"
    assert "A级客户" in client.get("/marketing/segments/?q=A级").content.decode()
    assert "A级客户" not in client.get("/marketing/segments/?kind=static").content.decode()


def test_builder_rows_change_with_the_field(gm, client_for):
    """The op and value widgets follow the field; a new row gets the next index."""
    client = client_for(gm)
    html = client.get("/marketing/segments/builder/row/", {"i": "3", "field-3": "created_at", "op-3": "eq",
                                                          "changed": "field"}).content.decode()
    assert 'name="field-3"' in html and 'type="date"' in html and 'value="within_days"' in html
    html = client.get("/marketing/segments/builder/row/", {"i": "3", "field-3": "interaction",
                                                          "changed": "field"}).content.decode()
    assert 'name="of-3"' in html and 'name="days-3"' in html
    html = client.get("/marketing/segments/builder/row/", {"i": "2", "add": "1"}).content.decode()
    assert 'name="field-2"' in html and 'hx-swap-oob="true"' in html and "i=3" in html


def test_live_preview_counts_and_reports_errors(gm, people, client_for):
    """The preview says how many customers match, or what is wrong."""
    client = client_for(gm)
    html = client.get("/marketing/segments/builder/preview/", {
        "match": "all", "field-0": "value_tier", "op-0": "eq", "value-0": "A"}).content.decode()
    assert 'data-count="5"' in html
    html = client.get("/marketing/segments/builder/preview/", {
        "field-0": "value_tier", "op-0": "eq", "value-0": "Q"}).content.decode()
    assert "not one of the choices" in html


def test_create_from_the_builder_and_template(gm, people, client_for):
    """A dynamic segment with two conditions is saved from the form; a bad rule saves nothing."""
    client = client_for(gm)
    page = client.get("/marketing/segments/new/?template=high_value_dormant").content.decode()
    assert "High value, no order in 90 days" in page and 'value="not_within_days" selected' in page
    response = client.post("/marketing/segments/new/", {
        "name": "两个条件", "kind": "dynamic", "match": "all",
        "field-0": "value_tier", "op-0": "in", "value-0": ["A", "B"],
        "field-1": "ordered", "op-1": "not_within_days", "value-1": "90"})
    segment = Segment.objects.get(name="两个条件")
    assert response.status_code == 302 and segment.rules["conditions"][1] == {
        "field": "ordered", "op": "not_within_days", "value": 90}
    assert segment.member_count == 10
    response = client.post("/marketing/segments/new/", {
        "name": "坏规则", "kind": "dynamic", "match": "all", "field-0": "nope", "op-0": "eq", "value-0": "1"})
    assert response.status_code == 200 and "Unknown field" in response.content.decode()
    assert not Segment.objects.filter(name="坏规则").exists()


def test_detail_members_paged_and_exported(gm, people, client_for, django_assert_max_num_queries):
    """Members are listed by name with keyset pages and exported to Excel."""
    segment = _dynamic(gm)
    client = client_for(gm)
    with django_assert_max_num_queries(10):
        html = client.get(f"/marketing/segments/{segment.pk}/").content.decode()
    assert "客liuyang0" in html and "客liuyang1" not in html
    assert f'href="/customers/{people[0].pk}/"' in html
    response = client.get(f"/marketing/segments/{segment.pk}/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == sorted(c.name for c in people if c.value_tier == "A")
    assert client.get(f"/marketing/segments/{segment.pk}/?cursor=garbage").status_code == 400


def test_static_list_upload_remove_and_customer_panel(gm, people, client_for):
    """Static lists: customers added by upload (numbers or names), removed, and shown on
    the customer's page with a link to the segment; an unknown line adds nothing."""
    segment = services.segment_create(actor=gm, name="展会名单", kind="static")
    client = client_for(gm)
    upload = io.BytesIO(f"{people[0].pk}\n客zhuwei1\n".encode())
    upload.name = "list.csv"
    client.post(f"/marketing/segments/{segment.pk}/members/upload/", {"file": upload})
    assert set(SegmentMember.objects.filter(segment=segment).values_list("customer__name", flat=True)) == {
        "客liuyang0", "客zhuwei1"}
    response = client.post(f"/marketing/segments/{segment.pk}/members/upload/", {"text": "客hejing0\n没有这家"},
                           follow=True)
    assert "没有这家" in response.content.decode()
    assert SegmentMember.objects.filter(segment=segment).count() == 2
    page = client.get(f"/customers/{people[0].pk}/sections/").content.decode()  # loaded by the customer page
    assert f'/marketing/segments/{segment.pk}/' in page and "展会名单" in page
    client.post(f"/marketing/segments/{segment.pk}/members/remove/", {"ids": [people[0].pk]})
    assert SegmentMember.objects.filter(segment=segment).count() == 1


def test_customer_list_selection_goes_onto_a_list(gm, people, client_for):
    """Ticked customers of the customer list are added to a chosen static segment."""
    segment = services.segment_create(actor=gm, name="勾选名单", kind="static")
    client = client_for(gm)
    assert "Add to a static segment" in client.get("/customers/").content.decode()
    ids = [people[1].pk, people[2].pk]
    page = client.post("/marketing/segments/add-selection/", {"ids": ids}).content.decode()
    assert "勾选名单" in page
    client.post("/marketing/segments/add-selection/", {"ids": ",".join(map(str, ids)), "segment": segment.pk,
                                                       "confirm": "1"})
    assert set(SegmentMember.objects.filter(segment=segment).values_list("customer_id", flat=True)) == set(ids)


def test_freeze_delete_and_restore(gm, people, client_for):
    """Freeze keeps today's members as a static list; delete goes to the recycle bin."""
    segment = _dynamic(gm)
    client = client_for(gm)
    client.post(f"/marketing/segments/{segment.pk}/freeze/")
    segment.refresh_from_db()
    assert segment.kind == SegmentKind.STATIC and segment.members.count() == 5
    Customer.objects.filter(pk=people[0].pk).update(value_tier="C")  # rules no longer apply
    assert segment.members.count() == 5
    client.post(f"/marketing/segments/{segment.pk}/delete/")
    assert not Segment.objects.filter(pk=segment.pk).exists()
    kind = recycle.kind("marketing.segment")
    assert list(kind.deleted_for(gm)) == [Segment.all_objects.get(pk=segment.pk)]
    kind.restore(actor=gm, record=Segment.all_objects.get(pk=segment.pk))
    assert Segment.objects.filter(pk=segment.pk).exists()
    assert client.get(f"/marketing/segments/{segment.pk}/").status_code == 200


def test_edit_changes_rules_and_audits(gm, people, client_for):
    """Edits are validated and written to the history."""
    segment = _dynamic(gm)
    client = client_for(gm)
    client.post(f"/marketing/segments/{segment.pk}/edit/", {
        "name": "B级客户", "match": "all", "field-0": "value_tier", "op-0": "eq", "value-0": "B"})
    segment.refresh_from_db()
    assert segment.name == "B级客户" and segment.member_count == 5
    history = client.get(f"/marketing/segments/{segment.pk}/?tab=history", headers={"HX-Request": "true"})
    assert "B级客户" in history.content.decode()


def test_a_static_list_is_renamed_without_rules(gm, client_for):
    """The form of a static list has no rule builder and saves its name."""
    segment = services.segment_create(actor=gm, name="名单", kind="static")
    client = client_for(gm)
    assert "rule-builder" not in client.get(f"/marketing/segments/{segment.pk}/edit/").content.decode()
    client.post(f"/marketing/segments/{segment.pk}/edit/", {"name": "新名单", "description": ""})
    segment.refresh_from_db()
    assert segment.name == "新名单" and segment.rules == {}


def test_a_user_without_marketing_is_refused_and_nothing_changes(demo_org, gm, people, client_for):
    """Permission first: a salesperson without marketing cannot open or change segments."""
    segment = _dynamic(gm)
    client = client_for(demo_org["liuyang"])
    assert client.get("/marketing/segments/").status_code == 403
    assert client.post(f"/marketing/segments/{segment.pk}/delete/").status_code == 403
    assert client.post("/marketing/segments/new/", {"name": "x", "kind": "static"}).status_code == 403
    assert Segment.objects.count() == 1


def test_demo_segments(demo_org, people):
    """The demo company gets value- and need-based segments and one frozen list."""
    from guanxi.marketing import demo_segments

    demo_segments.build()
    assert Segment.objects.filter(kind=SegmentKind.DYNAMIC).count() >= 5
    assert Segment.objects.filter(kind=SegmentKind.STATIC).count() == 1
    demo_segments.build()  # once only
    assert Segment.objects.count() >= 6
