"""Money arithmetic, in Decimal, with one rounding rule (SAL-3, SECURITY: rounding).

A line: subtotal = quantity × unit price; discount = subtotal × discount % ; tax =
(subtotal − discount) × tax rate; total = subtotal − discount + tax. Each of them is
rounded to the fen (0.01) half up as it is computed; a document's totals are the sums
of its lines' rounded amounts, so the printed lines always add up to the printed total.
"""

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
HUNDRED = Decimal("100")


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
