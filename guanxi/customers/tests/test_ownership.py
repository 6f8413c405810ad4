"""CUS-7: the public pool, claiming, releasing, transfers, sharing and locks."""

import pytest

from guanxi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from guanxi.customers import selectors
from guanxi.customers.models import Customer, CustomerSettings, OwnershipChange, OwnershipEvent
from guanxi.customers.services import (
    customer_claim,
    customer_create,
    customer_release,
    customer_set_recycle_lock,
    customer_share,
    customer_update,
    customers_transfer,
    customers_transfer_all,
)


@pytest.fixture
def pool_customer(demo_org):
    return customer_create(actor=demo_org["wangjianguo"], name="广州公海客户", owner=None)


def test_claim_from_the_branch_pool(pool_customer, demo_org):
    liuyang = demo_org["liuyang"]
    customer_claim(actor=liuyang, customer=pool_customer)
    pool_customer.refresh_from_db()
    assert pool_customer.owner == liuyang and pool_customer.owned_since is not None
    with pytest.raises(Conflict):
        customer_claim(actor=demo_org["liyang"], customer=pool_customer)


def test_another_branchs_pool_is_not_claimable(pool_customer, demo_org):
    with pytest.raises(NotFound):
        customer_claim(actor=demo_org["zhuwei"], customer=pool_customer)
    settings_row = CustomerSettings.current()
    settings_row.pool_mode = CustomerSettings.PoolMode.COMPANY
    settings_row.save()
    beijing = type(demo_org["zhuwei"]).objects.get(username="zhuwei")
    customer_claim(actor=beijing, customer=pool_customer)
    pool_customer.refresh_from_db()
    assert pool_customer.owner == beijing and pool_customer.branch.code == "bj"


def test_claim_limit(pool_customer, demo_org):
    settings_row = CustomerSettings.current()
    settings_row.claim_limit = 1
    settings_row.save()
    liuyang = demo_org["liuyang"]
    customer_create(actor=liuyang, name="已有客户")
    with pytest.raises(Conflict):
        customer_claim(actor=liuyang, customer=pool_customer)
    assert Customer.objects.get(pk=pool_customer.pk).owner is None


def test_release_needs_a_reason_and_blocks_reclaiming(demo_org):
    liuyang = demo_org["liuyang"]
    customer = customer_create(actor=liuyang, name="要放弃的客户")
    with pytest.raises(ValidationFailed):
        customer_release(actor=liuyang, customer=customer, reason=" ")
    customer_release(actor=liuyang, customer=customer, reason="暂无需求")
    customer.refresh_from_db()
    assert customer.owner is None
    with pytest.raises(Conflict):
        customer_claim(actor=liuyang, customer=customer)
    customer_claim(actor=demo_org["liyang"], customer=customer)


def test_only_the_owner_or_a_manager_releases(demo_org):
    customer = customer_create(actor=demo_org["liuyang"], name="别人的客户")
    with pytest.raises(Forbidden):
        customer_release(actor=demo_org["liyang"], customer=customer, reason="抢")
    customer_release(actor=demo_org["wangjianguo"], customer=customer, reason="调整")


def test_transfer_many_and_a_leavers_whole_book(demo_org):
    """CUS-7: customers move with staff changes, logged one by one."""
    liuyang, liyang = demo_org["liuyang"], demo_org["liyang"]
    for i in range(3):
        customer_create(actor=liuyang, name=f"刘洋的客户{i}")
    moved = customers_transfer_all(actor=demo_org["wangjianguo"], from_user=liuyang, to_user=liyang,
                                   reason="离职交接")
    assert moved == 3 and not Customer.objects.filter(owner=liuyang).exists()
    assert OwnershipChange.objects.filter(event=OwnershipEvent.TRANSFERRED, reason="离职交接").count() == 3
    to_pool = customers_transfer(actor=demo_org["wangjianguo"], customers=Customer.objects.filter(owner=liyang),
                                 to_user=None)
    assert to_pool == 3 and Customer.objects.filter(owner__isnull=True).count() == 3


def test_transfer_outside_ones_scope_changes_nothing(demo_org):
    """SECURITY (write, then deny): a manager cannot move another branch's customers."""
    customer = customer_create(actor=demo_org["zhuwei"], name="北京客户")
    with pytest.raises(NotFound):
        customers_transfer(actor=demo_org["wangjianguo"], customers=[customer], to_user=demo_org["liuyang"])
    assert Customer.objects.get(pk=customer.pk).owner == demo_org["zhuwei"]
    with pytest.raises(Forbidden):
        customers_transfer(actor=demo_org["liuyang"], customers=[customer], to_user=demo_org["liuyang"])


def test_sharing_read_only_and_to_edit(demo_org):
    owner, colleague = demo_org["liuyang"], demo_org["zhuwei"]
    customer = customer_create(actor=owner, name="共享客户")
    customer_share(actor=owner, customer=customer, user=colleague, can_edit=False)
    assert selectors.is_visible(colleague, customer) and not selectors.can_edit(colleague, customer)
    with pytest.raises(Forbidden):
        customer_update(actor=colleague, customer=customer, address="改不了")
    customer_share(actor=owner, customer=customer, user=colleague, can_edit=True)
    customer_update(actor=colleague, customer=customer, address="可以改")
    assert Customer.objects.get(pk=customer.pk).address == "可以改"


def test_pool_customers_are_read_only_for_salespeople(pool_customer, demo_org):
    assert selectors.is_visible(demo_org["liuyang"], pool_customer)
    assert not selectors.can_edit(demo_org["liuyang"], pool_customer)
    assert selectors.can_edit(demo_org["wangjianguo"], pool_customer) is False  # a department tree: not the pool
    assert selectors.can_edit(demo_org["linhui"], pool_customer)


def test_manager_lock(demo_org):
    customer = customer_create(actor=demo_org["liuyang"], name="重点客户")
    with pytest.raises(Forbidden):
        customer_set_recycle_lock(actor=demo_org["liuyang"], customer=customer, locked=True)
    customer_set_recycle_lock(actor=demo_org["wangjianguo"], customer=customer, locked=True)
    assert Customer.objects.get(pk=customer.pk).recycle_locked


def test_every_ownership_change_is_logged(pool_customer, demo_org):
    customer_claim(actor=demo_org["liuyang"], customer=pool_customer)
    customer_release(actor=demo_org["liuyang"], customer=pool_customer, reason="联系不上")
    events = list(pool_customer.ownership_changes.order_by("created_at").values_list("event", flat=True))
    assert events == ["created", "claimed", "released"]
