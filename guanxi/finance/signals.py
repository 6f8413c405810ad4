"""Events of finance other modules may follow (marketing earns loyalty points on money
received). Sent after the transaction commits (``transaction.on_commit``): a receiver works
in its own transaction and must be idempotent (it may also catch up later from the ledger)."""

from django.dispatch import Signal

receipt_recorded = Signal()  # sender=Receipt, receipt=
# A receipt was reversed: ``receipt`` is the one undone, ``reversal`` the opposite movement.
receipt_reversed = Signal()  # sender=Receipt, receipt=, reversal=
