"""Charts and amounts people can read: ¥ with thousands separators, 万 in Chinese,
orders and receipts side by side rather than added up, labels that fit."""

import re
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from guanxi.core.charts import bar_chart, chart_amount, column_chart


def _render(source, **context):
    return Template("{% load guanxi %}" + source).render(Context(context))


def test_money_filter_groups_thousands_in_both_languages():
    """SAL-3: amounts carry thousands separators in English and in Chinese."""
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert _render("{{ v|money }}", v=Decimal("1234567.891")) == "1,234,567.89"
            assert _render("{{ v|money:'¥' }}", v=Decimal("-1234.5")) == "-¥1,234.50"
            assert _render("{{ v|money }}", v=None) == "—"


def test_list_cells_group_decimal_amounts():
    """SAL-3: a Decimal in a list cell is shown with separators and two decimals."""
    with translation.override("zh-hans"):
        assert _render("{{ v|cell }}", v=Decimal("1234567.8")) == "1,234,567.80"


def test_chart_amounts_are_yuan_in_english_and_wan_in_chinese():
    """ANA: chart amounts read ¥1,234,567.89 in English and ¥123.46万 in Chinese."""
    with translation.override("en"):
        assert chart_amount(Decimal("1234567.89")) == "¥1,234,567.89"
    with translation.override("zh-hans"):
        assert chart_amount(Decimal("1234567.89")) == "¥123.46万"
        assert chart_amount(Decimal("345000000")) == "¥3.45亿"
        assert chart_amount(Decimal("9876.5")) == "¥9,876.50"


def _bars(svg):
    return [(float(x), float(w)) for x, w in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="[\d.]+" fill="#\w+"><title>', svg)]


def test_orders_and_receipts_are_separate_bars_not_one_sum():
    """ANA-4: order amount and money received sit side by side; no bar shows their sum."""
    with translation.override("en"):
        svg = bar_chart(["刘洋"], [("Order amount", [Decimal("1000000")]), ("Received", [Decimal("400000")])],
                        money=True)
    bars = _bars(svg)
    assert len(bars) == 2 and bars[0][0] == bars[1][0], "grouped bars start at the same axis"
    assert "¥1,400,000.00" not in svg and "1400000" not in svg
    assert "¥1,000,000.00" in svg and "¥400,000.00" in svg


def test_long_labels_are_truncated_with_the_full_text_kept_and_nothing_clipped():
    """UI: a long customer name is shortened with … (full name on hover); values fit."""
    name = "广州市天河区某某国际贸易有限责任公司华南大区分公司"
    with translation.override("en"):
        svg = bar_chart([name, "B"], [("Outstanding", [Decimal("123456789.12"), Decimal("5")])], money=True,
                        width=640)
    assert f"<title>{name}" in svg and "…" in svg
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
    for x, text in re.findall(r'<text x="([\d.]+)"[^>]*>([^<]*)</text>', svg):
        assert float(x) >= 0
        if "¥" in text:  # value labels start after the bar and end inside the drawing
            assert float(x) + 7 * len(text) <= width, text


def test_crowded_column_labels_are_rotated():
    """UI: month labels that would overlap are turned, with room left below the axis."""
    labels = [f"2026年{m}月上半月" for m in range(1, 13)]
    svg = column_chart(labels, [("Revenue", [Decimal(m * 1000) for m in range(1, 13)])], width=480)
    assert "rotate(" in svg
