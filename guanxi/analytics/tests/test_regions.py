"""ANA-6: regional analysis — figures per province and city equal brute force, the map of
China is drawn from the offline package, the forecast is a documented straight line."""

import datetime
import itertools
import random
import re
from decimal import Decimal

import numpy as np
import pytest

from guanxi.analytics import chinamap
from guanxi.analytics.regions import backtest_summary, english_name, linear_forecast, region_rows
from guanxi.core.periods import Period, add_months, month_start
from guanxi.customers.models import Customer, CustomerCategory
from guanxi.sales.models import Order

NUMBERS = itertools.count(1)
PERIOD = Period(datetime.date(2026, 1, 1), datetime.date(2026, 7, 1))
PLACES = [("44", "4401"), ("44", "4403"), ("11", "1101"), ("31", "3101"), ("", "")]
SELLERS = ("liuyang", "zhuwei", "hanlei")


@pytest.fixture
def orders(demo_org):
    rng = random.Random(66)
    rows = []
    for index in range(24):
        seller = demo_org[SELLERS[index % len(SELLERS)]]
        province, city = rng.choice(PLACES)
        customer = Customer.objects.create(name=f"区域客户{index}", owner=seller, branch=seller.branch,
                                           province=province, city=city, category=CustomerCategory.CUSTOMER)
        for _ in range(rng.randint(0, 5)):
            day = PERIOD.start + datetime.timedelta(days=rng.randint(-40, 200))
            status = rng.choice(["confirmed", "completed", "draft"])
            total = Decimal(rng.randint(100, 50000))
            Order.objects.create(number=f"R-{next(NUMBERS)}", customer=customer, owner=seller, branch=seller.branch,
                                 status=status, order_date=day, total=total, subtotal=total)
            rows.append((customer, seller, day, status, total))
    return rows


def _by_hand(rows, key, keep=lambda seller: True):
    found = {}
    for customer, seller, day, status, total in rows:
        if status != "draft" and PERIOD.start <= day < PERIOD.end and keep(seller):
            sales, count, buyers = found.get(key(customer), (Decimal(0), 0, set()))
            found[key(customer)] = (sales + total, count + 1, buyers | {customer.pk})
    return found


def test_province_and_city_figures_equal_brute_force(demo_org, orders):
    """ANA-6: sales, orders, orders per customer and average order per province and per city equal a sum by hand."""
    boss = demo_org["chenzhiqiang"]
    rows = region_rows(boss, PERIOD)
    expected = _by_hand(orders, lambda c: c.province)
    assert expected
    for code, (sales, count, buyers) in expected.items():
        assert rows[code].sales == sales and rows[code].orders == count
        assert rows[code].orders_per_customer == (Decimal(count) / len(buyers)).quantize(Decimal("0.01"))
        assert rows[code].average_order == (sales / count).quantize(Decimal("0.01"))
    # Customers count when created before the period's end (they were created today here).
    assert rows["44"].customers == 0
    later = region_rows(boss, Period(PERIOD.start, datetime.date(2031, 1, 1)))
    assert later["44"].customers == Customer.objects.filter(province="44").count() > 0
    cities = region_rows(boss, PERIOD, province="44")
    for code, (sales, count, _buyers) in _by_hand(orders, lambda c: c.city if c.province == "44" else None).items():
        if code:
            assert cities[code].sales == sales and cities[code].orders == count
    assert set(cities) <= {"4401", "4403"}


def test_regions_do_not_leak_another_branch(demo_org, orders):
    """ANA-6: a salesperson's regional figures count only his own orders."""
    seller = demo_org["liuyang"]
    rows = region_rows(seller, PERIOD)
    expected = _by_hand(orders, lambda c: c.province, keep=lambda s: s == seller)
    assert {code: (r.sales, r.orders) for code, r in rows.items() if r.orders} == {
        code: (sales, count) for code, (sales, count, _b) in expected.items()}


