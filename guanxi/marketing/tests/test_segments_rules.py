"""MKT-3 / MKT-1: the rule engine of dynamic segments turns rules into one filter, for
every kind of field, and refuses bad rules with a clear message."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.core.errors import ValidationFailed
from guanxi.core.models import CustomField, PickItem
from guanxi.customers.models import Customer, Interaction, Tag
from guanxi.finance.models import Receivable
from guanxi.marketing import segment_rules
from guanxi.sales.models import Order, OrderLine, Product


def _ids(rules):
    return set(segment_rules.customers_matching(Customer.objects.all(), rules).values_list("name", flat=True))


def _one(field, op, value, match="all"):
    return _ids({"match": match, "conditions": [{"field": field, "op": op, "value": value}]})


@pytest.fixture
def world(demo_org):
    """Five customers with profiles, tags, interactions, orders and receivables."""
    seller, branch = demo_org["liuyang"], demo_org["liuyang"].branch
    now = timezone.now()
    today = timezone.localdate()
    manufacturing = PickItem.objects.get_or_create(list_key="customers.industry", code="mfg",
                                                   defaults={"name_zh": "制造", "name_en": "Manufacturing"})[0]
    category = PickItem.objects.get_or_create(list_key="sales.product_category", code="printers",
                                              defaults={"name_zh": "打印机", "name_en": "Printers"})[0]
    made = {}
    for name, extra in [
        ("甲", {"value_tier": "A", "province": "44", "industry": manufacturing, "owner": seller,
               "birthday": today.replace(year=today.year - 30) - datetime.timedelta(days=1),
               "custom": {"budget": "500", "since": "2020-05-01", "hobby": ["golf", "tea"]}}),
        ("乙", {"value_tier": "B", "province": "11", "owner": seller, "lifecycle_stage": "decline",
               "custom": {"budget": "50"}}),
        ("丙", {"value_tier": "", "province": "44", "owner": None, "category": "customer"}),
        ("丁", {"value_tier": "A", "province": "31", "owner": demo_org["zhangmin"], "occupation": "教师",
               "birthday": today.replace(year=today.year - 45)}),
        ("戊", {"value_tier": "C", "province": "", "owner": seller}),
    ]:
        made[name] = Customer.objects.create(name=name, branch=extra.get("owner", seller).branch if extra.get("owner")
                                             else branch, **extra)
    Customer.objects.filter(name="戊").update(created_at=now - datetime.timedelta(days=400))
    vip, cold = Tag.objects.create(name="vip"), Tag.objects.create(name="cold")
    made["甲"].tags.add(vip, cold)
    made["乙"].tags.add(vip)
    Interaction.objects.create(customer=made["甲"], channel="visit", summary="s", author=seller,
                               occurred_at=now - datetime.timedelta(days=5))
    Interaction.objects.create(customer=made["乙"], channel="phone", summary="s", author=seller,
                               occurred_at=now - datetime.timedelta(days=100))
    printer = Product.objects.create(sku="P1", name="打印机", category=category, list_price=Decimal("100"))
    toner = Product.objects.create(sku="T1", name="墨盒", list_price=Decimal("10"))

    def order(customer, number, total, days_ago, status="confirmed", product=None):
        o = Order.objects.create(number=number, customer=customer, owner=seller, branch=branch, status=status,
                                 order_date=today - datetime.timedelta(days=days_ago), total=Decimal(total))
        OrderLine.objects.create(order=o, product=product, description="x", quantity=1, unit_price=Decimal(total),
                                 total=Decimal(total))

    order(made["甲"], "O1", "6000", 10, product=printer)
    order(made["甲"], "O2", "5000", 200, product=toner)
    order(made["乙"], "O3", "3000", 30, product=toner)
    order(made["丁"], "O4", "90000", 20, status="cancelled", product=printer)
    order(made["丁"], "O5", "800", 500, product=printer)
    Receivable.objects.create(number="R1", customer=made["乙"], owner=seller, branch=branch, amount=Decimal("1000"),
                              allocated=Decimal("200"), due_on=today - datetime.timedelta(days=3), created_by=seller)
    Receivable.objects.create(number="R2", customer=made["甲"], owner=seller, branch=branch, amount=Decimal("1000"),
                              due_on=today + datetime.timedelta(days=3), created_by=seller)
    CustomField.objects.create(entity="customers.customer", key="budget", label_zh="预算", label_en="Budget", field_type="number")
    CustomField.objects.create(entity="customers.customer", key="since", label_zh="合作起", label_en="Since", field_type="date")
    CustomField.objects.create(entity="customers.customer", key="hobby", label_zh="爱好", label_en="Hobby", field_type="multi",
                               options=["golf", "tea", "chess"])
    from guanxi.core import memo
    memo.changed()
    return made


def test_customer_columns(world):
    """MKT-1: choice, pick-list, region, text and date fields of the customer."""
    assert _one("value_tier", "eq", "A") == {"甲", "丁"}
    assert _one("value_tier", "ne", "A") == {"乙", "丙", "戊"}
    assert _one("value_tier", "in", ["B", "C"]) == {"乙", "戊"}
    assert _one("value_tier", "is_empty", True) == {"丙"}
    assert _one("province", "eq", "44") == {"甲", "丙"}
    assert _one("province", "is_empty", False) == {"甲", "乙", "丙", "丁"}
    assert _one("industry", "eq", "mfg") == {"甲"}
    assert _one("industry", "is_empty", True) == {"乙", "丙", "丁", "戊"}
    assert _one("lifecycle_stage", "in", ["decline", "departure"]) == {"乙"}
    assert _one("occupation", "contains", "教") == {"丁"}
    assert _one("in_pool", "eq", True) == {"丙"}
    assert _one("created_at", "within_days", 30) == {"甲", "乙", "丙", "丁"}
    assert _one("created_at", "not_within_days", 30) == {"戊"}
    today = timezone.localdate()
    assert _one("created_at", "lt", today.isoformat()) == {"戊"}
    assert _one("created_at", "between", [(today - datetime.timedelta(days=500)).isoformat(),
                                          (today - datetime.timedelta(days=300)).isoformat()]) == {"戊"}


def test_age_and_owner(world, demo_org):
    """MKT-1: age from the birthday; the owner as a person."""
    assert _one("age", "eq", "30") == {"甲"}
    assert _one("age", "gte", "40") == {"丁"}
    assert _one("age", "between", ["20", "50"]) == {"甲", "丁"}
    assert _one("age", "is_empty", True) == {"乙", "丙", "戊"}
    assert _one("owner", "eq", str(demo_org["zhangmin"].pk)) == {"丁"}


def test_tags_with_all_and_any(world):
    """Tags through EXISTS: two tag conditions joined by all is an intersection."""
    assert _one("tags", "eq", "vip") == {"甲", "乙"}
    assert _one("tags", "ne", "cold") == {"乙", "丙", "丁", "戊"}
    assert _one("tags", "in", ["cold", "nothing"]) == {"甲"}
    assert _one("tags", "is_empty", True) == {"丙", "丁", "戊"}
    both = {"match": "all", "conditions": [{"field": "tags", "op": "eq", "value": "vip"},
                                           {"field": "tags", "op": "eq", "value": "cold"}]}
    assert _ids(both) == {"甲"}


def test_interactions(world):
    """An interaction of a kind in the last N days, or none."""
    assert _one("interaction", "within_days", {"of": "visit", "days": 30}) == {"甲"}
    assert _one("interaction", "within_days", {"of": "", "days": 365}) == {"甲", "乙"}
    assert _one("interaction", "not_within_days", {"of": "", "days": 30}) == {"乙", "丙", "丁", "戊"}


def test_orders_products_and_money(world):
    """Orders: recency, products and categories bought, totals in a period, overdue money;
    cancelled orders do not count."""
    assert _one("ordered", "within_days", 60) == {"甲", "乙"}
    assert _one("ordered", "not_within_days", 90) == {"丙", "丁", "戊"}
    printer = str(Product.objects.get(sku="P1").pk)
    toner = str(Product.objects.get(sku="T1").pk)
    assert _one("product", "eq", printer) == {"甲", "丁"}
    bought_toner_never_printer = {"match": "all", "conditions": [
        {"field": "product", "op": "eq", "value": toner}, {"field": "product", "op": "ne", "value": printer}]}
    assert _ids(bought_toner_never_printer) == {"乙"}
    assert _one("product", "in", [printer, toner]) == {"甲", "乙", "丁"}
    assert _one("product_category", "eq", "printers") == {"甲", "丁"}
    assert _one("order_total", "gte", {"amount": "5000", "days": 365}) == {"甲"}
    assert _one("order_total", "gte", {"amount": "10000", "days": 365}) == {"甲"}
    assert _one("order_total", "gte", {"amount": "10000", "days": 100}) == set()
    assert _one("order_total", "lte", {"amount": "3000", "days": 365}) == {"乙", "丙", "丁", "戊"}
    assert _one("order_total", "between", {"amount": ["1000", "4000"], "days": 365}) == {"乙"}
    assert _one("overdue_receivables", "gt", "0") == {"乙"}
    assert _one("overdue_receivables", "gte", "800") == {"乙"}
    assert _one("overdue_receivables", "lt", "100") == {"甲", "丙", "丁", "戊"}


def test_custom_fields(world):
    """ORG-7: custom fields of customers are rule fields too (numbers compared as numbers)."""
    assert _one("custom.budget", "gt", "100") == {"甲"}
    assert _one("custom.budget", "lt", "100") == {"乙"}
    assert _one("custom.budget", "is_empty", True) == {"丙", "丁", "戊"}
    assert _one("custom.since", "lt", "2021-01-01") == {"甲"}
    assert _one("custom.hobby", "eq", "tea") == {"甲"}
    assert _one("custom.hobby", "in", ["chess", "golf"]) == {"甲"}


def test_rules_are_one_query(world, django_assert_num_queries):
    """Every condition is part of one SQL statement (no loop over customers)."""
    rules = {"match": "any", "conditions": [
        {"field": "tags", "op": "eq", "value": "vip"},
        {"field": "order_total", "op": "gte", "value": {"amount": "100", "days": 30}},
        {"field": "interaction", "op": "within_days", "value": {"of": "phone", "days": 9}},
        {"field": "overdue_receivables", "op": "gt", "value": "0"},
        {"field": "province", "op": "eq", "value": "44"}]}
    query = segment_rules.customers_matching(Customer.objects.all(), rules)
    segment_rules.validate(rules)  # the choices are read while validating, before the count
    with CaptureQueriesContext(connection) as captured:
        assert query.count() == 3
    assert len(captured.captured_queries) == 1


@pytest.mark.parametrize("rules, message", [
    ({"match": "some"}, "“match”"),
    ({"conditions": [{"field": "shoe_size", "op": "eq", "value": 1}]}, "Unknown field"),
    ({"conditions": [{"field": "value_tier", "op": "gt", "value": "A"}]}, "cannot be compared"),
    ({"conditions": [{"field": "value_tier", "op": "eq", "value": "Z"}]}, "not one of the choices"),
    ({"conditions": [{"field": "age", "op": "gt", "value": "old"}]}, "Enter a number"),
    ({"conditions": [{"field": "age", "op": "between", "value": ["50", "20"]}]}, "greater than"),
    ({"conditions": [{"field": "created_at", "op": "lt", "value": "2024-13-01"}]}, "YYYY-MM-DD"),
    ({"conditions": [{"field": "ordered", "op": "within_days", "value": 0}]}, "days"),
    ({"conditions": [{"field": "interaction", "op": "within_days", "value": 5}]}, "days"),
    ({"conditions": [{"field": "tags", "op": "in", "value": []}]}, "at least one"),
    ({"conditions": "all"}, "list"),
    ({"conditions": [{"field": "kind", "op": "eq", "value": "company", "sql": "1=1"}]}, "exactly"),
])
def test_bad_rules_are_refused_with_a_message(world, rules, message):
    """MKT-3: an unknown field or operator, or a bad value, is a clear error."""
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        segment_rules.validate(rules)
    assert message in str(caught.value.message)
    assert caught.value.errors[0]["field"] == "rules"


CONDITIONS = [
    {"field": "value_tier", "op": "in", "value": ["A", "B"]},
    {"field": "province", "op": "eq", "value": "44"},
    {"field": "tags", "op": "eq", "value": "vip"},
    {"field": "tags", "op": "eq", "value": "cold"},
    {"field": "ordered", "op": "within_days", "value": 60},
    {"field": "product_category", "op": "ne", "value": "printers"},
    {"field": "order_total", "op": "lte", "value": {"amount": "5000", "days": 365}},
    {"field": "interaction", "op": "not_within_days", "value": {"of": "", "days": 30}},
    {"field": "overdue_receivables", "op": "gt", "value": "0"},
    {"field": "in_pool", "op": "eq", "value": False},
    {"field": "industry", "op": "is_empty", "value": True},
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chosen=st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=4))
def test_all_is_the_intersection_and_any_the_union(world, chosen):
    """MKT-3 law: match=all is the intersection of each condition's customers, any their union."""
    sets = [_ids({"conditions": [c]}) for c in chosen]
    assert _ids({"match": "all", "conditions": chosen}) == set.intersection(*sets)
    assert _ids({"match": "any", "conditions": chosen}) == set.union(*sets)
