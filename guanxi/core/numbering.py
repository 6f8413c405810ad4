"""Document numbers: configurable per type, gap-free and unique under concurrency."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DocumentSequence, NumberFormat

DEFAULT_PREFIXES = {}


def register(doc_type, prefix, width=6, reset=NumberFormat.Reset.YEARLY):
    DEFAULT_PREFIXES[doc_type] = (prefix, width, reset)


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
