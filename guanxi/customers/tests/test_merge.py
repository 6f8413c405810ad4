"""CUS-5: the duplicate scan and a merge that can be undone."""

import pytest

from guanxi.core.errors import NotFound
from guanxi.customers.merge import customers_merge, duplicate_scan, merge_undo
from guanxi.customers.models import Contact, Customer, Interaction
from guanxi.customers.services import contact_create, customer_create, interaction_create


@pytest.fixture
def pair(demo_org):
    seller, manager = demo_org["liuyang"], demo_org["wangjianguo"]
    a = customer_create(actor=seller, name="广州华达电子科技有限公司", mobile="13800138000", address="天河路 1 号")
    b = customer_create(actor=demo_org["liyang"], name="华达电子有限公司", email="x@huada.cn", phone="020-38886666")
    contact_create(actor=demo_org["liyang"], customer=b, name="王经理")
    interaction_create(actor=demo_org["liyang"], customer=b, summary="电话沟通")
    return a, b, manager


def test_scan_groups_similar_names_with_a_score(pair, demo_org):
    a, b, manager = pair
    customer_create(actor=demo_org["liuyang"], name="完全不相干")
    groups = duplicate_scan(manager)
    similar = [g for g in groups if {c.pk for c in g.customers} == {a.pk, b.pk}]
    assert similar and similar[0].reason == "similar" and 0 < similar[0].score <= 100
    assert duplicate_scan(demo_org["zhuwei"]) == []  # nothing of Guangzhou's in Beijing's scope


def test_merge_moves_children_takes_chosen_fields_and_can_be_undone(pair):
    a, b, manager = pair
    record = customers_merge(actor=manager, master=a, duplicate=b, take_from_duplicate=["name"], owner="duplicate")
    a.refresh_from_db()
    assert a.name == "华达电子有限公司" and a.email == "x@huada.cn" and a.address == "天河路 1 号"
    assert a.owner.username == "liyang"
    assert Contact.objects.filter(customer=a).count() == 1 and Interaction.objects.filter(customer=a).count() == 1
    assert not Customer.objects.filter(pk=b.pk).exists() and Customer.all_objects.get(pk=b.pk).deleted_at
    merge_undo(actor=manager, record=record)
    a.refresh_from_db()
    b = Customer.objects.get(pk=b.pk)
    assert a.name == "广州华达电子科技有限公司" and a.email == "" and a.owner.username == "liuyang"
    assert Contact.objects.filter(customer=b).count() == 1 and Interaction.objects.filter(customer=b).count() == 1
    assert b.last_contacted_at is not None and a.last_contacted_at is None


def test_merge_needs_both_in_scope(pair, demo_org):
    a, b, _manager = pair
    beijing = customer_create(actor=demo_org["zhuwei"], name="北京华达电子")
    with pytest.raises(NotFound):
        customers_merge(actor=demo_org["wangjianguo"], master=a, duplicate=beijing)
    assert Customer.objects.filter(pk=beijing.pk).exists()


def test_merge_pages(pair, client_for):
    a, b, manager = pair
    client = client_for(manager)
    assert "华达" in client.get("/customers/duplicates/scan/").content.decode()
    page = client.get(f"/customers/merge/?ids={a.pk},{b.pk}").content.decode()
    assert "x@huada.cn" in page and 'name="field_email"' in page
    response = client.post("/customers/merge/", {"ids": f"{a.pk},{b.pk}", "owner": "master",
                                                  "field_name": "master"})
    assert response.status_code == 302
    undo = client.post(response["Location"])
    assert undo.status_code == 302 and Customer.objects.filter(pk=b.pk).exists()
