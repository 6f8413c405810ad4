"""Events other modules follow (finance makes payables from goods receipts). Sent inside
the transaction that made the change."""

from django.dispatch import Signal

goods_received = Signal()  # sender=GoodsReceipt, goods_receipt=, actor=
