"""Amounts as people read them: ¥1,234,567.89, and in Chinese charts ¥123.46万."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation
from django.utils.formats import number_format

EMPTY = "—"
CHINESE_UNITS = ((Decimal("100000000"), "亿"), (Decimal("10000"), "万"))


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money_text(value, symbol="", places=2):
    """Return ``value`` with thousands separators and ``places`` decimals ("—" for nothing)."""
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = number_format(abs(amount), decimal_pos=places, force_grouping=True)
    return f"{'-' if amount < 0 else ''}{symbol}{text}"


def compact_amount(value, symbol="¥"):
    """Return a short amount for charts: ¥123.46万 / ¥3.45亿 in Chinese, the full
    grouped amount in English."""
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    if (translation.get_language() or "").startswith("zh"):
        for size, unit in CHINESE_UNITS:
            if abs(amount) >= size:
                return money_text(amount / size, symbol) + unit
    return money_text(amount, symbol)
