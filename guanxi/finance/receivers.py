"""Receivables follow the sales documents (the setting of the order's branch decides
whether from the confirmed order or from each shipping note)."""


def order_confirmed(sender, order, actor, **kwargs):
    from .services import receivable_for_order

    receivable_for_order(order, actor)


def shipment_created(sender, shipment, actor, **kwargs):
    from .services import receivable_for_shipment

    receivable_for_shipment(shipment, actor)
