"""receivables, receipts, payables, payments, payment-plans, invoices, expenses and the
ageing report (API.md; FIN-1 money in, FIN-2 money out, FIN-3 expenses, FIN-4 ageing).

Both sides of the ledger are one set of endpoints, mounted twice by ``_mount_side``:
receivables and receipts against customers, payables and payments against suppliers,
as the screens (``finance/views.py``) and the engine (``finance/ledger.py``) are one.
Every lookup goes through the finance, sales and purchasing selectors (ORG-3: out of
scope answers 404). Money movements honour ``Idempotency-Key`` (``api/middleware.py``)."""

from ninja import Router

from . import ageing, debts, expenses, invoices, payment_plans

TAGS = ["finance"]
router = Router(tags=TAGS)
router.add_router("", debts.router, tags=TAGS)
router.add_router("", payment_plans.router, tags=TAGS)
router.add_router("", invoices.router, tags=TAGS)
router.add_router("", expenses.router, tags=TAGS)
router.add_router("", ageing.router, tags=TAGS)
