"""ORG-3 on loyalty (MKT-6): every demo user × members (scoped like their customer), on
the list, search, export, API and detail pages, against brute force."""

import pytest

from guanxi.customers.services import customer_create
from guanxi.marketing.models.loyalty import Member
from guanxi.marketing.services import loyalty as services
from guanxi.org.models import User
from guanxi.testing.scope_matrix import ScopeCase, assert_scope_matrix

SELLERS = ["liuyang", "liyang", "huangli", "zhuwei", "hejing", "hanlei", "zengqiang"]


@pytest.fixture
def members(demo_org):
    boss = demo_org["chenzhiqiang"]
    for username in SELLERS:
        customer = customer_create(actor=demo_org[username], name=f"矩阵会员客户{username}")
        services.member_enroll(actor=boss, customer=customer)


MEMBERS = ScopeCase(
    label="members", permission="marketing.view",
    records=lambda: Member.objects.select_related("customer__owner__department__parent", "customer__owner__manager"),
    owner_of=lambda m: m.customer.owner, branch_of=lambda m: m.customer.branch_id, title_of=lambda m: m.number,
    list_url="/marketing/members/", detail_url=lambda m: f"/marketing/members/{m.pk}/",
    detail_pattern=r'href="/marketing/members/(\d+)/"', search_term="矩阵会员",
    api_list="/api/v1/members", api_detail=lambda m: f"/api/v1/members/{m.pk}",
    export_url="/marketing/members/?export=csv", export_permission="marketing.export", global_search=False,
)


def test_scope_matrix_for_members(members):
    """ORG-3 / MKT-6: a member card is seen exactly by who sees its customer, on every surface."""
    users = list(User.objects.prefetch_related("roles").select_related("department__parent", "manager"))
    assert assert_scope_matrix(MEMBERS, users) >= 5
