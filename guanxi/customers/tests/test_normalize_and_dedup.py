"""CUS-1…3, CUS-5: normalization, validation and the index-backed duplicate check."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from guanxi.core.errors import Forbidden, ValidationFailed
from guanxi.core.history import history_for
from guanxi.customers import regions, selectors
from guanxi.customers.models import Contact, Customer
from guanxi.customers.namegen import company_name
from guanxi.customers.normalize import (
    format_phone,
    normalize_email,
    normalize_keyword,
    normalize_name,
    normalize_phone,
)
from guanxi.customers.search_index import ensure_sqlite_triggers
from guanxi.customers.services import (
    DuplicateFound,
    contact_create,
    contact_update,
    customer_create,
    customer_update,
)


@pytest.mark.parametrize("raw,digits,kind", [
    ("13800138000", "+8613800138000", "mobile"),
    ("138 0013 8000", "+8613800138000", "mobile"),
    ("+86 138-0013-8000", "+8613800138000", "mobile"),
    ("008613800138000", "+8613800138000", "mobile"),
    ("８６１３８００１３８０００", "+8613800138000", "mobile"),
    ("(020) 3888-6666", "+862038886666", "landline"),
    ("020-38886666转123", "+862038886666x123", "landline"),
    ("0755-8888 1234", "+8675588881234", "landline"),
    ("20-38886666", "+862038886666", "landline"),
    ("400-810-8888", "+864008108888", "service"),
    ("+1 650 253 0000", "+16502530000", "international"),
])
def test_valid_phone_numbers_are_normalized(raw, digits, kind):
    """CUS-1: Chinese mobile and landline numbers (and foreign ones) are validated and
    normalized to E.164."""
    assert normalize_phone(raw) == (digits, kind)


@pytest.mark.parametrize("raw", ["12345", "abc", "1380013800", "138001380001", "020-00000000", "0123"])
def test_invalid_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_phone_display():
    assert format_phone("+8613800138000") == "138 0013 8000"
    assert format_phone("+862038886666x12") == "020-38886666 转12"


def test_email_normalization():
    assert normalize_email(" Sales@HuaDa.COM ") == "sales@huada.com"
    with pytest.raises(ValidationError):
        normalize_email("not-an-address")


@pytest.mark.parametrize("a,b", [
    ("广州华达电子有限公司", "广州华达电子有限责任公司"),
    ("广州 华达（电子）股份有限公司", "广州华达电子"),
    ("ＡＢＣ貿易", "abc貿易"),
    ("ABC Trading Co., Ltd.", "abc trading limited"),
])
def test_names_match_ignoring_suffixes_width_case_and_punctuation(a, b):
    """CUS-5: legal suffixes, full-width vs half-width, case and punctuation are ignored."""
    assert normalize_name(a) == normalize_name(b)


def test_half_typed_suffix_is_ignored_in_keywords():
    assert normalize_keyword("华达有限") == "华达"
    assert normalize_keyword("华达股份有") == "华达"


def test_regions_are_complete_and_nested():
    """CUS-1: provinces, cities and districts of all of China, including HK, Macao, Taiwan."""
    assert len(regions.provinces()) == 34
    assert regions.name("440106") == "天河区" and regions.parent("440106") == "4401"
    assert regions.full_name("44", "4401", "440106") == "广东省广州市天河区"
    assert regions.full_name("11", "1101", "110105") == "北京市朝阳区"
    assert regions.check("44", "4403", "440106") == [("district", "not_in_parent")]
    assert regions.resolve("广东", "广州", "天河区") == ("44", "4401", "440106")


@pytest.fixture
def huada(demo_org):
    return customer_create(actor=demo_org["liuyang"], name="广州华达电子有限公司", mobile="13800138000",
                           email="sales@huada.cn", province="44", city="4401", district="440106")


@pytest.mark.parametrize("keyword", ["华达", "州华达", "华达电子", "ＨＵＡＤＡ", "gzhd", "guangzhouhuada", "huadadianzi",
                                     "hddz", "华达有限", "广州华达电子有限责任公司"])
def test_duplicate_check_finds_by_keyword_pinyin_and_initials(huada, demo_org, keyword):
    """CUS-5: a keyword anywhere, pinyin and pinyin initials all find 广州华达."""
    hits = selectors.duplicate_check(demo_org["zhuwei"], name=keyword)
    assert huada.pk in [h.customer.pk for h in hits], keyword


def test_duplicate_check_by_phone_and_email_exactly(huada, demo_org):
    contact_create(actor=demo_org["liuyang"], customer=huada, name="王经理", mobile="13900001111")
    for phone in ("+86 138 0013 8000", "139-0000-1111"):
        assert [h.customer.pk for h in selectors.duplicate_check(demo_org["zhuwei"], phone=phone)] == [huada.pk]
    assert [h.reasons for h in selectors.duplicate_check(demo_org["zhuwei"], email="SALES@huada.cn")] == [["email"]]
    assert selectors.duplicate_check(demo_org["zhuwei"], phone="13800138001") == []


def test_duplicate_hits_show_the_owner_only_as_far_as_the_searcher_may_see(huada, demo_org):
    own = selectors.duplicate_check(demo_org["wangjianguo"], name="华达")[0]
    assert own.visible and "刘洋" in own.whose and own.url
    other = selectors.duplicate_check(demo_org["zhuwei"], name="华达")[0]
    assert not other.visible and other.url is None
    assert "刘洋" not in other.whose and "广州总部" in other.whose


def test_two_character_keywords_have_no_false_negatives(demo_org):
    """CUS-5: every customer whose name holds a 2-character keyword is found, checked
    against a brute-force scan of 300 generated companies."""
    rng = random.Random(7)
    seller = demo_org["liuyang"]
    names = set()
    while len(names) < 300:
        names.add(company_name(rng)[0])
    for name in names:
        customer_create(actor=seller, name=name)
    all_rows = list(Customer.objects.values_list("pk", "name_norm"))
    for keyword in ("科技", "广州", "华恒", "电子", "贸易", "金华", "物流", "达通"):
        expected = {pk for pk, norm in all_rows if keyword in norm}
        found = set(selectors.customer_search(Customer.objects.all(), keyword).values_list("pk", flat=True))
        assert found == expected, keyword


def test_exact_duplicates_need_a_managers_approval(huada, demo_org):
    """CUS-5: saving the same normalized name, phone or e-mail needs a manager's override."""
    with pytest.raises(DuplicateFound):
        customer_create(actor=demo_org["zhuwei"], name="广州华达电子有限责任公司")
    with pytest.raises(DuplicateFound):
        customer_create(actor=demo_org["zhuwei"], name="完全不同", mobile="138-0013-8000")
    with pytest.raises(Forbidden):
        customer_create(actor=demo_org["zhuwei"], name="广州华达电子", override_duplicate=True)
    approved = customer_create(actor=demo_org["yangfan"], name="广州华达电子", override_duplicate=True)
    assert approved.duplicate_override_by == demo_org["yangfan"]
    assert Customer.objects.filter(name_norm="广州华达电子").count() == 2


