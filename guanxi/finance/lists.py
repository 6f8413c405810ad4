from django.db.models import F
from django.utils.translation import gettext_lazy as _

from guanxi.core import picklists
from guanxi.core.listing import Column, Filter, ListSpec, period_filters
from guanxi.core.permissions import AUTHENTICATED
from guanxi.customers.lists import customer_filter
from guanxi.sales.lists import BY_PERSON_AND_PLACE

from . import selectors
from .models import ExpenseStatus, InvoiceKind, InvoiceStatus, ReceiptKind, ReceivableStatus


def _overdue(queryset, raw, request):
    if raw != "1":
        return None
    return queryset.filter(queryset.model.overdue_q())


def _outstanding(queryset, raw, request):
    if raw != "1":
        return None
    return queryset.filter(allocated__lt=F("amount")).exclude(status=ReceivableStatus.CANCELLED)


def _debt_columns(party, party_label, settled_label, person_label):
    return [
        Column("number", _("Number"), sortable=True, link=True),
        Column(party, party_label, value=lambda d: getattr(d, party).name),
        Column("issued_on", _("Date"), sortable=True), Column("due_on", _("Due date"), sortable=True,
                                                                     overdue=lambda d: d.overdue_days() > 0),
        Column("amount", _("Amount"), sortable=True), Column("allocated", settled_label),
        Column("outstanding", _("Outstanding"), value=lambda d: d.outstanding),
        Column("status", _("Status")), Column("owner", person_label, value=lambda d: d.owner.display_name),
    ]


DEBT_FILTERS = [Filter("status", _("Status"), choices=ReceivableStatus.choices),
                Filter("overdue", _("Overdue"), kind="custom", choices=[("1", _("Yes"))], apply_func=_overdue),
                Filter("outstanding", _("Not settled"), kind="custom", choices=[("1", _("Yes"))],
                       apply_func=_outstanding),
                *period_filters("due_on", _("Due from"), _("Due to"), prefix="due_"),
                Filter("issued_to", _("Issued up to"), lookup="issued_on", kind="date_to")]


class ReceivableList(ListSpec):
    key = "finance.receivables"
    title = _("Receivables")
    permission = "finance.view"
    export_permission = "finance.export"
    create_url_name = "finance:receivable_create"
    create_permission = "finance.create"
    export_name = "receivables"
    default_sort = "due_on"
    columns = _debt_columns("customer", _("Customer"), _("Received"), _("Salesperson"))
    filters = [*DEBT_FILTERS, *BY_PERSON_AND_PLACE, customer_filter()]
    search_fields = ["number", "customer__name"]
    empty_text = _("No receivables.")

    visible_to = selectors.receivables_visible_to


class PayableList(ReceivableList):
    key = "finance.payables"
    title = _("Payables")
    create_url_name = "finance:payable_create"
    export_name = "payables"
    columns = _debt_columns("supplier", _("Supplier"), _("Paid"), _("Purchaser"))
    filters = DEBT_FILTERS
    search_fields = ["number", "supplier__name"]
    empty_text = _("No payables.")

    visible_to = selectors.payables_visible_to  # type: ignore[assignment]  # its own model, not the parent list's


def _movement_columns(party, party_label, date_field, date_label, person_label):
    return [
        Column("number", _("Number"), sortable=True, link=True),
        Column(party, party_label, value=lambda m: getattr(m, party).name),
        Column(date_field, date_label, sortable=True), Column("amount", _("Amount"), sortable=True),
        Column("allocated", _("Allocated")), Column("method", _("Method"), value=lambda m: m.method or ""),
        Column("kind", _("Kind")), Column("owner", person_label, value=lambda m: m.owner.display_name),
    ]


def _movement_filters(date_field):
    return [Filter("kind", _("Kind"), choices=ReceiptKind.choices),
            Filter("method", _("Method"), lookup="method_id",
                   choices=lambda r: picklists.choices("finance.payment_method")),
            *period_filters(date_field, _("From"), _("To"))]


class ReceiptList(ListSpec):
    key = "finance.receipts"
    title = _("Receipts")
    permission = "finance.view"
    export_permission = "finance.export"
    create_url_name = "finance:receipt_create"
    create_permission = "finance.create"
    export_name = "receipts"
    default_sort = "-received_on"
    columns = _movement_columns("customer", _("Customer"), "received_on", _("Date received"), _("Salesperson"))
    filters = [*_movement_filters("received_on"), *BY_PERSON_AND_PLACE, customer_filter()]
    search_fields = ["number", "customer__name", "payer", "reference"]
    empty_text = _("No receipts.")

    visible_to = selectors.receipts_visible_to


class PaymentList(ReceiptList):
    key = "finance.payments"
    title = _("Payments")
    create_url_name = "finance:payment_create"
    export_name = "payments"
    default_sort = "-paid_on"
    columns = _movement_columns("supplier", _("Supplier"), "paid_on", _("Date paid"), _("Purchaser"))
    filters = _movement_filters("paid_on")
    search_fields = ["number", "supplier__name", "payee", "reference"]
    empty_text = _("No payments.")

    visible_to = selectors.payments_visible_to  # type: ignore[assignment]  # its own model, not the parent list's


class ExpenseList(ListSpec):
    """Everyone's own expenses; managers and finance those in their scope."""

    key = "finance.expenses"
    title = _("Expenses")
    permission = AUTHENTICATED
    export_permission = "finance.export"
    create_url_name = "finance:expense_create"
    create_permission = AUTHENTICATED
    export_name = "expenses"
    default_sort = "-spent_on"
    columns = [
        Column("number", _("Number"), sortable=True, link=True), Column("spent_on", _("Date"), sortable=True),
        Column("category", _("Category / item"), value=lambda e: str(e.category)),
        Column("description", _("Description")), Column("amount", _("Amount"), sortable=True),
        Column("status", _("Status")), Column("owner", _("Person"), value=lambda e: e.owner.display_name),
    ]
    filters = [Filter("status", _("Status"), choices=ExpenseStatus.choices),
               *period_filters("spent_on", _("From"), _("To"))]
    search_fields = ["number", "description"]
    empty_text = _("No expenses.")

    visible_to = selectors.expenses_visible_to


class InvoiceList(ListSpec):
    key = "finance.invoices"
    title = _("Invoices")
    permission = "finance.view"
    export_permission = "finance.export"
    export_name = "invoices"
    columns = [
        Column("number", _("Request"), sortable=True, link=True), Column("invoice_number", _("Invoice number")),
        Column("kind", _("Kind")), Column("order", _("Order"), value=lambda i: i.order.number),
        Column("customer", _("Customer"), value=lambda i: i.customer.name),
        Column("amount", _("Amount"), sortable=True), Column("status", _("Status")),
        Column("issued_on", _("Issued on")),
    ]
    filters = [Filter("status", _("Status"), choices=InvoiceStatus.choices),
               Filter("kind", _("Kind"), choices=InvoiceKind.choices), customer_filter()]
    search_fields = ["number", "invoice_number", "customer__name", "order__number"]
    empty_text = _("No invoices.")

    visible_to = selectors.invoices_visible_to
