"""The lines of a priced document (quotes, sales orders, purchase orders): replaced as a
whole, validated together (every problem reported at once, per line and field), priced
with ``core.money`` and summed into the document's totals."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from .errors import ValidationFailed
from .money import default_tax_rate, document_totals, line_totals

MAX_LINES = 500
TOTAL_FIELDS = ["subtotal", "discount_total", "tax_total", "total", "updated_at"]


def write_lines(document: Any, line_model: type[models.Model], link: str, lines: list[dict[str, Any]], *,
                price: Callable[[dict[str, Any], Any], Any], describe: Callable[[dict[str, Any], Any], str],
                missing_price: str | None = None) -> list[Any]:
    """Replace ``document``'s lines (``line_model`` rows whose ``link`` is the document) with
    ``lines`` (dicts) and recompute its totals. ``price(data, product)`` is the unit price,
    ``describe(data, product)`` the description; with ``missing_price`` a line without a
    price is an error with that message (else the model's own validation speaks)."""
    if not lines:
        raise ValidationFailed(_("Add at least one line."), field="lines")
    if len(lines) > MAX_LINES:
        raise ValidationFailed(_("At most 500 lines."), field="lines")
    line_model._default_manager.filter(**{link: document}).delete()
    built, errors = [], []
    for position, data in enumerate(lines, start=1):
        product = data.get("product")
        unit_price = price(data, product)
        if unit_price is None and missing_price:
            errors.append({"field": f"lines.{position}.unit_price", "message": missing_price})
            continue
        line: Any = line_model(
            **{link: document}, position=position, product=product, description=describe(data, product)[:200],
            quantity=data.get("quantity"), unit=data.get("unit") or (product.unit if product else "件"),
            unit_price=unit_price, discount_percent=data.get("discount_percent") or Decimal("0"),
            tax_rate=data.get("tax_rate", product.tax_rate if product else default_tax_rate()))
        try:
            line.full_clean(exclude=[link])
        except Exception as exc:  # noqa: BLE001 - ValidationError with per-field messages
            for field_name, messages in getattr(exc, "message_dict", {"__all__": [str(exc)]}).items():
                errors.append({"field": f"lines.{position}.{field_name}", "message": messages[0]})
            continue
        for key, value in line_totals(line.quantity, line.unit_price, line.discount_percent, line.tax_rate).items():
            setattr(line, key, value)
        built.append(line)
    if errors:
        raise ValidationFailed(errors=errors)
    line_model._default_manager.bulk_create(built)
    for key, value in document_totals(built).items():
        setattr(document, key, value)
    document.save(update_fields=TOTAL_FIELDS)
    return built
