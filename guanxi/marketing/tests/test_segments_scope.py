"""ORG-3, MKT-3: segments follow the scope rules on every surface, and their members are
within the owner's scope AND the viewer's (a salesperson sees only his own customers in a
shared segment) on the page, the count, the export and the API."""

import io

import openpyxl
import pytest

from guanxi.marketing.models import Segment
from guanxi.marketing.services import segments as services
from guanxi.org.models import User
from guanxi.testing.scope_matrix import assert_scope_matrix, matrix_users, owned_case

from .segment_fixtures import customers_of, marketing_viewer


@pytest.fixture
def matrix_segments(demo_org):
    for user in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk"):
        Segment.objects.create(name=f"矩阵 {user.username}", owner=user, branch=user.branch,
                               rules={"match": "all", "conditions": []})


SEGMENTS = owned_case("segments", Segment, module="marketing", list_url="/marketing/segments/", api="segments",
                      title_of=lambda s: s.name, search_term="矩阵", global_search=False)


def test_scope_matrix_for_segments(matrix_segments, demo_org):
    """ORG-3: every demo user sees exactly the segments their scope allows, on every surface."""
    assert assert_scope_matrix(SEGMENTS, matrix_users()) >= 3


def _names(response):
    return set(__import__("re").findall(r'href="/customers/\d+/">([^<]+)<', response.content.decode()))


def test_members_are_limited_by_owner_and_viewer(demo_org, client_for, api_for):
    """MKT-3: a shared segment of the general manager shows a salesperson only his own
    customers — page, count, export and API; the owner's scope limits the segment itself."""
    customers_of(demo_org)
    gm_segment = services.segment_create(actor=demo_org["linhui"], name="全部客户", kind="dynamic", rules={})
    seller = marketing_viewer(demo_org["liuyang"])
    own = {f"客liuyang{n}" for n in range(2)}

    client = client_for(seller)
    # The segment itself is the GM's: outside the seller's (own) scope it is not found.
    assert client.get(f"/marketing/segments/{gm_segment.pk}/").status_code == 404
    # Once it is his (his scope covers it), every customer matches the rules, yet he sees only his own.
    Segment.objects.filter(pk=gm_segment.pk).update(owner=seller)
    assert _names(client.get(f"/marketing/segments/{gm_segment.pk}/")) == own
    assert client.get(f"/marketing/segments/{gm_segment.pk}/count/").content.decode().strip() == "2"
    export = client.get(f"/marketing/segments/{gm_segment.pk}/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == own
    api, headers = api_for(seller)
    items = api.get(f"/api/v1/segments/{gm_segment.pk}/customers", headers=headers).json()["items"]
    assert {c["name"] for c in items} == own

    # A segment owned by the seller never holds what the seller may not see, even for the GM.
    gm = client_for(demo_org["linhui"])
    assert _names(gm.get(f"/marketing/segments/{gm_segment.pk}/")) == own

    # The branch manager of Beijing sees his branch's customers of a GM segment shared to him.
    bj_segment = services.segment_create(actor=demo_org["linhui"], name="北京", kind="dynamic", rules={})
    Segment.objects.filter(pk=bj_segment.pk).update(owner=demo_org["majun"], branch=demo_org["majun"].branch)
    majun = client_for(demo_org["majun"])
    assert _names(majun.get(f"/marketing/segments/{bj_segment.pk}/")) == {
        f"客{u}{n}" for u in ("zhuwei", "hejing") for n in range(2)}


def test_static_list_refuses_customers_out_of_scope(demo_org):
    """Adding customers the actor may not see is refused, and nothing is added."""
    from guanxi.core.errors import ValidationFailed

    made = customers_of(demo_org)
    seller = marketing_viewer(demo_org["liuyang"])
    segment = services.segment_create(actor=seller, name="我的名单", kind="static")
    theirs = next(c for c in made if c.owner.username == "zhuwei")
    with pytest.raises(ValidationFailed):
        services.segment_members_add(actor=seller, segment=segment, customer_ids=[made[0].pk, theirs.pk])
    assert segment.members.count() == 0
    assert services.segment_members_add(actor=seller, segment=segment, customer_ids=[made[0].pk]) == 1
