"""Events other modules may follow (finance makes receivables from them). Sent inside
the transaction that made the change, so a receiver's writes commit or roll back with it."""

from django.dispatch import Signal

order_confirmed = Signal()  # sender=Order, order=, actor=
shipment_created = Signal()  # sender=Shipment, shipment=, actor=
# Before an order is cancelled: each receiver returns a list of objections (translated
# sentences); any objection refuses the cancel. Receivers lock what they looked at.
order_cancelling = Signal()  # sender=Order, order=, actor=
# The order is cancelled (same transaction): receivers undo what followed from it.
order_cancelled = Signal()  # sender=Order, order=, actor=, reason=
# A lead became a customer (and an opportunity): lead.customer and lead.opportunity are set.
lead_converted = Signal()  # sender=Lead, lead=, actor=
# A quote was copied into its next version (its coupons and promotions were copied too).
quote_versioned = Signal()  # sender=Quote, previous=, quote=, actor=
# A quote was accepted and became an order (its coupons and promotions are on the order).
quote_accepted = Signal()  # sender=Quote, quote=, order=, actor=
