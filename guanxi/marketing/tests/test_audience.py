"""MKT-1: target groups — numbers on a small worked dataset, scope, drill-down, export,
API and query counts."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.core import picklists
from guanxi.customers.models import Customer
from guanxi.customers.services import contact_create, customer_create
from guanxi.marketing import audience
from guanxi.testing.sales import confirmed_order

TODAY = timezone.localdate()


def _industry(code):
    return picklists.items("customers.industry").get(code=code)


def _years_before(years, days=0):
    return audience._years_ago(TODAY, years) - datetime.timedelta(days=days)


@pytest.fixture
def dataset(demo_org):
    """Three Beijing customers (two of 制造业, one of 批发零售) and one in Guangzhou.

    | customer | owner  | industry      | occupation | age (from)         | province | tier | sales 12 m |
    | 京一     | zhuwei | manufacturing | 工程师      | 36 (own birthday)  | 11       | A    | 1,000 (+500 older) |
    | 京二     | zhuwei | manufacturing | —          | 21 (main contact)  | 11       | B    | 2,000      |
    | 京三     | hejing | wholesale     | 教师        | 66 (own birthday)  | 31       | A    | —          |
    | 穗一     | liuyang| manufacturing | 工程师      | —                  | 44       | C    | 9,999      |
    """
    zhuwei, hejing, liuyang = demo_org["zhuwei"], demo_org["hejing"], demo_org["liuyang"]
    rows = [
        (zhuwei, "北京京一科技有限公司", "manufacturing", "工程师", _years_before(36, 3), "11", "A"),
        (zhuwei, "北京京二机械有限公司", "manufacturing", "", None, "11", "B"),
        (hejing, "上海京三贸易有限公司", "wholesale", "教师", _years_before(66, 3), "31", "A"),
        (liuyang, "广州穗一电子有限公司", "manufacturing", "工程师", None, "44", "C"),
    ]
    made = {}
    for owner, name, industry, occupation, birthday, province, tier in rows:
        customer = customer_create(actor=owner, name=name, industry=_industry(industry), occupation=occupation,
                                   birthday=birthday, province=province)
        made[name[2:4]] = customer, tier
    tiers = {customer.pk: tier for customer, tier in made.values()}
    made = {key: customer for key, (customer, _tier) in made.items()}
    contact_create(actor=zhuwei, customer=made["京二"], name="王小二", is_primary=True,
                   birthday=_years_before(21, 3))
    confirmed_order(zhuwei, made["京一"], ((1, "1000.00"),), order_date=TODAY - datetime.timedelta(days=30))
    confirmed_order(zhuwei, made["京一"], ((1, "500.00"),), order_date=TODAY - datetime.timedelta(days=400))
    confirmed_order(zhuwei, made["京二"], ((2, "1000.00"),), order_date=TODAY - datetime.timedelta(days=3))
    confirmed_order(liuyang, made["穗一"], ((1, "9999.00"),), order_date=TODAY - datetime.timedelta(days=3))
    # Tiers last: confirming an order rescores the customers (analytics).
    for pk, tier in tiers.items():
        Customer.objects.filter(pk=pk).update(value_tier=tier)
    return made


def _groups(result):
    return {g.key: (g.customers, g.share, g.sales) for g in result.groups}


def test_industry_counts_share_and_sales_of_the_branch(demo_org, dataset):
    """MKT-1: the Beijing manager sees the three Beijing customers per industry, with share
    and the sales of the last 12 months (the order 400 days old is left out)."""
    result = audience.analyse(demo_org["majun"], "industry")
    manufacturing, wholesale = str(_industry("manufacturing").pk), str(_industry("wholesale").pk)
    assert _groups(result) == {
        manufacturing: (2, Decimal("66.7"), Decimal("3000.00")),
        wholesale: (1, Decimal("33.3"), Decimal("0")),
    }
    assert result.total_customers == 3 and result.total_sales == Decimal("3000.00")
    assert result.groups[0].label == "制造业" or result.groups[0].label == "Manufacturing"


def test_company_wide_view_counts_every_branch(demo_org, dataset):
    """MKT-1: the general manager sees Guangzhou too."""
    result = audience.analyse(demo_org["linhui"], "industry")
    assert _groups(result)[str(_industry("manufacturing").pk)] == (3, Decimal("75.0"), Decimal("12999.00"))


def test_age_bands_from_own_or_main_contact_birthday(demo_org, dataset):
    """MKT-1: age from the customer's birthday, else the main contact's; none is "not given"."""
    result = audience.analyse(demo_org["linhui"], "age")
    assert {k: v[0] for k, v in _groups(result).items()} == {"35_44": 1, "u25": 1, "55p": 1, "": 1}
    assert _groups(result)["u25"][2] == Decimal("2000.00")


@pytest.mark.parametrize(("dimension", "expected"), [
    ("occupation", {"工程师": 2, "": 1, "教师": 1}),
    ("region", {"11": 2, "31": 1, "44": 1}),
    ("value_tier", {"A": 2, "B": 1, "C": 1}),
    ("stage", {"acquisition": 4}),
])
def test_other_dimensions(demo_org, dataset, dimension, expected):
    """MKT-1: occupation, province, value tier and lifecycle stage."""
    result = audience.analyse(demo_org["linhui"], dimension)
    assert {k: v[0] for k, v in _groups(result).items()} == expected


def test_filters_narrow_by_owner_and_branch(demo_org, dataset):
    """MKT-1: filters by owner (and branch) narrow counts and sales alike."""
    result = audience.analyse(demo_org["linhui"], "value_tier", {"owner": demo_org["zhuwei"].pk})
    assert _groups(result) == {"A": (1, Decimal("50.0"), Decimal("1000.00")),
                               "B": (1, Decimal("50.0"), Decimal("2000.00"))}
    result = audience.analyse(demo_org["linhui"], "region", {"branch": demo_org["liuyang"].branch_id})
    assert _groups(result) == {"44": (1, Decimal("100.0"), Decimal("9999.00"))}


def test_cross_tab(demo_org, dataset):
    """MKT-1: the cross-tab of industry and value tier."""
    crosstab = audience.cross_tab(demo_org["linhui"], "industry", "value_tier")
    manufacturing, wholesale = str(_industry("manufacturing").pk), str(_industry("wholesale").pk)
    assert crosstab.cells == {(manufacturing, "A"): 1, (manufacturing, "B"): 1, (manufacturing, "C"): 1,
                              (wholesale, "A"): 1}
    assert crosstab.row_keys[0][0] == manufacturing


def test_salesperson_sees_only_own_customers(demo_org, dataset):
    """MKT-1 / ORG-3: no leak — a salesperson's figures hold their own customers only."""
    result = audience.analyse(demo_org["zhuwei"], "industry")
    assert result.total_customers == 2 and result.total_sales == Decimal("3000.00")


