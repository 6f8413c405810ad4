"""Invoices."""


import datetime
from typing import ClassVar

from ninja import Field, Router, Schema, Status

from guanxi.finance import invoices, selectors
from guanxi.finance.models import (
    InvoiceKind,
    InvoiceStatus,
)
from guanxi.sales import selectors as sales_selectors

from ...common import (
    InputSchema,
    ListParams,
    Money,
    Page,
    ReasonIn,
    require_perm,
)
from ...routes import list_and_get
from ._shared import Amount

router = Router()


# --- invoices ---------------------------------------------------------------------------------
class InvoiceOut(Schema):
    id: int
    number: str = Field(description="the request's number")
    order_id: int
    customer_id: int
    kind: InvoiceKind
    amount: Money = Field(description="tax included")
    currency: str = "CNY"
    buyer_name: str
    buyer_tax_id: str
    buyer_address_phone: str
    buyer_bank_account: str
    status: InvoiceStatus
    invoice_number: str = Field(description="from the tax system, once issued")
    issued_on: datetime.date | None
    notes: str
    owner_id: int = Field(description="who requested it")
    branch_id: int
    created_at: datetime.datetime


class InvoicePage(Page):
    items: list[InvoiceOut]


class InvoiceIn(InputSchema):
    order_id: int
    amount: Amount
    kind: InvoiceKind = InvoiceKind.SPECIAL
    buyer_name: str = Field("", max_length=200, description="default: the customer's name")
    buyer_tax_id: str = Field("", max_length=30, description="required for a special invoice")
    buyer_address_phone: str = Field("", max_length=200)
    buyer_bank_account: str = Field("", max_length=200)
    notes: str = Field("", max_length=300)


class IssueIn(InputSchema):
    invoice_number: str = Field(..., min_length=1, max_length=40)
    issued_on: datetime.date | None = Field(None, description="default: today")


class InvoiceFilters(ListParams):
    status: InvoiceStatus | None = None
    kind: InvoiceKind | None = None
    order_id: int | None = None
    customer_id: int | None = None

    lookups: ClassVar = {"status": "status", "kind": "kind", "order_id": "order_id", "customer_id": "customer_id"}
    search: ClassVar = ("number__istartswith", "invoice_number__istartswith", "customer__name__icontains")


list_and_get(router, "/invoices", name="invoice", perm="finance.view", page=InvoicePage, out=InvoiceOut,
             filters=InvoiceFilters, visible=selectors.invoices_visible_to, get=selectors.invoice_get,
             list_doc="FIN-1: VAT invoices requested for orders in the caller's scope.")


@router.post("/invoices", response={201: InvoiceOut})
def invoice_request(request, payload: InvoiceIn):
    """FIN-1: request an invoice for a confirmed order; it goes to approval (``pending_approval``).
    The invoiced total never exceeds the order (422)."""
    require_perm(request, "sales.edit")
    data = payload.model_dump()
    order = sales_selectors.order_get(request.user, data.pop("order_id"))
    invoice = invoices.invoice_request(actor=request.user, order=order, **data)
    return Status(201, selectors.invoice_get(request.user, invoice.pk))


@router.post("/invoices/{invoice_id}/issue", response=InvoiceOut)
def invoice_issue(request, invoice_id: int, payload: IssueIn):
    """FIN-1: record that an approved invoice was issued, with its number from the tax system."""
    require_perm(request, "finance.edit")
    return invoices.invoice_issue(actor=request.user, invoice=selectors.invoice_get(request.user, invoice_id),
                                  invoice_number=payload.invoice_number, issued_on=payload.issued_on)


@router.post("/invoices/{invoice_id}/cancel", response=InvoiceOut)
def invoice_cancel(request, invoice_id: int, payload: ReasonIn):
    """FIN-1: cancel a live invoice (a red-letter invoice, an error)."""
    require_perm(request, "finance.reverse")
    return invoices.invoice_cancel(actor=request.user, invoice=selectors.invoice_get(request.user, invoice_id),
                                   reason=payload.reason)


