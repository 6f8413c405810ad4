"""Money arithmetic, in Decimal, with one rounding rule (SAL-3, SECURITY: rounding).

A line: subtotal = quantity × unit price; discount = subtotal × discount % ; tax =
(subtotal − discount) × tax rate; total = subtotal − discount + tax. Each of them is
rounded to the fen (0.01) half up as it is computed; a document's totals are the sums
of its lines' rounded amounts, so the printed lines always add up to the printed total.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ValidationFailed

FEN = Decimal("0.01")
HUNDRED = Decimal("100")
# The largest amount a money field holds (DecimalField(max_digits=14, decimal_places=2)).
MAX_AMOUNT = Decimal("999999999999.99")


def default_tax_rate():
    """The VAT rate of a product or line that names none (settings.GUANXI_DEFAULT_TAX_RATE,
    0.13 unless the environment's DEFAULT_TAX_RATE says otherwise): the one place it is set."""
    return Decimal(str(settings.GUANXI_DEFAULT_TAX_RATE))


def fen(value):
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def line_totals(quantity, unit_price, discount_percent, tax_rate):
    subtotal = fen(Decimal(quantity) * Decimal(unit_price))
    discount = fen(subtotal * Decimal(discount_percent) / HUNDRED)
    tax = fen((subtotal - discount) * Decimal(tax_rate))
    return {"subtotal": subtotal, "discount": discount, "tax": tax, "total": subtotal - discount + tax}


def document_totals(lines):
    totals = {"subtotal": Decimal("0.00"), "discount_total": Decimal("0.00"), "tax_total": Decimal("0.00"),
              "total": Decimal("0.00")}
    for line in lines:
        totals["subtotal"] += line.subtotal
        totals["discount_total"] += line.discount
        totals["tax_total"] += line.tax
        totals["total"] += line.total
    return totals


def clean_amount(value, field="amount", *, allow_zero=False):
    """A positive amount in yuan with at most two decimals, or a ValidationFailed."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(_("Enter an amount as a number, e.g. 1234.50."), field=field)
    if not amount.is_finite():
        raise ValidationFailed(_("Enter an amount as a number, e.g. 1234.50."), field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationFailed(_("The amount must be greater than zero."), field=field)
    if amount > MAX_AMOUNT:
        raise ValidationFailed(_("The amount is too large."), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(_("Amounts have at most two decimals (fen)."), field=field)
    return amount.quantize(Decimal("0.01"))
