import decimal

import pytest

from guanxi.core.exports import neutralize


@pytest.mark.parametrize("value", ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_formula_cells_are_neutralized(value):
    """SECURITY: a cell a spreadsheet would run as a formula starts with a quote."""
    assert neutralize(value) == "'" + value


@pytest.mark.parametrize("value", ["广州华达", "a=b", "", "1+1"])
def test_plain_text_is_unchanged(value):
    assert neutralize(value) == value


def test_numbers_stay_numbers():
    assert neutralize(decimal.Decimal("-12.50")) == decimal.Decimal("-12.50")
    assert neutralize(-3) == -3
    assert neutralize(None) == ""