def test_the_database_refuses_a_concurrent_exact_duplicate(huada, demo_org):
    """SECURITY (duplicates created concurrently): a unique index, not only a Python check."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(name="广州华达电子", name_norm=huada.name_norm, branch=huada.branch)


def test_invalid_input_is_reported_and_nothing_is_saved(demo_org):
    seller = demo_org["liuyang"]
    with pytest.raises(ValidationFailed) as caught:
        customer_create(actor=seller, name="x" * 10_000, mobile="12345", email="nope", province="99")
    fields = {e["field"] for e in caught.value.errors}
    assert {"name", "mobile", "email", "province"} <= fields
    with pytest.raises(ValidationFailed):
        customer_create(actor=seller, name="！！！")
    assert not Customer.objects.exists()


def test_phone_and_address_changes_are_kept_in_history(huada, demo_org):
    """CUS-3/CUS-10: changes of phone and address are recorded with who and when."""

    customer_update(actor=demo_org["liuyang"], customer=huada, mobile="13911112222", address="天河路 1 号")
    changes = {}
    for item in history_for(huada):  # newest first
        for change in item["changes"]:
            changes.setdefault(str(change["field"]), (change["old"], change["new"]))
    label = {name: str(Customer._meta.get_field(name).verbose_name) for name in ("mobile", "address")}
    assert changes[label["mobile"]] == ("13800138000", "13911112222")
    assert changes[label["address"]][1] == "天河路 1 号"


def test_contact_phone_changes_are_kept(huada, demo_org):
    contact = contact_create(actor=demo_org["liuyang"], customer=huada, name="王经理", mobile="13900001111")
    contact_update(actor=demo_org["liuyang"], contact=contact, mobile="13900002222")
    entries = history_for(Contact.objects.get(pk=contact.pk))
    assert any(c["field"] == contact._meta.get_field("mobile").verbose_name for e in entries for c in e["changes"])


def test_the_sqlite_index_survives_a_table_rebuild(huada, demo_org):
    """SQLite drops triggers when a migration rebuilds a table; they come back after migrate."""

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's GIN index has no triggers")
    with connection.cursor() as cursor:
        for name in ("customers_fts_ai", "customers_fts_ad", "customers_fts_au"):
            cursor.execute(f"DROP TRIGGER {name}")  # noqa: S608 - fixed names
    ensure_sqlite_triggers()
    later = customer_create(actor=demo_org["liuyang"], name="重建后的客户")
    hits = {h.customer.pk for h in selectors.duplicate_check(demo_org["liuyang"], name="重建")}
    assert later.pk in hits
    assert huada.pk in {h.customer.pk for h in selectors.duplicate_check(demo_org["liuyang"], name="华达")}


@pytest.mark.parametrize("keyword,expected", [("流集团", "流集团"), ("集团", "集团"), ("华达有限", "华达"),
                                              ("科技有限公", "科技"), ("有限", "有限")])
def test_keywords_keep_words_that_only_look_like_suffixes(keyword, expected):
    """No false negatives: "集团" in "物流集团南1分公司" is part of the name, not a suffix."""
    assert normalize_keyword(keyword) == expected
