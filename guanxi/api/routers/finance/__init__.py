"""receivables, receipts, payables, payments, payment-plans, invoices, expenses and the
ageing report (API.md; FIN-1 money in, FIN-2 money out, FIN-3 expenses, FIN-4 ageing).

Both sides of the ledger are one set of endpoints, mounted twice by ``_mount_side``:
receivables and receipts against customers, payables and payments against suppliers,
as the screens (``finance/views.py``) and the engine (``finance/ledger.py``) are one.
Every lookup goes through the finance, sales and purchasing selectors (ORG-3: out of
scope answers 404). Money movements honour ``Idempotency-Key`` (``api/middleware.py``)."""

from guanxi.api.common import domain_router

from . import ageing, debts, expenses, invoices, payment_plans

router = domain_router(
    "finance", debts.router, payment_plans.router, invoices.router, expenses.router, ageing.router,
)
