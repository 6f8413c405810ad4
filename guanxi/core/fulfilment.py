"""Partial fulfilment of a document's lines: shipping an order (SAL-5), receiving a
purchase order (PUR-3). The caller has locked the lines (``select_for_update``); the
quantities are checked against what is left, all problems reported at once, then
counted on the lines. A check constraint on each line model refuses more than ordered."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .errors import ValidationFailed


def posted_quantities(post, prefix):
    """The quantities a form posts per line (``ship_12=3``): {"12": "3"}, blanks left out;
    ``checked_quantities`` reads and checks them."""
    return {key[len(prefix):]: value for key, value in post.items() if key.startswith(prefix) and value.strip()}


def checked_quantities(lines, quantities, *, positive, left, at_least):
    """Return {line id: Decimal} from ``quantities`` or raise ValidationFailed.
    ``lines`` is {id: line with ``remaining``}; the messages say ship or receive."""
    wanted, errors = {}, []
    for key, value in quantities.items():
        if value in (None, "", 0, "0"):
            continue
        try:
            wanted[int(key)] = Decimal(str(value))
        except (InvalidOperation, ValueError):
            errors.append({"field": f"lines.{key}", "message": _("Enter the quantities as numbers.")})
    for line_id, quantity in wanted.items():
        line = lines.get(line_id)
        if line is None:
            errors.append({"field": f"lines.{line_id}", "message": _("Not a line of this order.")})
        elif quantity <= 0:
            errors.append({"field": f"lines.{line_id}", "message": positive})
        elif quantity > line.remaining:
            errors.append({"field": f"lines.{line_id}", "message": left % {"n": line.remaining.normalize()}})
    if not wanted and not errors:
        errors.append({"field": "lines", "message": at_least})
    if errors:
        raise ValidationFailed(errors=errors)
    return wanted


def count_fulfilled(lines, wanted, *, counter, make_line):
    """Make one document line per wanted quantity (``make_line(line, quantity)``), add the
    quantities to ``counter`` on the order's lines; return whether nothing is left."""
    for line_id, quantity in wanted.items():
        line = lines[line_id]
        make_line(line, quantity)
        setattr(line, counter, getattr(line, counter) + quantity)
        line.save(update_fields=[counter])
    return all(line.remaining == 0 for line in lines.values())

