"""Events other modules may follow (finance makes receivables from them). Sent inside
the transaction that made the change, so a receiver's writes commit or roll back with it."""

from django.dispatch import Signal

order_confirmed = Signal()  # sender=Order, order=, actor=
shipment_created = Signal()  # sender=Shipment, shipment=, actor=
