"""What finance adds to the customer page (CUS-6): receivables (outstanding, overdue),
receipts and invoices as sections, receivables and receipts as entries of the
customer's timeline. Wired in FinanceConfig.ready."""

from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core import timeline
from guanxi.core.search import money_text
from guanxi.customers import summary
from guanxi.customers.models import Customer

from . import selectors
from .models import InvoiceStatus, ReceiptKind, Receivable, ReceivableStatus
from .selectors import MONEY, ZERO


def _sum(expression, condition=None):
    return Coalesce(Sum(expression, filter=condition), Value(ZERO), output_field=MONEY)


class FinanceSection(summary.Section):
    permission = "finance.view"
    create_permission = "finance.create"  # the forms find the customer in the user's scope


class ReceivablesSection(FinanceSection):
    key = "receivables"
    title = _("Receivables")
    order = 60
    empty_text = _("Nothing is owed.")
    list_url_name = "finance:receivable_list"
    create_url_name = "finance:receivable_create"
    create_label = _("New receivable")

    def records(self, viewer):
        return selectors.receivables_of_customer(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        unsettled = Q(allocated__lt=F("amount")) & ~Q(status=ReceivableStatus.CANCELLED)
        overdue = Receivable.overdue_q()
        totals = summary.tally(records, outstanding=_sum(F("amount") - F("allocated"), unsettled),
                               overdue=_sum(F("amount") - F("allocated"), overdue))
        return totals["count"], [
            summary.Figure("outstanding", _("Outstanding"), totals["outstanding"], money=True),
            summary.Figure("overdue", _("Overdue"), totals["overdue"], money=True, alert=totals["overdue"] > 0),
        ]

    def rows(self, viewer, records, limit):
        today = timezone.localdate()
        return [summary.Row(label=debt.number, url=debt.get_absolute_url(), amount=debt.outstanding,
                            facts=(_("due %(day)s") % {"day": summary.day(debt.due_on)}, debt.get_status_display()),
                            alert=debt.due_on < today)
                for debt in records.filter(allocated__lt=F("amount"))[:limit]]


class ReceiptsSection(FinanceSection):
    key = "receipts"
    title = _("Receipts")
    order = 65
    empty_text = _("No money received yet.")
    list_url_name = "finance:receipt_list"
    create_url_name = "finance:receipt_create"
    create_label = _("Record a receipt")

    def records(self, viewer):
        return selectors.receipts_of_customer(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        standing = Q(kind=ReceiptKind.RECEIPT, reversed_by__isnull=True)
        totals = summary.tally(records, received=_sum("amount"), credit=_sum(F("amount") - F("allocated"), standing))
        return totals["count"], [
            summary.Figure("received", _("Money received"), totals["received"], money=True),
            summary.Figure("credit", _("Credit (not allocated)"), totals["credit"], money=True),
        ]

    def rows(self, viewer, records, limit):
        return [summary.Row(label=receipt.number, url=receipt.get_absolute_url(), amount=receipt.amount,
                            facts=tuple(f for f in (summary.day(receipt.received_on), str(receipt.method or ""),
                                                    receipt.get_kind_display()
                                                    if receipt.kind == ReceiptKind.REVERSAL else "") if f))
                for receipt in records[:limit]]


class InvoicesSection(FinanceSection):
    """VAT invoices asked for the customer's orders (requested from an order's page)."""

    key = "invoices"
    title = _("Invoices")
    order = 67
    empty_text = _("No invoices.")
    list_url_name = "finance:invoice_list"

    def records(self, viewer):
        return selectors.invoices_of_customer(viewer.user, viewer.customer)

    def totals(self, viewer, records):
        waiting = Q(status__in=[InvoiceStatus.REQUESTED, InvoiceStatus.PENDING_APPROVAL, InvoiceStatus.APPROVED])
        totals = summary.tally(records, waiting=waiting, issued=_sum("amount", Q(status=InvoiceStatus.ISSUED)))
        return totals["count"], [
            summary.Figure("issued", _("Invoiced"), totals["issued"], money=True),
            summary.Figure("waiting", _("To be issued"), totals["waiting"]),
        ]

    def rows(self, viewer, records, limit):
        return [summary.Row(label=invoice.number, url=invoice.get_absolute_url(), amount=invoice.amount,
                            facts=tuple(f for f in (invoice.invoice_number, invoice.get_status_display(),
                                                    summary.day(invoice.created_at)) if f))
                for invoice in records[:limit]]


# --- the timeline ------------------------------------------------------------------------------
def receivables_source(user, customer, limit):
    return [timeline.Entry(debt.created_at, "receivable", _("Receivable %(number)s") % {"number": debt.number},
                           _("%(amount)s, due %(day)s") % {"amount": money_text(debt.amount),
                                                           "day": summary.day(debt.due_on)},
                           url=debt.get_absolute_url())
            for debt in selectors.receivables_of_customer(user, customer).order_by("-created_at")[:limit]]


def receipts_source(user, customer, limit):
    return [timeline.Entry(receipt.created_at, "receipt", _("Receipt %(number)s") % {"number": receipt.number},
                           money_text(receipt.amount), url=receipt.get_absolute_url())
            for receipt in selectors.receipts_of_customer(user, customer).order_by("-created_at")[:limit]]


def register():
    for section in (ReceivablesSection(), ReceiptsSection(), InvoicesSection()):
        summary.register(section)
    for source in (receivables_source, receipts_source):
        timeline.register(Customer, source, permission="finance.view")
