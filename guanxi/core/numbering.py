"""Document numbers: configurable per type, gap-free and unique under concurrency."""

import re

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from .models import DocumentSequence, NumberFormat

DEFAULT_PREFIXES = {}


def register(doc_type, prefix, width=6, reset=NumberFormat.Reset.YEARLY):
    DEFAULT_PREFIXES[doc_type] = (prefix, width, reset)


def label(doc_type):
    """Return the document type's name in the current language ("费用" for finance.expense)."""
    app_label, _dot, name = doc_type.partition(".")
    try:
        model = apps.get_model(app_label, name.replace("_", ""))
    except LookupError:
        return doc_type
    return capfirst(model._meta.verbose_name)


def _format(doc_type):
    fmt = NumberFormat.objects.filter(doc_type=doc_type).first()
    if fmt is None:
        prefix, width, reset = DEFAULT_PREFIXES.get(doc_type, (doc_type.upper()[:4], 6, NumberFormat.Reset.YEARLY))
        fmt = NumberFormat(doc_type=doc_type, prefix=prefix, width=width, reset=reset)
    return fmt


def next_number(doc_type, when=None):
    """Take the next number; call inside the transaction that saves the document."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the document's transaction")
    when = timezone.localtime(when or timezone.now())
    fmt = _format(doc_type)
    period = {"yearly": f"{when:%Y}", "monthly": f"{when:%Y%m}"}.get(fmt.reset, "")
    sequence = DocumentSequence.objects.select_for_update().filter(doc_type=doc_type, period=period).first()
    if sequence is None:
        try:
            with transaction.atomic():
                DocumentSequence.objects.create(doc_type=doc_type, period=period)
        except IntegrityError:
            pass  # another transaction created it first; lock theirs
        sequence = DocumentSequence.objects.select_for_update().get(doc_type=doc_type, period=period)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    parts = [fmt.prefix] + ([period] if period else []) + [f"{sequence.last:0{fmt.width}d}"]
    return "-".join(parts)


def preview(doc_type, when=None):
    """The number the next document would get, without taking it."""
    when = timezone.localtime(when or timezone.now())
    fmt = _format(doc_type)
    period = {"yearly": f"{when:%Y}", "monthly": f"{when:%Y%m}"}.get(fmt.reset, "")
    sequence = DocumentSequence.objects.filter(doc_type=doc_type, period=period).first()
    parts = [fmt.prefix] + ([period] if period else []) + [f"{(sequence.last if sequence else 0) + 1:0{fmt.width}d}"]
    return "-".join(parts)


_NUMBER_TEXT = re.compile(r"[A-Z0-9][A-Z0-9-]*")
MIN_SERIAL_DIGITS = 3
MAX_SERIAL_DIGITS = 10  # longer is a phone number or an amount, not a serial


def number_q(doc_type, text, field="number"):
    """Return a Q for the documents of ``doc_type`` whose number ``text`` is: the whole
    number or its beginning while it is typed ("SO-2026-0000"), or its serial alone
    ("000066", "2026-000066" of SO-2026-000066); None when ``text`` cannot be one.

    Only exact and prefix lookups, which the number's unique index answers: a serial
    becomes the exact numbers it has in the periods the type has numbered that far.
    """
    text = "".join((text or "").split()).upper()
    if not _NUMBER_TEXT.fullmatch(text) or not any(ch.isdigit() for ch in text) or len(text) > 40:
        return None
    if text[0].isalpha():
        return Q(**{f"{field}__startswith": text})
    *periods, serial = text.split("-")
    if len(periods) > 1 or not serial.isdigit() or not MIN_SERIAL_DIGITS <= len(serial) <= MAX_SERIAL_DIGITS \
            or int(serial) == 0:
        return None
    number = int(serial)
    sequences = DocumentSequence.objects.filter(doc_type=doc_type, last__gte=number)
    if periods:
        sequences = sequences.filter(period=periods[0])
    periods = list(sequences.values_list("period", flat=True))
    if not periods:
        return None
    fmt = _format(doc_type)
    if len(serial) > fmt.width:
        return None
    numbers = ["-".join([fmt.prefix] + ([period] if period else []) + [f"{number:0{fmt.width}d}"])
               for period in periods]
    return Q(**{f"{field}__in": numbers})