def test_map_draws_every_province_from_the_package():
    """ANA-6: the SVG has one linked outline per province (34, incl. HK, Macao, Taiwan), shaded by value."""
    svg = str(chinamap.china_map({"44": Decimal("900"), "11": Decimal("300")}, {"44": "广东省", "11": "北京市"},
                                 link=lambda code: f"?province={code}", selected="44"))
    assert svg.count("<path ") == 34
    assert len(set(re.findall(r'data-province="(\d+)"', svg))) == 34
    assert 'href="?province=44"' in svg and "广东省: 900" in svg
    guangdong = re.search(r'data-province="44"><path d="[^"]+" fill="(#[0-9a-f]{6})"', svg).group(1)
    beijing = re.search(r'data-province="11"><path d="[^"]+" fill="(#[0-9a-f]{6})"', svg).group(1)
    assert guangdong != beijing  # the larger value is darker


def test_linear_forecast_and_english_names():
    """ANA-6: the forecast extends the least-squares line; names come in English from pinyin."""
    assert linear_forecast([Decimal(v) for v in (10, 20, 30, 40)], ahead=2) == [Decimal("50.00"), Decimal("60.00")]
    assert linear_forecast([Decimal(v) for v in (40, 30, 20, 10)], ahead=3) == [Decimal("0.00")] * 3
    assert english_name("44") == "Guangdong" and english_name("61") == "Shaanxi"


def test_page_renders_map_and_cities(demo_org, client_for, orders):
    """ANA-6: the page shows the map and the table; a province shows its cities; the export works."""
    client = client_for(demo_org["chenzhiqiang"])
    html = client.get("/analytics/regions/?period=custom&start=2026-01-01&end=2026-06-30&metric=sales").content.decode()
    assert html.count('data-province="') == 34 and "广东省" in html
    city_page = client.get("/analytics/regions/?period=custom&start=2026-01-01&end=2026-06-30&province=44")
    assert "广州市" in city_page.content.decode()
    assert client.get("/analytics/regions/?metric=satisfaction&export=csv").status_code == 200


def test_forecast_back_test_equals_a_brute_force_fit(demo_org, orders):
    """ANA-6: the back-test fits the line on the 9 months before the last 3 full months and
    compares its prediction of those 3 with what was sold; per region and overall, the error
    (WAPE) and the mean absolute error equal numpy's least-squares fit by hand."""
    boss = demo_org["chenzhiqiang"]
    today = datetime.date(2026, 8, 15)
    rows = region_rows(boss, PERIOD, today=today)
    first = add_months(month_start(today), -12)
    months = [add_months(first, k) for k in range(12)]
    total_error, total_actual, scored = Decimal(0), Decimal(0), 0
    for code in {c.province for c, _s, _d, _st, _t in orders}:
        history = [sum((t for c, _s, d, st, t in orders if c.province == code and st != "draft"
                        and month_start(d) == month), Decimal(0)) for month in months]
        assert rows[code].history == history
        slope, intercept = np.polyfit(range(9), [float(v) for v in history[:9]], 1)
        predicted = [max(Decimal(0), Decimal(str(round(slope * x + intercept, 2)))) for x in (9, 10, 11)]
        assert [float(v) for v in rows[code].backtest] == pytest.approx([float(v) for v in predicted], abs=0.011)
        error = sum(abs(p - a) for p, a in zip(rows[code].backtest, history[9:], strict=True))
        actual = sum(history[9:])
        assert rows[code].backtest_mae == (error / 3).quantize(Decimal("0.01"))
        if actual:
            assert rows[code].backtest_error == (error * 100 / actual).quantize(Decimal("0.1"))
            total_error, total_actual, scored = total_error + error, total_actual + actual, scored + 1
        else:
            assert rows[code].backtest_error is None
    assert scored
    wape, mae, regions = backtest_summary(rows.values())
    assert regions == scored and wape == (total_error * 100 / total_actual).quantize(Decimal("0.1"))
    assert mae == (total_error / (3 * scored)).quantize(Decimal("0.01"))


def test_the_page_and_the_api_show_the_back_test(demo_org, client_for, api_for, orders):
    """ANA-6: the regions page states the back-test's definition and error; the API gives it per region."""
    html = client_for(demo_org["chenzhiqiang"]).get("/analytics/regions/").content.decode()
    assert 'id="backtest"' in html and "WAPE" in html
    client, headers = api_for(demo_org["chenzhiqiang"])
    response = client.get("/api/v1/analytics/regions", headers=headers)
    assert response.status_code == 200
    row = response.json()[0]
    assert len(row["backtest"]) == 3 and "backtest_error_percent" in row