def test_drill_link_opens_the_same_customers(demo_org, dataset, client_for):
    """MKT-1: each figure links to the customer list filtered to the same customers."""
    client = client_for(demo_org["linhui"])
    for dimension in ("industry", "occupation", "age", "region", "value_tier"):
        result = audience.analyse(demo_org["linhui"], dimension, {"owner": demo_org["zhuwei"].pk})
        for group in result.groups:
            if not group.drill:
                continue
            html = client.get(reverse("customers:customer_list") + "?" + group.drill).content.decode()
            assert "is not a valid choice" not in html, (dimension, group.drill)
            shown = sum(1 for c in dataset.values() if f"/customers/{c.pk}/" in html)
            assert shown == group.customers, (dimension, group.key, group.drill)


def test_page_shows_chart_and_table_within_a_query_budget(demo_org, dataset, client_for,
                                                          django_assert_max_num_queries):
    """MKT-1: the page draws the chart and the table in a fixed number of queries."""
    client = client_for(demo_org["majun"])
    client.get(reverse("marketing:audience"))  # warm the per-process memo
    with django_assert_max_num_queries(12):
        response = client.get(reverse("marketing:audience"), {"dimension": "industry", "cross": "value_tier"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'id="audience-table"' in html and 'id="audience-crosstab"' in html
    assert "广州穗一" not in html


def test_export_to_excel(demo_org, dataset, client_for):
    """MKT-1: the table exports to Excel."""
    response = client_for(demo_org["majun"]).get(reverse("marketing:audience"),
                                                 {"dimension": "region", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                              if response.streaming else response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 3 and len(values[0]) == 4  # the header and the provinces 11 and 31
    assert sorted((row[1], Decimal(str(row[3]))) for row in values[1:]) == [(1, 0), (2, 3000)]


def test_api_target_groups(demo_org, dataset, api_for):
    """MKT-1: GET /api/v1/target-groups?dimension=… answers the same figures, scoped."""
    client, headers = api_for(demo_org["majun"])
    body = client.get("/api/v1/target-groups", {"dimension": "value_tier", "cross": "region"}, headers=headers).json()
    assert {i["key"]: (i["customers"], i["sales_12m"]) for i in body["items"]} == {
        "A": (2, "1000.00"), "B": (1, "2000.00")}
    assert {(c["row"], c["column"]): c["customers"] for c in body["cells"]} == {
        ("A", "11"): 1, ("A", "31"): 1, ("B", "11"): 1}
    assert client.get("/api/v1/target-groups", {"dimension": "salary"}, headers=headers).status_code in (400, 422)


def test_api_needs_marketing_view(demo_org, api_for):
    """MKT-1: a salesperson without marketing rights is refused."""
    client, headers = api_for(demo_org["liuyang"])
    assert client.get("/api/v1/target-groups", headers=headers).status_code == 403
